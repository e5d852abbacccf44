"""AdaGrad：书中的写法、common.optimizer.AdaGrad 与 torch.optim.Adagrad 逐步相同。

    python ch07_pytorch_dl/optimizer/5_adagrad.py

    书 / common / torch：  h <- h + g²；  W <- W - lr·g / (sqrt(h) + eps)
三者公式相同，eps 都加在根号外；只是默认值不同：书和 common 用 eps = 1e-7，torch 默认 eps = 1e-10。
对照时把 torch 的 eps 设成 1e-7。torch 另有 lr_decay（学习率随步数衰减，默认 0）和
initial_accumulator_value（h 的初值，默认 0）两个选项，取默认值时就是书中的 AdaGrad。
"""
import numpy as np
import torch

from common.optimizer import SGD, AdaGrad
from common.paths import save_json
from common.plotting import save_figure, show
from common.seed import set_seed
from quadratic import compare_steps, f, numpy_path, plot_paths, print_steps, torch_path

LR, EPS = 1.5, 1e-7  # 与第 4 章 f(x, y) 上的 AdaGrad 相同


def hand_adagrad(w, grad, state):
    """书中的规则：h <- h + g²；W <- W - lr·g / (sqrt(h) + 1e-7)。"""
    h = state.get("h", np.zeros_like(w)) + grad * grad
    state["h"] = h
    return w - LR * grad / (np.sqrt(h) + EPS)


def main():
    set_seed(42)
    print(f"AdaGrad（lr = {LR}，eps = {EPS}）：同一起点、同一串梯度，三种写法各走 5 步")
    rows = compare_steps(hand_adagrad, AdaGrad(lr=LR, eps=EPS), torch.optim.Adagrad, {"lr": LR, "eps": EPS})
    print_steps(rows)
    print("  三者每一步都相等（断言通过，float64，rtol=1e-10）")

    path = torch_path(torch.optim.Adagrad, lr=LR, eps=EPS)
    np.testing.assert_allclose(path, numpy_path(AdaGrad(lr=LR, eps=EPS)), rtol=1e-10, atol=1e-12)
    sgd_path = torch_path(torch.optim.SGD, lr=0.95)
    np.testing.assert_allclose(sgd_path, numpy_path(SGD(lr=0.95)), rtol=1e-10, atol=1e-12)
    end, sgd_end = path[-1], sgd_path[-1]
    print(f"f(x, y) = x²/20 + y²，从 (-7, 2) 走 {len(path) - 1} 步：AdaGrad 终点 ({end[0]:.3f}, {end[1]:.3f})，"
          f"f = {f(*end):.4f}；SGD（lr = 0.95）终点 ({sgd_end[0]:.3f}, {sgd_end[1]:.3f})，f = {f(*sgd_end):.4f}")
    # 第一步：h = g²，步长 = lr·g/|g| = lr·sign(g)：x、y 两个方向都走 lr 那么远，与梯度的大小无关
    print(f"第一步走到 ({path[1][0]:.3f}, {path[1][1]:.3f})：两个方向都正好走了 lr = {LR}（AdaGrad 第一步与梯度大小无关）")
    fig = plot_paths({f"AdaGrad（lr = {LR}）": path, "SGD（lr = 0.95）": sgd_path},
                     "torch.optim.Adagrad 与普通 SGD 在 f(x, y) = x²/20 + y² 上的路径")
    save_figure(fig, "ch07_pytorch_dl/optimizer_5_adagrad.png")
    save_json("ch07_pytorch_dl/optimizer_5_adagrad.json", {
        "steps_checked": len(rows), "end_point": end.tolist(), "end_f": float(f(*end)),
        "sgd_end_point": sgd_end.tolist(), "sgd_end_f": float(f(*sgd_end))})
    print("完成：AdaGrad 的手写规则、common.optimizer 与 torch.optim 逐步相同")
    show()


if __name__ == "__main__":
    main()
