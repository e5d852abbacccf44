"""第 3 章练习 2 的参考答案：除法层 z = x / y 的正向与反向传播，用数值微分检验。

运行：python ch04_backward/solutions/ex3_2_div_layer.py
"""
from common.gradient import numerical_diff


class DivLayer:
    """除法节点 z = x / y。局部导数：∂z/∂x = 1/y，∂z/∂y = -x/y²。"""

    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        self.x = x
        self.y = y
        return x / y

    def backward(self, dout):
        dx = dout / self.y
        dy = -dout * self.x / self.y ** 2
        return dx, dy


def solve():
    x, y, dout = 3.0, 2.0, 1.5  # dout：假装上游传来的梯度
    layer = DivLayer()
    z = layer.forward(x, y)
    dx, dy = layer.backward(dout)
    # 数值微分：分别固定 y、固定 x，求 z 对另一个的导数，再乘上游梯度（链式法则）
    dx_numerical = dout * numerical_diff(lambda value: value / y, x)
    dy_numerical = dout * numerical_diff(lambda value: x / value, y)
    return {"z": z, "dx": dx, "dy": dy, "dx_numerical": dx_numerical, "dy_numerical": dy_numerical}


def main():
    results = solve()
    print(f"z = 3 / 2 = {results['z']}")
    print(f"反向传播：dx = {results['dx']:.6f}，dy = {results['dy']:.6f}")
    print(f"数值微分：dx = {results['dx_numerical']:.6f}，dy = {results['dy_numerical']:.6f}")


if __name__ == "__main__":
    main()
