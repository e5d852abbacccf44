"""第 3 章练习 5 的参考答案：Tanh 层的正向与反向传播，以及梯度检验。

运行：python ch04_backward/solutions/ex3_5_tanh_layer.py
"""
import numpy as np

from common.gradient import numerical_gradient
from common.seed import set_seed


class Tanh:
    """Tanh 层：out = tanh(x)。与 Sigmoid 层一样，反向传播只用保存的输出。"""

    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout):
        return dout * (1 - self.out ** 2)  # tanh'(x) = 1 - tanh²(x)


def solve():
    set_seed(0)
    x = np.random.randn(4, 3)
    dout = np.random.randn(4, 3)  # 上游梯度
    layer = Tanh()
    layer.forward(x)
    dx = layer.backward(dout)
    numerical = numerical_gradient(lambda _: np.sum(layer.forward(x) * dout), x)
    return {"max_error": float(np.max(np.abs(dx - numerical)))}


def main():
    print(f"Tanh 层的 dx 与数值梯度的最大差：{solve()['max_error']:.0e}")


if __name__ == "__main__":
    main()
