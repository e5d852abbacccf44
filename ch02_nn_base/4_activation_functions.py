"""激活函数（activation function）及其导数的图像；softmax 单独用柱状图说明。

    python ch02_nn_base/4_activation_functions.py

实线是函数，虚线是导数（反向传播时，梯度要乘以激活函数的导数，见理论第 3 章 docs/03_反向传播算法.md）。
导数用解析式计算，并与数值微分（common.gradient.numerical_diff）对照，打印两者的最大差。
"""
import numpy as np

from common.cli import run
from common.functions import (identity, leaky_relu, leaky_relu_grad, relu, relu_grad, sigmoid, sigmoid_grad,
                              softmax, softplus, step_function, swish, tanh, tanh_grad)
from common.gradient import numerical_diff
from common.plotting import plt, save_figure, show

X_RANGE = (-5.0, 5.0)
LEAKY_ALPHA = 0.1  # 画图时用 0.1（默认 0.01 的斜率在图上看不出来）
SOFTMAX_SCORES = np.array([2.0, 1.0, 0.1, -1.0, 3.0])  # 给 softmax 的 5 个分数


def step_grad(x):
    """阶跃函数的导数：x ≠ 0 处为 0（x = 0 处不可导），所以无法用梯度学习。"""
    return np.zeros_like(x)


def swish_grad(x):
    """swish(x) = x * sigmoid(x) 的导数：s + x * s * (1 - s)，s = sigmoid(x)。"""
    s = sigmoid(x)
    return s + x * s * (1 - s)


def identity_grad(x):
    """恒等函数的导数恒为 1。"""
    return np.ones_like(x)


# 名称 → (函数, 导数)；softplus 的导数恰好是 sigmoid
ACTIVATIONS = {
    "阶跃函数（step）": (step_function, step_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "ReLU": (relu, relu_grad),
    f"Leaky ReLU（α = {LEAKY_ALPHA:g}）": (lambda x: leaky_relu(x, LEAKY_ALPHA),
                                          lambda x: leaky_relu_grad(x, LEAKY_ALPHA)),
    "Swish（SiLU）": (swish, swish_grad),
    "softplus": (softplus, sigmoid),
    "恒等函数（identity）": (identity, identity_grad),
}


def main():
    x = np.linspace(*X_RANGE, 1001)
    # 对照导数时避开 0 附近：阶跃、ReLU、Leaky ReLU 在 0 处不可导，数值微分在那里没有意义
    x_smooth = x[np.abs(x) > 1e-3]

    print("解析导数与数值微分的最大差（x 在 [-5, 5]，避开不可导的 x = 0）：")
    fig, axes = plt.subplots(3, 3, figsize=(13, 11))
    for ax, (name, (function, derivative)) in zip(axes.ravel(), ACTIVATIONS.items()):
        max_diff = np.abs(derivative(x_smooth) - numerical_diff(function, x_smooth)).max()
        print(f"  {name:<22s} {max_diff:.1e}")
        ax.plot(x, function(x), linewidth=2, label="函数")
        ax.plot(x, derivative(x), linestyle="--", label="导数")
        ax.axhline(0, color="gray", linewidth=0.5)
        ax.axvline(0, color="gray", linewidth=0.5)
        ax.set_title(name)
        ax.set_xlabel("x")
        ax.set_ylim(-1.5, 3)
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left")

    # softmax：作用在一组数上，输出每个数的概率（和为 1），保持大小顺序
    probabilities = softmax(SOFTMAX_SCORES)
    ax = axes[2, 2]
    positions = np.arange(len(SOFTMAX_SCORES))
    ax.bar(positions - 0.2, SOFTMAX_SCORES, width=0.4, label="输入分数")
    ax.bar(positions + 0.2, probabilities, width=0.4, label="softmax 输出（概率）")
    ax.axhline(0, color="gray", linewidth=0.5)
    ax.set_xticks(positions)
    ax.set_xticklabels([f"类别 {i}" for i in positions])
    ax.set_title("softmax：把一组分数变成概率")
    ax.legend(loc="upper left")
    fig.suptitle("激活函数（实线）与它们的导数（虚线）")
    fig.tight_layout()

    print(f"softmax({SOFTMAX_SCORES}) = {np.round(probabilities, 4)}，和为 {probabilities.sum():.4f}")
    print(f"所有分数加上 100 后 softmax 不变：{np.allclose(softmax(SOFTMAX_SCORES + 100), probabilities)}")
    save_figure(fig, "ch02_nn_base/4_activation_functions.png")
    show()


if __name__ == "__main__":
    run(main)
