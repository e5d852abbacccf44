"""Momentum：书中的写法、common.optimizer.Momentum 与 torch.optim.SGD(momentum=...) 逐步相同。

    python ch07_pytorch_dl/optimizer/1_momentum.py

两种写法（g 是梯度，μ 是动量系数）：
    书 / common：  v <- μ·v - lr·g；       W <- W + v
    torch：        b <- μ·b + g；          W <- W - lr·b
令 v = -lr·b，第一种就变成第二种，所以学习率不变时两者逐步相同。
差别只在学习率会变的时候：torch 的 b 里不含 lr，调度器改变 lr 时，新的 lr 立刻作用于整个“速度”；
书的 v 里已经乘进了旧的 lr。另外 torch 还有 dampening（b <- μ·b + (1 - dampening)·g，默认 0）。
"""
import numpy as np
import torch

from common.optimizer import SGD, Momentum
from common.paths import save_json
from common.plotting import save_figure, show
from common.seed import set_seed
from quadratic import compare_steps, f, numpy_path, plot_paths, print_steps, torch_path

LR, MOMENTUM = 0.1, 0.9


def hand_momentum(w, grad, state):
    """书中的规则：v <- μ·v - lr·g；W <- W + v。"""
    v = state.get("v", np.zeros_like(w))
    v = MOMENTUM * v - LR * grad
    state["v"] = v
    return w + v


def main():
    set_seed(42)
    print(f"Momentum（lr = {LR}，μ = {MOMENTUM}）：同一起点、同一串梯度，三种写法各走 5 步")
    rows = compare_steps(hand_momentum, Momentum(lr=LR, momentum=MOMENTUM),
                         torch.optim.SGD, {"lr": LR, "momentum": MOMENTUM})
    print_steps(rows)
    print("  三者每一步都相等（断言通过，float64，rtol=1e-10）")

    # 在 f(x, y) = x²/20 + y² 上的路径：torch（autograd 求梯度）与 common（公式求梯度）也相同
    path = torch_path(torch.optim.SGD, lr=LR, momentum=MOMENTUM)
    np.testing.assert_allclose(path, numpy_path(Momentum(lr=LR, momentum=MOMENTUM)), rtol=1e-10, atol=1e-12)
    sgd_path = torch_path(torch.optim.SGD, lr=0.95)  # 第 4 章给 SGD 用的学习率
    np.testing.assert_allclose(sgd_path, numpy_path(SGD(lr=0.95)), rtol=1e-10, atol=1e-12)
    end, sgd_end = path[-1], sgd_path[-1]
    print(f"f(x, y) = x²/20 + y²，从 (-7, 2) 走 {len(path) - 1} 步：Momentum 终点 ({end[0]:.3f}, {end[1]:.3f})，"
          f"f = {f(*end):.4f}；SGD（lr = 0.95）终点 ({sgd_end[0]:.3f}, {sgd_end[1]:.3f})，f = {f(*sgd_end):.4f}")
    fig = plot_paths({f"Momentum（lr = {LR}，μ = {MOMENTUM}）": path, "SGD（lr = 0.95）": sgd_path},
                     "torch.optim.SGD(momentum=0.9) 与普通 SGD 在 f(x, y) = x²/20 + y² 上的路径")
    save_figure(fig, "ch07_pytorch_dl/optimizer_1_momentum.png")
    save_json("ch07_pytorch_dl/optimizer_1_momentum.json", {
        "steps_checked": len(rows), "end_point": end.tolist(), "end_f": float(f(*end)),
        "sgd_end_point": sgd_end.tolist(), "sgd_end_f": float(f(*sgd_end))})
    print("完成：Momentum 的手写规则、common.optimizer 与 torch.optim 逐步相同")
    show()


if __name__ == "__main__":
    main()
