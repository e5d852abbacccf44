"""Momentum：书中的写法、common.optimizer.Momentum 与 torch.optim.SGD(momentum=...) 逐步相同。

    python ch07_pytorch_dl/optimizer/1_momentum.py

两种写法（g 是梯度，μ 是动量系数）：
    书 / common：  v <- μ·v - lr·g；       W <- W + v
    torch：        b <- μ·b + g；          W <- W - lr·b
令 v = -lr·b，第一种就变成第二种，所以学习率不变时两者逐步相同。
差别只在学习率会变的时候：torch 的 b 里不含 lr，调度器改变 lr 时，新的 lr 立刻作用于整个“速度”；
书的 v 里已经乘进了旧的 lr。另外 torch 还有 dampening（b <- μ·b + (1 - dampening)·g，默认 0）。
对照、路径和收尾（SGD 对照、画图、保存）的共用部分在 quadratic.py。
"""
import numpy as np
import torch

from common.optimizer import Momentum
from common.cli import run
from quadratic import RTOL, checked_path, compare_steps, finish, parse_args, print_steps

LR, MOMENTUM = 0.1, 0.9


def hand_momentum(w, grad, state):
    """书中的规则：v <- μ·v - lr·g；W <- W + v。state 保存 v。"""
    v = state.get("v", np.zeros_like(w))
    v = MOMENTUM * v - LR * grad
    state["v"] = v
    return w + v


def main():
    args = parse_args("Momentum 的三种写法逐步对照，以及在 f(x, y) = x²/20 + y² 上的路径")
    print(f"Momentum（lr = {LR}，μ = {MOMENTUM}）：同一起点、同一串梯度，三种写法各走 {args.compare_steps} 步")
    rows = compare_steps(hand_momentum, Momentum(lr=LR, momentum=MOMENTUM),
                         torch.optim.SGD, {"lr": LR, "momentum": MOMENTUM}, args.compare_steps, args.seed)
    print_steps(rows)
    print(f"  三者每一步都相等（断言通过，float64，rtol={RTOL:g}）")
    path = checked_path(torch.optim.SGD, {"lr": LR, "momentum": MOMENTUM}, Momentum(lr=LR, momentum=MOMENTUM),
                        args.steps)
    finish(f"Momentum（lr = {LR}，μ = {MOMENTUM}）", "optimizer_1_momentum", rows, path)


if __name__ == "__main__":
    run(main)
