"""Sigmoid：torch.sigmoid 与它的导数（autograd 求出）；与公式、与 common.functions 逐点相同；饱和时梯度消失。

    python ch07_pytorch_dl/activation_functions/1_sigmoid.py

σ(x) = 1 / (1 + e^(-x))，σ'(x) = σ(x)(1 - σ(x))，最大值 σ'(0) = 0.25。
|x| 大时 σ 贴近 0 或 1（饱和），导数趋于 0：反向传播经过一层 sigmoid，梯度至少缩小到 1/4。
"""
import numpy as np
import torch

from common.cli import run
from common.functions import sigmoid, sigmoid_grad
from common.paths import save_json
from common.plotting import save_figure, show
from compare import GRID, assert_close, autograd_derivative, parse_args, plot_function_and_derivative


def main():
    parse_args("torch.sigmoid 与 autograd 导数对照公式和 common.functions")
    y, dy = autograd_derivative(torch.sigmoid, GRID)
    print(f"在 [-6, 6] 上 {len(GRID)} 个点（float64）对照：")
    assert_close("autograd 的导数 = σ(x)(1 - σ(x))", dy, y * (1 - y))
    assert_close("torch.sigmoid = common.functions.sigmoid", y, sigmoid(GRID))
    assert_close("autograd 的导数 = common.functions.sigmoid_grad", dy, sigmoid_grad(GRID))

    # 饱和：输入越大，导数越小
    probe = np.array([0.0, 2.0, 5.0, 10.0, 20.0])
    _, probe_grad = autograd_derivative(torch.sigmoid, probe)
    print("饱和：σ'(x) 在 x = " + "、".join(f"{p:g}" for p in probe) + " 处为 "
          + "、".join(f"{g:.2e}" for g in probe_grad))
    # 梯度连续经过 5 层 sigmoid：每层至多乘 0.25
    x = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    h = x
    for _ in range(5):
        h = torch.sigmoid(h)
    h.backward()
    print(f"把 5 个 sigmoid 串起来（从 x = 0 出发），autograd 求出的导数为 {x.grad.item():.2e}"
          f"（上界 0.25^5 = {0.25 ** 5:.2e}）：这就是深层 sigmoid 网络的梯度消失")
    assert x.grad.item() <= 0.25 ** 5

    fig = plot_function_and_derivative(GRID, y, dy, "Sigmoid", "$\\sigma(x) = 1 / (1 + e^{-x})$", "σ(x)(1 - σ(x))，最大 0.25")
    save_figure(fig, "ch07_pytorch_dl/activation_1_sigmoid.png")
    save_json("ch07_pytorch_dl/activation_1_sigmoid.json", {
        "probe_x": probe.tolist(), "probe_grad": probe_grad.tolist(), "five_layer_grad": x.grad.item()})
    print("完成：torch.sigmoid 及其 autograd 导数与公式、common.functions 一致")
    show()


if __name__ == "__main__":
    run(main)
