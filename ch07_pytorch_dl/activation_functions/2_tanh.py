"""Tanh：torch.tanh 与它的导数（autograd 求出）；与公式、与 common.functions 逐点相同；饱和时梯度消失。

    python ch07_pytorch_dl/activation_functions/2_tanh.py

tanh(x) = (e^x - e^(-x)) / (e^x + e^(-x)) = 2σ(2x) - 1，tanh'(x) = 1 - tanh²(x)，最大值 tanh'(0) = 1。
输出以 0 为中心（sigmoid 的输出总是正数），x = 0 附近梯度是 sigmoid 的 4 倍，但 |x| 大时同样饱和。
"""
import numpy as np
import torch

from common.cli import run
from common.functions import sigmoid, tanh, tanh_grad
from common.paths import save_json
from common.plotting import save_figure, show
from compare import GRID, assert_close, autograd_derivative, parse_args, plot_function_and_derivative


def main():
    parse_args("torch.tanh 与 autograd 导数对照公式和 common.functions")
    y, dy = autograd_derivative(torch.tanh, GRID)
    print(f"在 [-6, 6] 上 {len(GRID)} 个点（float64）对照：")
    assert_close("autograd 的导数 = 1 - tanh²(x)", dy, 1 - y * y)
    assert_close("torch.tanh = common.functions.tanh", y, tanh(GRID))
    assert_close("autograd 的导数 = common.functions.tanh_grad", dy, tanh_grad(GRID))
    # 与 sigmoid 的关系：tanh(x) = 2σ(2x) - 1（两种算法舍入不同，差在 1e-15 量级，这里放宽到 1e-12）
    np.testing.assert_allclose(y, 2 * sigmoid(2 * GRID) - 1, atol=1e-12)
    print("  tanh(x) = 2σ(2x) - 1（断言通过）")

    probe = np.array([0.0, 1.0, 3.0, 5.0, 10.0])
    _, probe_grad = autograd_derivative(torch.tanh, probe)
    print("饱和：tanh'(x) 在 x = " + "、".join(f"{p:g}" for p in probe) + " 处为 "
          + "、".join(f"{g:.2e}" for g in probe_grad))

    fig = plot_function_and_derivative(GRID, y, dy, "Tanh", "tanh(x)，取值 (-1, 1)", "1 - tanh²(x)，最大 1")
    save_figure(fig, "ch07_pytorch_dl/activation_2_tanh.png")
    save_json("ch07_pytorch_dl/activation_2_tanh.json", {"probe_x": probe.tolist(), "probe_grad": probe_grad.tolist()})
    print("完成：torch.tanh 及其 autograd 导数与公式、common.functions 一致")
    show()


if __name__ == "__main__":
    run(main)
