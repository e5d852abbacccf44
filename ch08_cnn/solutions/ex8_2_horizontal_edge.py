"""第 8 章练习 2 的参考答案：8.2 节的例子换成“横边”卷积核（上一行 1、下一行 −1）。

题目没有说卷积核多大，这里与 8.2 节的竖边核对应，取 3×3：第一行全是 1、第二行全是 0、第三行全是 −1
（竖边核转置过来）。每个输出 = 窗口第一行之和 − 窗口第三行之和。先按这个式子手算，再用 common.layers.Convolution 算。

    python ch08_cnn/solutions/ex8_2_horizontal_edge.py
"""
import numpy as np

from common.layers import Convolution

X = np.array([[1, 0, 2, 1],
              [0, 1, 3, 0],
              [2, 1, 0, 1],
              [1, 0, 1, 2]], dtype=np.float64)
HORIZONTAL = np.array([[1, 1, 1],
                       [0, 0, 0],
                       [-1, -1, -1]], dtype=np.float64)


def by_hand(x, size=3):
    """“窗口第一行之和 − 窗口最后一行之和”，逐个窗口算。"""
    out = x.shape[0] - size + 1
    return np.array([[x[i, j:j + size].sum() - x[i + size - 1, j:j + size].sum() for j in range(out)]
                     for i in range(out)])


def solve():
    layer = Convolution(HORIZONTAL.reshape(1, 1, 3, 3), np.zeros(1), stride=1, pad=0)
    return {"by_hand": by_hand(X), "convolution": layer.forward(X.reshape(1, 1, 4, 4))[0, 0]}


def main():
    results = solve()
    print("手算（第一行之和 − 第三行之和）：", results["by_hand"].astype(int).tolist())
    print("Convolution 的输出：", results["convolution"].astype(int).tolist())
    print("两者相同：", "是" if np.array_equal(results["by_hand"], results["convolution"]) else "否")


if __name__ == "__main__":
    main()
