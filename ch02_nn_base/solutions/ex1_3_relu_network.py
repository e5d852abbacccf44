"""第 1 章练习 3 的参考答案：1.5 节的小网络把 sigmoid 换成 relu；全 0 输入的输出只由偏置（和后两层的权重）决定。

运行：python ch02_nn_base/solutions/ex1_3_relu_network.py
"""
import numpy as np

from common.functions import identity, relu, sigmoid


def init_network():
    """与 1.5 节相同的 2 → 3 → 2 → 2 小网络。"""
    return {
        "W1": np.array([[0.2, -0.4, 0.7], [0.5, 0.1, -0.3]]),
        "b1": np.array([0.1, -0.1, 0.2]),
        "W2": np.array([[0.3, -0.6], [0.8, 0.2], [-0.5, 0.4]]),
        "b2": np.array([0.0, 0.1]),
        "W3": np.array([[0.6, -0.2], [-0.1, 0.9]]),
        "b3": np.array([0.05, -0.05]),
    }


def forward(network, x, h):
    """与 1.5 节相同，只是隐藏层的激活函数 h 可以换。x: (N, 2)；返回 (N, 2)。"""
    z1 = h(x @ network["W1"] + network["b1"])
    z2 = h(z1 @ network["W2"] + network["b2"])
    return identity(z2 @ network["W3"] + network["b3"])


def solve():
    network = init_network()
    batch = np.array([[1.0, 0.5], [0.0, 0.0], [-1.0, 2.0]])
    y_relu = forward(network, batch, relu)
    # 输入全为 0 时 X W1 = 0，第 1 层的加权和就是 b1：输出 = h(h(b1) W2 + b2) W3 + b3，与 W1 无关
    from_biases = relu(relu(network["b1"]) @ network["W2"] + network["b2"]) @ network["W3"] + network["b3"]
    changed = init_network()
    changed["W1"] = np.random.default_rng(0).normal(size=(2, 3))  # 随便换一个 W1
    return {"relu": y_relu, "sigmoid": forward(network, batch, sigmoid), "from_biases": from_biases,
            "row0_with_other_W1": forward(changed, batch, relu)[1]}


def main():
    results = solve()
    with np.printoptions(precision=4, suppress=True):  # 只在这里改打印格式，不影响别处
        print("relu 网络的输出：\n", results["relu"])
        print("sigmoid 网络的输出（对照）：\n", results["sigmoid"])
        print("只用偏置算出的 h(h(b1) W2 + b2) W3 + b3：", results["from_biases"])
        print("换一个 W1 后第二行的输出：", results["row0_with_other_W1"])


if __name__ == "__main__":
    main()
