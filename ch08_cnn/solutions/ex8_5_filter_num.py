"""第 8 章练习 5 的参考答案：SimpleConvNet 的卷积核个数从 30 改成 10，每步耗时和测试精度怎样变化？

与 5_simple_convnet_numpy.py 相同的网络、初始值（卷积核 N(0, 0.01²)，全连接层 He）、Adam、余弦学习率、
批量大小 100、float32 和种子，只改 filter_num。完整的 20 轮要两个 4 分钟，这里只训练 EPOCHS 轮（题目改写为较短的版本），
两种设置用同样的轮数，比较的是同一预算下的差别。

    python ch08_cnn/solutions/ex8_5_filter_num.py            # 完整 MNIST、1 轮
    DL_QUICK=1 python ch08_cnn/solutions/ex8_5_filter_num.py # 1,000 张训练、300 张测试、1 轮，几秒钟
"""
import importlib.util
import time

import numpy as np

from common.load_data import get_data
from common.optimizer import Adam
from common.paths import REPO_ROOT
from common.quick import pick
from common.seed import set_seed
from common.util import minibatches

SEED = 42
EPOCHS = pick(real=1, quick=1)
N_TRAIN = pick(real=None, quick=1000)
N_TEST = pick(real=None, quick=300)
BATCH_SIZE = 100
LR = 0.001
FILTER_NUMS = [30, 10]


def load_simple_conv_net():
    """按文件路径导入 ch08_cnn/simple_conv_net.py（章节文件夹不是包）。"""
    path = REPO_ROOT / "ch08_cnn" / "simple_conv_net.py"
    spec = importlib.util.spec_from_file_location("ch08_simple_conv_net", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SimpleConvNet


def train_one(filter_num, data):
    """训练一个 filter_num 个卷积核的网络，返回参数个数、每步耗时（梯度 + Adam 更新）和测试精度。"""
    SimpleConvNet = load_simple_conv_net()
    x_train, x_test, y_train, y_test = data
    set_seed(SEED)
    network = SimpleConvNet(filter_num=filter_num, filter_init_std=0.01, dtype=np.float32)
    optimizer = Adam(lr=LR)
    total_steps = EPOCHS * int(np.ceil(len(x_train) / BATCH_SIZE))
    step, train_seconds = 0, 0.0
    for _ in range(EPOCHS):
        for x_batch, t_batch in minibatches(x_train, y_train, BATCH_SIZE):
            start = time.perf_counter()
            optimizer.lr = LR * 0.5 * (1 + np.cos(np.pi * step / total_steps))
            grads = network.gradient(x_batch, t_batch)
            optimizer.update(network.params, grads)
            train_seconds += time.perf_counter() - start
            step += 1
    return {"params": sum(p.size for p in network.params.values()), "seconds_per_step": train_seconds / step,
            "steps": step, "test_acc": network.accuracy(x_test, y_test)}


def solve():
    data = get_data("mnist", flatten=False, n_train=N_TRAIN, n_test=N_TEST)
    return {filter_num: train_one(filter_num, data) for filter_num in FILTER_NUMS}


def main():
    results = solve()
    for filter_num, r in results.items():
        print(f"filter_num={filter_num}：参数 {r['params']:,} 个，{EPOCHS} 轮 {r['steps']} 步，"
              f"每步 {r['seconds_per_step']:.4f} 秒，测试精度 {r['test_acc']:.4f}")
    few, many = results[10], results[30]
    print(f"10 个卷积核：参数是 30 个的 {few['params'] / many['params']:.3f} 倍，"
          f"每步耗时是 {few['seconds_per_step'] / many['seconds_per_step']:.2f} 倍，"
          f"测试精度差 {few['test_acc'] - many['test_acc']:+.4f}")


if __name__ == "__main__":
    main()
