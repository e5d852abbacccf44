"""AdaGrad：书中的写法、common.optimizer.AdaGrad 与 torch.optim.Adagrad 逐步相同。

    python ch07_pytorch_dl/optimizer/5_adagrad.py

    书 / common / torch：  h <- h + g²；  W <- W - lr·g / (sqrt(h) + eps)
三者公式相同，eps 都加在根号外；只是默认值不同：书和 common 用 eps = 1e-7，torch 默认 eps = 1e-10。
对照时把 torch 的 eps 设成 1e-7。torch 另有 lr_decay（学习率随步数衰减，默认 0）和
initial_accumulator_value（h 的初值，默认 0）两个选项，取默认值时就是书中的 AdaGrad。
对照、路径和收尾（SGD 对照、画图、保存）的共用部分在 quadratic.py。
"""
import numpy as np
import torch

from common.optimizer import AdaGrad
from common.cli import run
from quadratic import RTOL, checked_path, compare_steps, finish, parse_args, print_steps

LR, EPS = 1.5, 1e-7  # 与第 4 章 f(x, y) 上的 AdaGrad 相同


def hand_adagrad(w, grad, state):
    """书中的规则：h <- h + g²；W <- W - lr·g / (sqrt(h) + 1e-7)。state 保存 h。"""
    h = state.get("h", np.zeros_like(w)) + grad * grad
    state["h"] = h
    return w - LR * grad / (np.sqrt(h) + EPS)


def main():
    args = parse_args("AdaGrad 的三种写法逐步对照，以及在 f(x, y) = x²/20 + y² 上的路径")
    print(f"AdaGrad（lr = {LR}，eps = {EPS}）：同一起点、同一串梯度，三种写法各走 {args.compare_steps} 步")
    rows = compare_steps(hand_adagrad, AdaGrad(lr=LR, eps=EPS), torch.optim.Adagrad, {"lr": LR, "eps": EPS},
                         args.compare_steps, args.seed)
    print_steps(rows)
    print(f"  三者每一步都相等（断言通过，float64，rtol={RTOL:g}）")
    path = checked_path(torch.optim.Adagrad, {"lr": LR, "eps": EPS}, AdaGrad(lr=LR, eps=EPS), args.steps)
    # 第一步：h = g²，步长 = lr·g/|g| = lr·sign(g)：x、y 两个方向都走 lr 那么远，与梯度的大小无关
    print(f"第一步走到 ({path[1][0]:.3f}, {path[1][1]:.3f})：两个方向都正好走了 lr = {LR}（AdaGrad 第一步与梯度大小无关）")
    finish(f"AdaGrad（lr = {LR}）", "optimizer_5_adagrad", rows, path)


if __name__ == "__main__":
    run(main)
