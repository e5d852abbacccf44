"""第 7 章练习 3 的参考答案：梯度乘以 1e-6（√v 与 eps 相当）时，不换算 eps 的书中 Adam 与 torch.optim.Adam 相差多少？

与 optimizer/7_adam.py 相同的设置：lr = 0.3，β1 = 0.9，β2 = 0.999，eps = 1e-8，参数从 0 出发，
同一串随机梯度（种子 0，形状 (2, 3)）走 5 步；只是梯度再乘以 scale。书的规则（偏差修正并进学习率）直接用
7_adam.py 的 make_book_adam(map_eps=False)，torch 一侧直接用 torch.optim.Adam。

书：W <- W - lr_t·m / (√v + eps)，lr_t = lr·√(1 - β2^t) / (1 - β1^t)；
分子分母同除以 √(1 - β2^t) 就是 torch 的式子，只是 eps 变成 eps / √(1 - β2^t)：第 1 步放大约 32 倍，成了 3.2e-7。
梯度为 1 的量级时 √v̂ ≈ 1，这点差别看不出；梯度为 1e-6 的量级时 √v̂ ≈ 1e-6，eps 就占了分母的一大块。

    python ch07_pytorch_dl/solutions/ex7_3_adam_tiny_gradients.py
"""
import numpy as np
import torch

from common.chapters import load

LR, BETA1, BETA2, EPS = 0.3, 0.9, 0.999, 1e-8  # 与 7_adam.py 相同
N_STEPS = 5
SCALES = [1.0, 1e-6]


def book_adam_steps(gradients):
    """书中的 Adam（eps 不换算：7_adam.py 的 make_book_adam(map_eps=False)），从 0 出发走完 gradients，
    返回每一步之后的参数列表。"""
    update = load("ch07_pytorch_dl/optimizer/7_adam.py").make_book_adam(map_eps=False, lr=LR, beta1=BETA1,
                                                                         beta2=BETA2, eps=EPS)
    w, state, history = np.zeros_like(gradients[0]), {}, []
    for grad in gradients:
        w = update(w, grad, state)
        history.append(w.copy())
    return history


def torch_adam_steps(gradients):
    """torch.optim.Adam（float64），从 0 出发走完 gradients，返回每一步之后的参数列表。"""
    w = torch.zeros(gradients[0].shape, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Adam([w], lr=LR, betas=(BETA1, BETA2), eps=EPS)
    history = []
    for grad in gradients:
        w.grad = torch.from_numpy(grad.copy())
        optimizer.step()
        history.append(w.detach().numpy().copy())
    return history


def solve():
    rng = np.random.default_rng(0)
    base = [rng.normal(size=(2, 3)) for _ in range(N_STEPS)]  # 与 quadratic.random_gradients 相同
    results = {}
    for scale in SCALES:
        gradients = [scale * g for g in base]
        book, reference = book_adam_steps(gradients), torch_adam_steps(gradients)
        results[scale] = {
            "max_difference": float(np.max(np.abs(book[-1] - reference[-1]))),
            "moved": float(np.max(np.abs(reference[-1]))),  # torch 5 步走了多远（参数从 0 出发）
            "ratio": float(np.mean(np.abs(book[-1]) / np.abs(reference[-1]))),  # 书的步子是 torch 的多少
        }
    return results


def main():
    print(f"第 1 步书的 eps 相当于 torch 的 eps / √(1 - β2) = {EPS / np.sqrt(1 - BETA2):.2e}")
    for scale, r in solve().items():
        print(f"梯度 × {scale:g}：{N_STEPS} 步后最大差 {r['max_difference']:.2e}，torch 最远走了 {r['moved']:.3f}，"
              f"书走的距离平均是 torch 的 {r['ratio']:.3f} 倍")


if __name__ == "__main__":
    main()
