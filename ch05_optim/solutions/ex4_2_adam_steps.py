"""第 4 章练习 2 的参考答案：梯度不变时 Adam 每一步走多远？梯度正负交替时呢？

运行：python ch05_optim/solutions/ex4_2_adam_steps.py
"""
import numpy as np

from common.optimizer import Adam

STEPS = 10


def adam_steps(gradients, lr=0.1):
    """从 w = 0 出发，依次用 gradients 中的梯度更新；返回每一步的位移 Δw。"""
    optimizer = Adam(lr=lr)
    params = {"w": np.array([0.0])}
    moves = []
    for g in gradients:
        before = params["w"][0]
        optimizer.update(params, {"w": np.array([g])})
        moves.append(float(params["w"][0] - before))
    return moves


def solve():
    constant = adam_steps([1.0] * STEPS)
    alternating = adam_steps([(-1.0) ** k for k in range(STEPS)])  # +1, -1, +1, …
    return {"constant": constant, "alternating": alternating, "alternating_total": float(sum(alternating))}


def main():
    results = solve()
    print("梯度恒为 +1，每一步的位移：", " ".join(f"{move:.4f}" for move in results["constant"]))
    print("梯度 +1、-1 交替，每一步的位移：", " ".join(f"{move:.4f}" for move in results["alternating"]))
    print(f"交替时 10 步的总位移：{results['alternating_total']:.4f}")


if __name__ == "__main__":
    main()
