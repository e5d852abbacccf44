"""第 8 章练习 5 的参考答案：SimpleConvNet 的卷积核个数从 30 改成 10，每步耗时和测试精度怎样变化？

与 5_simple_convnet_numpy.py 相同的网络、初始值（卷积核 N(0, 0.01²)，全连接层 He）、Adam、余弦学习率、
批量大小 100、float32 和种子，只改 filter_num。完整的 20 轮要两个 4 分钟，这里只训练 EPOCHS 轮（题目改写为较短的版本），
两种设置用同样的轮数，比较的是同一预算下的差别。

每步耗时不从两次训练里量：两次训练一前一后，机器忙闲不同就没法比。训练完以后，脚本在同一个进程里让两种网络
交替地各走 TIMING_STEPS 步（梯度 + Adam 更新），重复 TIMING_ROUNDS 轮，取每步耗时的中位数。

    python ch08_cnn/solutions/ex8_5_filter_num.py            # 完整 MNIST、1 轮，再交替计时
    DL_QUICK=1 python ch08_cnn/solutions/ex8_5_filter_num.py # 1,000 张训练、300 张测试、1 轮，几秒钟
"""
import statistics
import time

import numpy as np

from common.chapters import load
from common.load_data import get_data
from common.optimizer import Adam
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
TIMING_ROUNDS = pick(real=6, quick=2)  # 交替计时的轮数：每轮两种网络各走 TIMING_STEPS 步
TIMING_STEPS = pick(real=20, quick=2)


def train_one(filter_num, data):
    """训练一个 filter_num 个卷积核的网络，返回参数个数、步数和测试精度。"""
    SimpleConvNet = load("ch08_cnn/simple_conv_net.py").SimpleConvNet
    x_train, x_test, y_train, y_test = data
    set_seed(SEED)
    network = SimpleConvNet(filter_num=filter_num, filter_init_std=0.01, dtype=np.float32)
    optimizer = Adam(lr=LR)
    total_steps = EPOCHS * int(np.ceil(len(x_train) / BATCH_SIZE))
    step = 0
    for _ in range(EPOCHS):
        for x_batch, t_batch in minibatches(x_train, y_train, BATCH_SIZE):
            optimizer.lr = LR * 0.5 * (1 + np.cos(np.pi * step / total_steps))
            grads = network.gradient(x_batch, t_batch)
            optimizer.update(network.params, grads)
            step += 1
    return {"params": sum(p.size for p in network.params.values()), "steps": step,
            "test_acc": network.accuracy(x_test, y_test)}


def time_alternately(data):
    """两种网络在同一个进程里交替计时：返回 {filter_num: 每步耗时（秒，TIMING_ROUNDS 轮的中位数）}。

    每步与训练时相同（梯度 + Adam 更新）；每轮两种网络用同样的 TIMING_STEPS 个小批量，机器忙闲的变化对两者的影响相同。
    """
    SimpleConvNet = load("ch08_cnn/simple_conv_net.py").SimpleConvNet
    x_train, _, y_train, _ = data
    batches = list(minibatches(x_train, y_train, BATCH_SIZE))
    networks, optimizers, seconds = {}, {}, {filter_num: [] for filter_num in FILTER_NUMS}
    for filter_num in FILTER_NUMS:
        set_seed(SEED)
        networks[filter_num] = SimpleConvNet(filter_num=filter_num, filter_init_std=0.01, dtype=np.float32)
        optimizers[filter_num] = Adam(lr=LR)
    for round_ in range(TIMING_ROUNDS):
        chunk = [batches[(round_ * TIMING_STEPS + i) % len(batches)] for i in range(TIMING_STEPS)]
        for filter_num in FILTER_NUMS:
            start = time.perf_counter()
            for x_batch, t_batch in chunk:
                grads = networks[filter_num].gradient(x_batch, t_batch)
                optimizers[filter_num].update(networks[filter_num].params, grads)
            seconds[filter_num].append((time.perf_counter() - start) / TIMING_STEPS)
    return {filter_num: statistics.median(times) for filter_num, times in seconds.items()}


def solve():
    data = get_data("mnist", flatten=False, n_train=N_TRAIN, n_test=N_TEST)
    results = {filter_num: train_one(filter_num, data) for filter_num in FILTER_NUMS}
    for filter_num, seconds in time_alternately(data).items():
        results[filter_num]["seconds_per_step"] = seconds
    return results


def main():
    results = solve()
    for filter_num, r in results.items():
        print(f"filter_num={filter_num}：参数 {r['params']:,} 个，{EPOCHS} 轮 {r['steps']} 步，测试精度 {r['test_acc']:.4f}")
    print(f"每步耗时（梯度 + Adam 更新；两种网络交替各走 {TIMING_STEPS} 步，{TIMING_ROUNDS} 轮的中位数）："
          + "，".join(f"filter_num={n} {r['seconds_per_step']:.4f} 秒" for n, r in results.items()))
    few, many = results[10], results[30]
    print(f"10 个卷积核：参数是 30 个的 {few['params'] / many['params']:.3f} 倍，"
          f"每步耗时是 {few['seconds_per_step'] / many['seconds_per_step']:.2f} 倍，"
          f"测试精度差 {few['test_acc'] - many['test_acc']:+.4f}")


if __name__ == "__main__":
    main()
