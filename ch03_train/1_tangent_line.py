"""数值微分（numerical differentiation）：用很小的差分近似导数，画出函数在几个点的切线。

    python ch03_train/1_tangent_line.py

函数 f(x) = 0.01 x^2 + 0.1 x，解析导数 f'(x) = 0.02 x + 0.1。
common.gradient.numerical_diff 用中心差分 (f(x + h) - f(x - h)) / (2h)，h = 1e-4；
这里同时给出前向差分 (f(x + h) - f(x)) / h 的误差作对比：中心差分的误差小得多。
"""
import numpy as np

from common.cli import run
from common.gradient import numerical_diff
from common.plotting import plt, save_figure, show

POINTS = [5.0, 10.0, 15.0]  # 在这几个点求导并画切线
H = 1e-4


def function_1(x):
    """f(x) = 0.01 x^2 + 0.1 x"""
    return 0.01 * x ** 2 + 0.1 * x


def analytic_diff(x):
    """f 的解析导数 f'(x) = 0.02 x + 0.1"""
    return 0.02 * x + 0.1


def tangent_line(f, x0):
    """返回 f 在 x0 处的切线函数 y = f'(x0) (x - x0) + f(x0)，斜率用数值微分求出。"""
    slope = numerical_diff(f, x0)
    return lambda x: slope * (x - x0) + f(x0)


def main():
    print(f"{'x':>5s} {'解析导数':>10s} {'中心差分':>16s} {'中心差分误差':>12s} {'前向差分误差':>12s}")
    for x0 in POINTS:
        exact = analytic_diff(x0)
        central = numerical_diff(function_1, x0, h=H)
        forward = (function_1(x0 + H) - function_1(x0)) / H
        print(f"{x0:5.1f} {exact:12.6f} {central:18.12f} {abs(central - exact):16.1e} {abs(forward - exact):16.1e}")
    print(f"前向差分的误差是 0.01 × h = {0.01 * H:.0e}，与 h 成正比；中心差分的截断误差与 h^2 成正比，"
          "对二次函数恰好为 0，剩下的约 1e-12 是浮点数的舍入误差。")

    # ---------------------------------------------------------------- 图：函数与切线
    x = np.arange(0.0, 20.0, 0.1)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(x, function_1(x), color="black", linewidth=2, label="f(x) = 0.01x² + 0.1x")
    for x0 in POINTS:
        ax.plot(x, tangent_line(function_1, x0)(x), linestyle="--",
                label=f"x = {x0:g} 处的切线，斜率 {numerical_diff(function_1, x0):.3f}")
        ax.plot(x0, function_1(x0), "o", color="black")
    ax.set_ylim(-1, 6)
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.set_title("数值微分求出的斜率：函数在各点的切线")
    ax.grid(alpha=0.3)
    ax.legend()
    save_figure(fig, "ch03_train/1_tangent_line.png")
    show()


if __name__ == "__main__":
    run(main)
