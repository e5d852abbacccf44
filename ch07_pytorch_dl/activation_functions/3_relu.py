"""ReLU：torch.relu 与它的导数（autograd 求出）；与公式、与 common.functions 逐点相同；不饱和，但会“死亡”。

    python ch07_pytorch_dl/activation_functions/3_relu.py

ReLU(x) = max(0, x)，导数在 x > 0 时为 1、x < 0 时为 0；x = 0 处不可导，torch 规定取 0（common 也一样）。
正半轴导数恒为 1，梯度穿过多少层都不会缩小（不饱和）；但输入总是负数的神经元梯度恒为 0，再也学不动（“死亡 ReLU”）。
"""
import numpy as np
import torch

from common.cli import run
from common.functions import leaky_relu_grad, relu, relu_grad
from common.paths import save_json
from common.plotting import save_figure, show
from common.seed import set_seed
from compare import GRID, assert_close, autograd_derivative, parse_args, plot_function_and_derivative


def main():
    args = parse_args("torch.relu、Leaky ReLU 与 autograd 导数对照 common.functions；死亡 ReLU", seed=0)
    y, dy = autograd_derivative(torch.relu, GRID)
    print(f"在 [-6, 6] 上 {len(GRID)} 个点（float64，含 x = 0）对照：")
    assert_close("autograd 的导数 = (x > 0)", dy, (GRID > 0).astype(np.float64))
    assert_close("torch.relu = common.functions.relu", y, relu(GRID))
    assert_close("autograd 的导数 = common.functions.relu_grad", dy, relu_grad(GRID))
    _, leaky_dy = autograd_derivative(torch.nn.functional.leaky_relu, GRID)  # 负半轴斜率 0.01
    assert_close("Leaky ReLU 的 autograd 导数 = common.functions.leaky_relu_grad", leaky_dy, leaky_relu_grad(GRID))
    print(f"  x = 0 处 autograd 给出的导数：{dy[np.argmin(np.abs(GRID))]:g}")

    # 不饱和：串起 5 个 ReLU，x > 0 时导数仍是 1
    x = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
    h = x
    for _ in range(5):
        h = torch.relu(h)
    h.backward()
    print(f"5 个 ReLU 串起来，x = 3 处的导数：{x.grad.item():g}（sigmoid 串 5 个最多 0.25^5 ≈ 0.001）")

    # “死亡”：偏置很负的神经元对几乎所有输入都输出 0，梯度也是 0
    set_seed(args.seed)
    inputs = torch.randn(1000, 10, dtype=torch.float64)
    layer = torch.nn.Linear(10, 4).double()
    with torch.no_grad():
        layer.bias.copy_(torch.tensor([0.0, 0.0, -5.0, -10.0], dtype=torch.float64))
    out = torch.relu(layer(inputs))
    out.sum().backward()
    active = (out > 0).double().mean(dim=0)
    print("4 个神经元（偏置 0、0、-5、-10）在 1000 个输入上处于激活状态的比例：" + "、".join(f"{a:.3f}" for a in active)
          + "；各自偏置的梯度：" + "、".join(f"{g:.0f}" for g in layer.bias.grad))

    fig = plot_function_and_derivative(GRID, y, dy, "ReLU", "max(0, x)", "x > 0 时为 1，否则为 0")
    save_figure(fig, "ch07_pytorch_dl/activation_3_relu.png")
    save_json("ch07_pytorch_dl/activation_3_relu.json", {
        "five_layer_grad": x.grad.item(), "active_fraction": active.tolist(), "bias_grad": layer.bias.grad.tolist()})
    print("完成：torch.relu 及其 autograd 导数与公式、common.functions 一致")
    show()


if __name__ == "__main__":
    run(main)
