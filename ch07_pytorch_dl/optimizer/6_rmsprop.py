"""RMSprop：书中的写法、common.optimizer.RMSprop 与 torch.optim.RMSprop 逐步相同。

    python ch07_pytorch_dl/optimizer/6_rmsprop.py

    书 / common / torch：  h <- ρ·h + (1 - ρ)·g²；  W <- W - lr·g / (sqrt(h) + eps)
torch 把衰减率 ρ 叫作 alpha（默认 0.99，与书相同），eps 也加在根号外，默认 1e-8（书和 common 用 1e-7）。
对照时把 torch 的 eps 设成 1e-7。torch 的 centered=True（减去梯度均值的平方）和 momentum > 0
是书中没有的变体，默认关闭。
"""
import numpy as np
import torch

from common.optimizer import SGD, RMSprop
from common.paths import save_json
from common.plotting import save_figure, show
from common.seed import set_seed
from quadratic import compare_steps, f, numpy_path, plot_paths, print_steps, torch_path

LR, DECAY_RATE, EPS = 0.1, 0.99, 1e-7


def hand_rmsprop(w, grad, state):
    """书中的规则：h <- ρ·h + (1 - ρ)·g²；W <- W - lr·g / (sqrt(h) + 1e-7)。"""
    h = DECAY_RATE * state.get("h", np.zeros_like(w)) + (1 - DECAY_RATE) * grad * grad
    state["h"] = h
    return w - LR * grad / (np.sqrt(h) + EPS)


def main():
    set_seed(42)
    print(f"RMSprop（lr = {LR}，ρ = {DECAY_RATE}，eps = {EPS}）：同一起点、同一串梯度，三种写法各走 5 步")
    rows = compare_steps(hand_rmsprop, RMSprop(lr=LR, decay_rate=DECAY_RATE, eps=EPS),
                         torch.optim.RMSprop, {"lr": LR, "alpha": DECAY_RATE, "eps": EPS})
    print_steps(rows)
    print("  三者每一步都相等（断言通过，float64，rtol=1e-10）")

    path = torch_path(torch.optim.RMSprop, lr=LR, alpha=DECAY_RATE, eps=EPS)
    np.testing.assert_allclose(path, numpy_path(RMSprop(lr=LR, decay_rate=DECAY_RATE, eps=EPS)),
                               rtol=1e-10, atol=1e-12)
    sgd_path = torch_path(torch.optim.SGD, lr=0.95)
    np.testing.assert_allclose(sgd_path, numpy_path(SGD(lr=0.95)), rtol=1e-10, atol=1e-12)
    end, sgd_end = path[-1], sgd_path[-1]
    print(f"f(x, y) = x²/20 + y²，从 (-7, 2) 走 {len(path) - 1} 步：RMSprop 终点 ({end[0]:.3f}, {end[1]:.3f})，"
          f"f = {f(*end):.4f}；SGD（lr = 0.95）终点 ({sgd_end[0]:.3f}, {sgd_end[1]:.3f})，f = {f(*sgd_end):.4f}")
    # 第一步 h = 0.01·g²，步长 = lr·g / (0.1·|g|) = 10·lr：比 lr 大 10 倍，这是 RMSprop 开头步子大的原因
    print(f"第一步走到 ({path[1][0]:.3f}, {path[1][1]:.3f})：两个方向都走了 lr / sqrt(1 - ρ) = {LR / np.sqrt(1 - DECAY_RATE):.1f}")
    fig = plot_paths({f"RMSprop（lr = {LR}）": path, "SGD（lr = 0.95）": sgd_path},
                     "torch.optim.RMSprop 与普通 SGD 在 f(x, y) = x²/20 + y² 上的路径")
    save_figure(fig, "ch07_pytorch_dl/optimizer_6_rmsprop.png")
    save_json("ch07_pytorch_dl/optimizer_6_rmsprop.json", {
        "steps_checked": len(rows), "end_point": end.tolist(), "end_f": float(f(*end)),
        "sgd_end_point": sgd_end.tolist(), "sgd_end_f": float(f(*sgd_end))})
    print("完成：RMSprop 的手写规则、common.optimizer 与 torch.optim 逐步相同")
    show()


if __name__ == "__main__":
    main()
