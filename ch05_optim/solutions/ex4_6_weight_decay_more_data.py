"""第 4 章练习 6 的参考答案：训练样本从 300 个增加到 1000 个，过拟合和权重衰减的效果怎样变化？

与 ch05_optim/4_weight_decay.py 相同的做法（同一个种子 42、7 层网络、SGD 学习率 0.05、200 轮、
λ 取 0～0.1 的 6 个值、从训练样本以外抽 5000 个做验证集），只是训练样本数分别取 300 和 1000，
在同一次运行里比较。

运行：python ch05_optim/solutions/ex4_6_weight_decay_more_data.py        （完整设置，2 核 CPU 上用 1 个线程约 6 分钟）
     DL_QUICK=1 python ch05_optim/solutions/ex4_6_weight_decay_more_data.py （1500 个样本、10 轮、λ 只取 0 和 0.01，几秒钟）
"""
import numpy as np

from common.load_data import get_data
from common.multi_layer_net import MultiLayerNet
from common.optimizer import SGD
from common.quick import pick
from common.seed import set_seed
from common.trainer import train_network

SEED = 42
LEARNING_RATE = 0.05
TRAIN_SIZES = [300, 1000]
DATA_SIZE = pick(real=None, quick=1500)  # 读入的训练数据：None 表示全部 60000 个，训练样本之外的部分用来抽验证集
VALIDATION_SIZE = pick(real=5000, quick=500)
TEST_SIZE = pick(real=None, quick=500)
HIDDEN_SIZES = [100, 100, 100, 100, 100, 100]
BATCH_SIZE = 100
EPOCHS = pick(real=200, quick=10)
WEIGHT_DECAY_LAMBDAS = pick(real=[0.0, 0.001, 0.003, 0.01, 0.03, 0.1], quick=[0.0, 0.01])


def weight_decay_experiment(train_size):
    """用前 train_size 个训练样本，对每个 λ 训练一次；返回 [{λ, train_acc, val_acc, test_acc, gap}]。"""
    rng = set_seed(SEED)  # rng：专门用于抽取验证集（与 4_weight_decay.py 的顺序相同）
    x_all, x_test, t_all, t_test = get_data("mnist", n_train=DATA_SIZE, n_test=TEST_SIZE)
    x_train, t_train = x_all[:train_size], t_all[:train_size]
    validation_index = train_size + rng.permutation(len(x_all) - train_size)[:VALIDATION_SIZE]
    x_val, t_val = x_all[validation_index], t_all[validation_index]
    results = []
    for weight_decay_lambda in WEIGHT_DECAY_LAMBDAS:
        set_seed(SEED)  # 每个 λ 都从相同的初始权重、相同的小批量顺序出发
        network = MultiLayerNet(784, HIDDEN_SIZES, 10, activation="relu", weight_init_std="he",
                                weight_decay_lambda=weight_decay_lambda)
        history = train_network(network, SGD(lr=LEARNING_RATE), x_train, t_train, x_test, t_test,
                                epochs=EPOCHS, batch_size=BATCH_SIZE, progress=False)
        train_acc, test_acc = history["train_acc_list"][-1], history["test_acc_list"][-1]
        results.append({"lambda": weight_decay_lambda, "train_acc": train_acc,
                        "val_acc": network.accuracy(x_val, t_val), "test_acc": test_acc,
                        "gap": train_acc - test_acc})
    return results


def solve():
    """返回 {训练样本数: {"results": [...], "best": 验证精度最高的那一项}}。"""
    summary = {}
    for train_size in TRAIN_SIZES:
        results = weight_decay_experiment(train_size)
        best = results[int(np.argmax([result["val_acc"] for result in results]))]  # 只按验证精度挑 λ
        summary[train_size] = {"results": results, "best": best}
    return summary


def main():
    summary = solve()
    for train_size, item in summary.items():
        print(f"训练样本 {train_size} 个（{EPOCHS} 轮）：")
        for result in item["results"]:
            print(f"  λ={result['lambda']:<6g} 训练精度 {result['train_acc']:.4f}  验证精度 {result['val_acc']:.4f}  "
                  f"测试精度 {result['test_acc']:.4f}  差距 {result['gap']:.4f}")
        plain, best = item["results"][0], item["best"]
        print(f"  验证集选出 λ={best['lambda']:g}：测试精度 {plain['test_acc']:.4f} → {best['test_acc']:.4f}"
              f"（提高 {100 * (best['test_acc'] - plain['test_acc']):.2f} 个百分点）")


if __name__ == "__main__":
    main()
