"""第 8 章练习 1 的参考答案：32×32 的输入经过 LeNet-5 原版的两组“5×5 卷积 → 2×2 池化”后是多大？

每一步用 8.3 节的公式 floor((H + 2P - F) / S) + 1 算，再与 common.util.conv_output_size、
以及 common.layers 的 Convolution / Pooling 真正算出的输出形状对照。

    python ch08_cnn/solutions/ex8_1_lenet_sizes.py
"""
import numpy as np

from common.layers import Convolution, Pooling
from common.util import conv_output_size

# (名称, 卷积核或窗口边长, 步幅, 填充)：LeNet-5 原版，不填充
STEPS = [("5×5 卷积", 5, 1, 0), ("2×2 池化", 2, 2, 0), ("5×5 卷积", 5, 1, 0), ("2×2 池化", 2, 2, 0)]


def by_formula(size, filter_size, stride, pad):
    return (size + 2 * pad - filter_size) // stride + 1


def solve(size=32):
    """返回 [(名称, 输入边长, 公式的结果, conv_output_size 的结果, 层真正输出的边长)]。"""
    x = np.zeros((1, 1, size, size))
    rows = []
    for name, filter_size, stride, pad in STEPS:
        if "卷积" in name:
            layer = Convolution(np.zeros((1, 1, filter_size, filter_size)), np.zeros(1), stride=stride, pad=pad)
        else:
            layer = Pooling(filter_size, filter_size, stride=stride, pad=pad)
        y = layer.forward(x)
        rows.append((name, size, by_formula(size, filter_size, stride, pad),
                     conv_output_size(size, filter_size, stride, pad), y.shape[-1]))
        size, x = y.shape[-1], y
    return rows


def main():
    for name, size, formula, util, layer_size in solve():
        print(f"{name}：输入 {size}×{size} → 公式 {formula}，conv_output_size {util}，层的输出 {layer_size}")


if __name__ == "__main__":
    main()
