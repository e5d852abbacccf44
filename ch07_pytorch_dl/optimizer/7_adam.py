"""Adam：书中的写法与 torch.optim.Adam 只在 eps 的位置上不同；common.optimizer.Adam 与 torch 逐步相同。

    python ch07_pytorch_dl/optimizer/7_adam.py

第 t 步（t 从 1 开始）：m <- β1·m + (1 - β1)·g；v <- β2·v + (1 - β2)·g²，然后
    torch / common：W <- W - lr·m̂ / (sqrt(v̂) + eps)，  m̂ = m / (1 - β1^t)，v̂ = v / (1 - β2^t)
    书：            W <- W - lr_t·m / (sqrt(v) + eps)，  lr_t = lr·sqrt(1 - β2^t) / (1 - β1^t)
把书的式子分子分母同除以 sqrt(1 - β2^t)，就得到 torch 的式子，只是 eps 变成了 eps / sqrt(1 - β2^t)。
所以：书的规则里若把 eps 换成 eps·sqrt(1 - β2^t)，就与 torch 逐步相同（这里断言）；
eps 不换时两者相差多少，也打印出来（eps = 1e-8 远小于 sqrt(v)，差别可以忽略）。
对照、路径和收尾（SGD 对照、画图、保存）的共用部分在 quadratic.py。
"""
import numpy as np
import torch

from common.optimizer import Adam
from common.cli import run
from quadratic import RTOL, checked_path, compare_steps, finish, parse_args, print_steps, random_gradients

LR, BETA1, BETA2, EPS = 0.3, 0.9, 0.999, 1e-8  # lr 与第 4 章 f(x, y) 上的 Adam 相同


def make_book_adam(map_eps, lr=LR, beta1=BETA1, beta2=BETA2, eps=EPS):
    """书中的 Adam 规则，返回 update(w, grad, state) -> 新的 w（state 保存 t、m、v）。

    map_eps=True 时把 eps 换成 eps·sqrt(1 - β2^t)，使它与 torch 的公式完全相同。
    """
    def update(w, grad, state):
        t = state.get("t", 0) + 1
        m = state.get("m", np.zeros_like(w))
        v = state.get("v", np.zeros_like(w))
        m = m + (1 - beta1) * (grad - m)  # 即 β1·m + (1 - β1)·g
        v = v + (1 - beta2) * (grad * grad - v)
        lr_t = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
        step_eps = eps * np.sqrt(1 - beta2 ** t) if map_eps else eps
        state.update(t=t, m=m, v=v)
        return w - lr_t * m / (np.sqrt(v) + step_eps)
    return update


def unmapped_eps_difference(n_steps, seed=0):
    """eps 不换算时，书的规则与 torch 的规则（即换算后的书的规则）走 n_steps 步后的最大差别。"""
    w_book, w_mapped = np.zeros((2, 3)), np.zeros((2, 3))
    book, mapped, book_state, mapped_state = make_book_adam(False), make_book_adam(True), {}, {}
    for grad in random_gradients(n_steps, seed=seed):
        w_book, w_mapped = book(w_book, grad, book_state), mapped(w_mapped, grad, mapped_state)
    return float(np.max(np.abs(w_book - w_mapped)))


def main():
    args = parse_args("Adam 的三种写法逐步对照（书的 eps 换算），以及在 f(x, y) = x²/20 + y² 上的路径")
    print(f"Adam（lr = {LR}，β1 = {BETA1}，β2 = {BETA2}，eps = {EPS}）：同一起点、同一串梯度，"
          f"三种写法各走 {args.compare_steps} 步")
    torch_kwargs = {"lr": LR, "betas": (BETA1, BETA2), "eps": EPS}
    rows = compare_steps(make_book_adam(map_eps=True), Adam(lr=LR, beta1=BETA1, beta2=BETA2, eps=EPS),
                         torch.optim.Adam, torch_kwargs, args.compare_steps, args.seed)
    print_steps(rows)
    print(f"  书的规则（eps 换成 eps·sqrt(1 - β2^t)）、common.optimizer 与 torch.optim 每一步都相等"
          f"（断言通过，float64，rtol={RTOL:g}）")
    difference = unmapped_eps_difference(args.compare_steps, args.seed)
    print(f"  eps 不换时，{args.compare_steps} 步后书的规则与 torch 的最大差别为 {difference:.1e}（参数的大小约为 1）")
    path = checked_path(torch.optim.Adam, torch_kwargs, Adam(lr=LR, beta1=BETA1, beta2=BETA2, eps=EPS), args.steps)
    finish(f"Adam（lr = {LR}）", "optimizer_7_adam", rows, path,
           {"book_vs_torch_unmapped_eps_max_difference": difference})


if __name__ == "__main__":
    run(main)
