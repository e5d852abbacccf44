"""三层神经网络的正向传播（forward propagation）：输入 2 个数 → 3 个神经元 → 2 个神经元 → 输出 2 个数。

    python ch02_nn_base/1_simple_network.py

每一层做两件事：先算加权和 a = x @ W + b（矩阵乘法一次算完整层的所有神经元），
再经过激活函数 z = h(a)。隐藏层用 sigmoid；输出层的激活函数按问题选择：
回归用恒等函数（原样输出），分类用 softmax（输出变成和为 1 的概率）。
权重是手写的小数字，只为看清信号怎样一层层传下去（理论第 2 章 docs/02_神经网络的学习.md 才讲怎样学出权重）。
"""
import numpy as np

from common.cli import run
from common.functions import identity, sigmoid, softmax


def init_network():
    """返回参数字典：W1 (2, 3)、b1 (3,)、W2 (3, 2)、b2 (2,)、W3 (2, 2)、b3 (2,)。"""
    return {
        "W1": np.array([[0.2, -0.1, 0.4],
                        [0.5, 0.3, -0.2]]),
        "b1": np.array([0.1, 0.0, -0.1]),
        "W2": np.array([[0.3, -0.4],
                        [0.6, 0.2],
                        [-0.1, 0.5]]),
        "b2": np.array([0.0, 0.1]),
        "W3": np.array([[0.7, -0.3],
                        [-0.2, 0.8]]),
        "b3": np.array([0.05, -0.05]),
    }


def forward(network, x, output_function, verbose=False):
    """正向传播：x (2,) → 输出 (2,)。output_function 是输出层的激活函数（identity 或 softmax）。"""
    W1, W2, W3 = network["W1"], network["W2"], network["W3"]
    b1, b2, b3 = network["b1"], network["b2"], network["b3"]
    a1 = x @ W1 + b1  # (2,) @ (2, 3) + (3,) → (3,)
    z1 = sigmoid(a1)
    a2 = z1 @ W2 + b2  # (3,) @ (3, 2) + (2,) → (2,)
    z2 = sigmoid(a2)
    a3 = z2 @ W3 + b3  # (2,) @ (2, 2) + (2,) → (2,)
    y = output_function(a3)
    if verbose:
        for name, value in (("输入 x", x), ("第 1 层 a1 = x @ W1 + b1", a1), ("第 1 层 z1 = sigmoid(a1)", z1),
                            ("第 2 层 a2 = z1 @ W2 + b2", a2), ("第 2 层 z2 = sigmoid(a2)", z2),
                            ("输出层 a3 = z2 @ W3 + b3", a3)):
            print(f"  {name:<26s} 形状 {str(value.shape):6s} {np.round(value, 4)}")
    return y


def main():
    network = init_network()
    x = np.array([1.0, 0.5])

    print("各层的参数形状：", {key: value.shape for key, value in network.items()})
    print("正向传播（每层的加权和 a 与激活值 z）：")
    y_identity = forward(network, x, identity, verbose=True)
    y_softmax = forward(network, x, softmax)
    print(f"输出层用恒等函数（回归）：y = {np.round(y_identity, 4)}")
    print(f"输出层用 softmax（分类）：  y = {np.round(y_softmax, 4)}，和为 {y_softmax.sum():.4f}，"
          f"最大的是第 {int(np.argmax(y_softmax))} 个——softmax 不改变大小顺序")


if __name__ == "__main__":
    run(main)
