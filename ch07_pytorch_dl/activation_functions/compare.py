"""激活函数脚本共用的小工具：用 autograd 求导数、与公式和 common.functions 对照、画“函数 | 导数”两幅图。

对照在 float64 下进行：torch 与 NumPy 的 exp/tanh 实现不同，同一输入的结果可能差最后一两位（约 1e-16），
所以断言用 rtol=1e-12、atol=1e-15：舍入误差远小于它，而公式写错（如把 σ(1-σ) 写成 σ(1+σ)）会差出数量级。
parse_args 是三个激活函数脚本共同的命令行：计算都在 CPU 上用 float64 做，没有要调的选项，
但不认识的参数（如 --device cuda）会被 argparse 拒绝，而不是悄悄忽略。
"""
import numpy as np
import torch

from common.cli import script_parser
from common.plotting import plt

GRID = np.linspace(-6.0, 6.0, 1201)  # 步长 0.01，包含 0
RTOL, ATOL = 1e-12, 1e-15


def parse_args(description, seed=None):
    """只有 --help 的命令行；seed 不为 None 时加一个 --seed 选项（默认值为 seed）。"""
    return script_parser(f"{description}（在 CPU 上用 float64 计算）", seed=seed).parse_args()


def autograd_derivative(torch_function, x):
    """用 autograd 求逐元素函数在每个 x 处的导数。

    y = f(x) 的每个元素只依赖 x 的同一个元素，所以 y.sum() 对 x 的梯度就是每一点的导数 f'(x)。
    返回 (f(x), f'(x))，都是 float64 的 NumPy 数组。
    """
    x_tensor = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = torch_function(x_tensor)
    y.sum().backward()
    return y.detach().numpy(), x_tensor.grad.numpy()


def assert_close(name, actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL, err_msg=name)
    print(f"  {name}：最大差别 {np.max(np.abs(actual - expected)):.1e}（断言通过）")


def plot_function_and_derivative(x, y, dy, name, formula, derivative_formula):
    """左：函数；右：autograd 求出的导数。返回 fig。"""
    fig, (ax_f, ax_d) = plt.subplots(1, 2, figsize=(11, 4))
    ax_f.plot(x, y, color="tab:blue")
    ax_f.set_title(f"{name}：{formula}")
    ax_d.plot(x, dy, color="tab:red")
    ax_d.set_title(f"导数（autograd）：{derivative_formula}")
    for ax in (ax_f, ax_d):
        ax.axhline(0, color="gray", linewidth=0.6)
        ax.axvline(0, color="gray", linewidth=0.6)
        ax.set_xlabel("x")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
