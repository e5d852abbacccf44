"""RMSprop：书中的写法、common.optimizer.RMSprop 与 torch.optim.RMSprop 逐步相同。

    python ch07_pytorch_dl/optimizer/6_rmsprop.py

    书 / common / torch：  h <- ρ·h + (1 - ρ)·g²；  W <- W - lr·g / (sqrt(h) + eps)
torch 把衰减率 ρ 叫作 alpha（默认 0.99，与书相同），eps 也加在根号外，默认 1e-8（书和 common 用 1e-7）。
对照时把 torch 的 eps 设成 1e-7。torch 的 centered=True（减去梯度均值的平方）和 momentum > 0
是书中没有的变体，默认关闭。
对照、路径和收尾（SGD 对照、画图、保存）的共用部分在 quadratic.py。
"""
import numpy as np
import torch

from common.optimizer import RMSprop
from common.cli import run
from quadratic import RTOL, checked_path, compare_steps, finish, parse_args, print_steps

LR, DECAY_RATE, EPS = 0.1, 0.99, 1e-7


def hand_rmsprop(w, grad, state):
    """书中的规则：h <- ρ·h + (1 - ρ)·g²；W <- W - lr·g / (sqrt(h) + 1e-7)。state 保存 h。"""
    h = DECAY_RATE * state.get("h", np.zeros_like(w)) + (1 - DECAY_RATE) * grad * grad
    state["h"] = h
    return w - LR * grad / (np.sqrt(h) + EPS)


def main():
    args = parse_args("RMSprop 的三种写法逐步对照，以及在 f(x, y) = x²/20 + y² 上的路径")
    print(f"RMSprop（lr = {LR}，ρ = {DECAY_RATE}，eps = {EPS}）：同一起点、同一串梯度，三种写法各走 {args.compare_steps} 步")
    torch_kwargs = {"lr": LR, "alpha": DECAY_RATE, "eps": EPS}
    rows = compare_steps(hand_rmsprop, RMSprop(lr=LR, decay_rate=DECAY_RATE, eps=EPS),
                         torch.optim.RMSprop, torch_kwargs, args.compare_steps, args.seed)
    print_steps(rows)
    print(f"  三者每一步都相等（断言通过，float64，rtol={RTOL:g}）")
    path = checked_path(torch.optim.RMSprop, torch_kwargs, RMSprop(lr=LR, decay_rate=DECAY_RATE, eps=EPS), args.steps)
    # 第一步 h = 0.01·g²，步长 = lr·g / (0.1·|g|) = 10·lr：比 lr 大 10 倍，这是 RMSprop 开头步子大的原因
    print(f"第一步走到 ({path[1][0]:.3f}, {path[1][1]:.3f})：两个方向都走了 lr / sqrt(1 - ρ) = {LR / np.sqrt(1 - DECAY_RATE):.1f}")
    finish(f"RMSprop（lr = {LR}）", "optimizer_6_rmsprop", rows, path)


if __name__ == "__main__":
    run(main)
