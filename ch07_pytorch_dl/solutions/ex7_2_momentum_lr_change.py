"""第 7 章练习 2 的参考答案：7.6 节的代码里，第 3 步之后把两个优化器的学习率都改成 0.05，断言还成立吗？

书的 Momentum（common.optimizer.Momentum）：v <- μv - ηg；W <- W + v，速度 v 里已经乘进了学习率；
torch.optim.SGD(momentum=μ)：b <- μb + g；W <- W - ηb，b 里没有学习率，η 在每一步的最后才乘上。
学习率不变时令 v = -ηb 两者逐步相同；η 一变，torch 的整个“速度” ηb 立刻按新的学习率走，
书的 v 里还留着按旧学习率乘进去的部分，要过几步（每步衰减到 μ 倍）才淡出，所以两者从改动后的第一步起就不同了。

    python ch07_pytorch_dl/solutions/ex7_2_momentum_lr_change.py
"""
import numpy as np
import torch

from common.optimizer import Momentum

N_STEPS = 8
CHANGE_AFTER = 3  # 第 3 步之后改学习率
OLD_LR, NEW_LR, MOMENTUM = 0.1, 0.05, 0.9


def solve():
    """与 7.6 节相同的起点和随机梯度。

    返回 {"rows": [(步, 学习率, 7.6 节的断言是否成立, 参数的最大差, 速度的最大差)], "predicted": 公式预言的第一步速度差}。
    速度：书的 v 与 torch 这一步实际走的 -ηb。
    """
    rng = np.random.default_rng(0)
    start = rng.normal(size=3)
    params = {"W": start.copy()}
    book = Momentum(lr=OLD_LR, momentum=MOMENTUM)
    w = torch.tensor(start, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=OLD_LR, momentum=MOMENTUM)
    rows, predicted = [], None
    for step in range(1, N_STEPS + 1):
        if step == CHANGE_AFTER + 1:
            # 改动之前两者的速度相同（v = -η旧 b）；改动后的第一步，书：μv - η新 g，torch：-η新(μb + g) = μ(η新/η旧)v - η新 g
            predicted = float(np.max(np.abs(MOMENTUM * (1 - NEW_LR / OLD_LR) * book.v["W"])))
            book.lr = NEW_LR
            optimizer.param_groups[0]["lr"] = NEW_LR
        grad = rng.normal(size=3)
        book.update(params, {"W": grad.copy()})
        w.grad = torch.from_numpy(grad.copy())
        optimizer.step()
        lr = optimizer.param_groups[0]["lr"]
        torch_velocity = -lr * optimizer.state[w]["momentum_buffer"].numpy()
        w_torch = w.detach().numpy()
        rows.append((step, lr, bool(np.allclose(w_torch, params["W"], rtol=1e-10, atol=0)),
                     float(np.max(np.abs(w_torch - params["W"]))),
                     float(np.max(np.abs(torch_velocity - book.v["W"])))))
    return {"rows": rows, "predicted": predicted}


def main():
    r = solve()
    print("步  学习率  断言成立  参数的最大差  速度的最大差")
    for step, lr, holds, param_diff, velocity_diff in r["rows"]:
        print(f"{step:2d}   {lr:4.2f}   {'是' if holds else '否':>4}   {param_diff:10.1e}   {velocity_diff:10.1e}")
    first = next(row for row in r["rows"] if not row[2])
    print(f"第 {first[0]} 步起断言失败；这一步的速度差 {first[4]:.4e}，"
          f"按公式 μ(1 - η新/η旧)·max|v| 预言 {r['predicted']:.4e}")


if __name__ == "__main__":
    main()
