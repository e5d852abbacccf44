"""第 8 章练习 4 的参考答案：8.7 节的例子把 stride=2, pad=1 换成 stride=3, pad=0，哪些行、列的 dx 恒为 0？

与 8.7 节相同的种子和形状（2 张 3 通道 6×6 的输入、4 个 3×3 卷积核），只改步幅和填充；
数出每个像素被几个窗口覆盖，再看反向传播得到的 dx 哪些行、列全为 0，并用数值微分验算 dx；
最后把输入改成 7×7 再做一次。

    python ch08_cnn/solutions/ex8_4_stride3_dx.py
"""
import numpy as np

from common.gradient import numerical_gradient
from common.layers import Convolution
from common.seed import set_seed
from common.util import conv_output_size


def coverage(size, filter_size, stride, pad):
    """一维上每个（未填充的）位置被几个窗口覆盖。"""
    count = np.zeros(size + 2 * pad, dtype=int)
    for start in range(0, conv_output_size(size, filter_size, stride, pad) * stride, stride):
        count[start:start + filter_size] += 1
    return count[pad:pad + size]


def solve(stride=3, pad=0, size=6):
    set_seed(0)
    x = np.random.randn(2, 3, size, size)
    conv = Convolution(np.random.randn(4, 3, 3, 3), np.random.randn(4), stride=stride, pad=pad)
    dout = np.random.randn(*conv.forward(x).shape)
    conv.forward(x)
    dx = conv.backward(dout)
    numerical = numerical_gradient(lambda _: np.sum(conv.forward(x) * dout), x)
    zero_rows = [i for i in range(size) if np.all(dx[:, :, i, :] == 0)]
    zero_cols = [j for j in range(size) if np.all(dx[:, :, :, j] == 0)]
    return {"out_size": dout.shape[-1], "coverage": coverage(size, 3, stride, pad).tolist(),
            "zero_rows": zero_rows, "zero_cols": zero_cols, "error": float(np.max(np.abs(dx - numerical)))}


def main():
    for stride, pad, size in [(2, 1, 6), (3, 0, 6), (3, 0, 7)]:
        r = solve(stride, pad, size)
        print(f"{size}×{size} 输入，stride={stride}, pad={pad}：输出 {r['out_size']}×{r['out_size']}，"
              f"每行（列）被几个窗口覆盖 {r['coverage']}，dx 全为 0 的行 {r['zero_rows']}、列 {r['zero_cols']}，"
              f"与数值梯度的最大差 {r['error']:.1e}")


if __name__ == "__main__":
    main()
