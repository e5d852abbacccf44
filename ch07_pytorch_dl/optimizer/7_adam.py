"""Adam：书中的写法与 torch.optim.Adam 只在 eps 的位置上不同；common.optimizer.Adam 与 torch 逐步相同。

    python ch07_pytorch_dl/optimizer/7_adam.py

第 t 步（t 从 1 开始）：m <- β1·m + (1 - β1)·g；v <- β2·v + (1 - β2)·g²，然后
    torch / common：W <- W - lr·m̂ / (sqrt(v̂) + eps)，  m̂ = m / (1 - β1^t)，v̂ = v / (1 - β2^t)
    书：            W <- W - lr_t·m / (sqrt(v) + eps)，  lr_t = lr·sqrt(1 - β2^t) / (1 - β1^t)
把书的式子分子分母同除以 sqrt(1 - β2^t)，就得到 torch 的式子，只是 eps 变成了 eps / sqrt(1 - β2^t)。
所以：书的规则里若把 eps 换成 eps·sqrt(1 - β2^t)，就与 torch 逐步相同（这里断言）；
eps 不换时两者相差多少，也打印出来（eps = 1e-8 远小于 sqrt(v)，差别可以忽略）。
"""
import numpy as np
import torch

from common.optimizer import SGD, Adam
from common.paths import save_json
from common.plotting import save_figure, show
from common.seed import set_seed
from quadratic import compare_steps, f, numpy_path, plot_paths, print_steps, random_gradients, torch_path

LR, BETA1, BETA2, EPS = 0.3, 0.9, 0.999, 1e-8  # lr 与第 4 章 f(x, y) 上的 Adam 相同


def make_book_adam(map_eps):
    """书中的 Adam 规则。map_eps=True 时把 eps 换成 eps·sqrt(1 - β2^t)，使它与 torch 的公式完全相同。"""
    def update(w, grad, state):
        t = state.get("t", 0) + 1
        m = state.get("m", np.zeros_like(w))
        v = state.get("v", np.zeros_like(w))
        m = m + (1 - BETA1) * (grad - m)  # 即 β1·m + (1 - β1)·g
        v = v + (1 - BETA2) * (grad * grad - v)
        lr_t = LR * np.sqrt(1 - BETA2 ** t) / (1 - BETA1 ** t)
        eps = EPS * np.sqrt(1 - BETA2 ** t) if map_eps else EPS
        state.update(t=t, m=m, v=v)
        return w - lr_t * m / (np.sqrt(v) + eps)
    return update


def main():
    set_seed(42)
    print(f"Adam（lr = {LR}，β1 = {BETA1}，β2 = {BETA2}，eps = {EPS}）：同一起点、同一串梯度，三种写法各走 5 步")
    rows = compare_steps(make_book_adam(map_eps=True), Adam(lr=LR, beta1=BETA1, beta2=BETA2, eps=EPS),
                         torch.optim.Adam, {"lr": LR, "betas": (BETA1, BETA2), "eps": EPS})
    print_steps(rows)
    print("  书的规则（eps 换成 eps·sqrt(1 - β2^t)）、common.optimizer 与 torch.optim 每一步都相等（断言通过）")

    # eps 不换：书的规则与 torch 差多少
    w_book, w_mapped = np.zeros((2, 3)), np.zeros((2, 3))
    book, mapped, book_state, mapped_state = make_book_adam(False), make_book_adam(True), {}, {}
    for grad in random_gradients(5):
        w_book, w_mapped = book(w_book, grad, book_state), mapped(w_mapped, grad, mapped_state)
    difference = np.max(np.abs(w_book - w_mapped))
    print(f"  eps 不换时，5 步后书的规则与 torch 的最大差别为 {difference:.1e}（参数的大小约为 1）")

    path = torch_path(torch.optim.Adam, lr=LR, betas=(BETA1, BETA2), eps=EPS)
    np.testing.assert_allclose(path, numpy_path(Adam(lr=LR, beta1=BETA1, beta2=BETA2, eps=EPS)),
                               rtol=1e-10, atol=1e-12)
    sgd_path = torch_path(torch.optim.SGD, lr=0.95)
    np.testing.assert_allclose(sgd_path, numpy_path(SGD(lr=0.95)), rtol=1e-10, atol=1e-12)
    end, sgd_end = path[-1], sgd_path[-1]
    print(f"f(x, y) = x²/20 + y²，从 (-7, 2) 走 {len(path) - 1} 步：Adam 终点 ({end[0]:.3f}, {end[1]:.3f})，"
          f"f = {f(*end):.4f}；SGD（lr = 0.95）终点 ({sgd_end[0]:.3f}, {sgd_end[1]:.3f})，f = {f(*sgd_end):.4f}")
    fig = plot_paths({f"Adam（lr = {LR}）": path, "SGD（lr = 0.95）": sgd_path},
                     "torch.optim.Adam 与普通 SGD 在 f(x, y) = x²/20 + y² 上的路径")
    save_figure(fig, "ch07_pytorch_dl/optimizer_7_adam.png")
    save_json("ch07_pytorch_dl/optimizer_7_adam.json", {
        "steps_checked": len(rows), "book_vs_torch_unmapped_eps_max_difference": float(difference),
        "end_point": end.tolist(), "end_f": float(f(*end)),
        "sgd_end_point": sgd_end.tolist(), "sgd_end_f": float(f(*sgd_end))})
    print("完成：Adam 的三种写法逐步相同（书的 eps 换算后）")
    show()


if __name__ == "__main__":
    main()
