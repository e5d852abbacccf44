"""神经网络的梯度：损失函数对权重 W 的偏导数，用数值微分求出。

    python ch03_train/2_simple_net_grad.py

一个最小的网络：输入 2 个数，权重 W 是 2×3 的矩阵（没有偏置、没有隐藏层），
输出 3 个分数，经 softmax 变成概率，再与正确答案算交叉熵误差。
梯度 dW 与 W 形状相同：dW[i, j] 表示 W[i, j] 稍微增大时损失增加多少。
"""
import numpy as np

from common.cli import run
from common.functions import cross_entropy, softmax
from common.gradient import numerical_gradient
from common.seed import set_seed

SEED = 42


class SimpleNet:
    """输入 (2,) → 分数 (3,) 的单层网络，参数 W: (2, 3)，权重用 np.random 按标准正态分布抽取。"""

    def __init__(self):
        self.W = np.random.randn(2, 3)

    def predict(self, x):
        """x: (2,)；返回 (3,) 的分数。"""
        return x @ self.W

    def loss(self, x, t):
        """x: (2,)；t: (3,) 的 one-hot 正确答案。返回交叉熵误差（float）。"""
        return cross_entropy(softmax(self.predict(x)), t)


def main():
    set_seed(SEED)
    net = SimpleNet()
    x = np.array([0.6, 0.9])
    t = np.array([0, 0, 1])  # 正确答案是第 2 类（从 0 数起）

    scores = net.predict(x)
    print("权重 W =\n", np.round(net.W, 4))
    print("分数 x @ W =", np.round(scores, 4), "→ 预测类别", int(np.argmax(scores)), "（正确类别 2）")
    print("softmax 概率 =", np.round(softmax(scores), 4))
    print(f"损失 = {net.loss(x, t):.4f}")

    # numerical_gradient 逐个扰动 net.W 的元素；损失函数通过 net 读到被扰动的 W，所以可以忽略参数
    loss_of_W = lambda W: net.loss(x, t)  # noqa: E731
    dW = numerical_gradient(loss_of_W, net.W)
    print("梯度 dW =\n", np.round(dW, 4))
    print("解读：dW 为正的元素应减小、为负的应增大，损失才会下降；"
          "最后一列（正确类别 2）的梯度为负——增大正确类别的分数能降低损失。")

    # 对照：这个网络的梯度有解析式 dW = x 的列向量 × (softmax 概率 - t) 的行向量（理论第 3 章推导）
    dW_exact = np.outer(x, softmax(scores) - t)
    print(f"与解析梯度的最大差 = {np.abs(dW - dW_exact).max():.1e}"
          "（交叉熵里防止 log(0) 的 1e-7 也会带来 1e-7 量级的差别）")


if __name__ == "__main__":
    run(main)
