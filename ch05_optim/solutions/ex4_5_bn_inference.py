"""第 4 章练习 5 的参考答案：批归一化层在推理模式（train_flg=False）下的输出。

与 4.5 节相同的数据；推理模式用的是滑动平均 running_mean、running_var，而不是这一批的均值和方差。
运行：python ch05_optim/solutions/ex4_5_bn_inference.py
"""
import numpy as np

from common.layers import BatchNormalization
from common.seed import set_seed


def column_stats(y):
    """每列的均值与方差中最大、最小的值（4 列的概况）。"""
    mean, var = y.mean(axis=0), y.var(axis=0)
    return float(mean.min()), float(mean.max()), float(var.min()), float(var.max())


def solve():
    set_seed(0)
    x = np.random.randn(6, 4) * 5 + 3
    results = {}
    bn = BatchNormalization(gamma=np.ones(4), beta=np.zeros(4))
    results["推理模式，未训练过"] = column_stats(bn.forward(x, train_flg=False))  # running_mean = 0，running_var = 1
    for _ in range(100):  # 在同一批上做 100 次训练模式的正向传播，滑动平均逐渐接近这一批的统计量
        bn.forward(x, train_flg=True)
    results["推理模式，训练 100 次之后"] = column_stats(bn.forward(x, train_flg=False))
    results["训练模式（对照）"] = column_stats(bn.forward(x, train_flg=True))
    return results


def main():
    for name, (mean_min, mean_max, var_min, var_max) in solve().items():
        print(f"{name}：各列均值 {mean_min:.3f}～{mean_max:.3f}，各列方差 {var_min:.3f}～{var_max:.3f}")


if __name__ == "__main__":
    main()
