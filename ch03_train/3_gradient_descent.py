"""梯度下降法（gradient descent）：沿负梯度方向一步步走向函数的最小值。

    python ch03_train/3_gradient_descent.py

函数 f(x0, x1) = x0^2 + x1^2，最小值在 (0, 0)。每一步：x <- x - lr * 梯度（lr 为学习率）。
左图：梯度场（每个箭头是该点的负梯度，指向函数值下降最快的方向）；
中图：从 (-3, 4) 出发、学习率 0.1 的 100 步路径；
右图：三种学习率下离最小值的距离——太大（10）会发散，太小（1e-10）几乎不动。
"""
import numpy as np

from common.cli import run
from common.gradient import numerical_gradient
from common.plotting import plt, save_figure, show

INIT_X = (-3.0, 4.0)
STEP_NUM = 100
LEARNING_RATES = {"合适": 0.1, "太大": 10.0, "太小": 1e-10}


def function_2(x):
    """f(x0, x1) = x0^2 + x1^2；x: (2,)"""
    return x[0] ** 2 + x[1] ** 2


def gradient_descent(f, init_x, lr, step_num):
    """从 init_x 出发做 step_num 步梯度下降，返回 (终点 (2,), 路径 (step_num + 1, 2))。"""
    x = np.array(init_x, dtype=np.float64)
    history = [x.copy()]
    for _ in range(step_num):
        x -= lr * numerical_gradient(f, x)
        history.append(x.copy())
    return x, np.array(history)


def main():
    # ---------------------------------------------------------------- 三种学习率
    histories = {}
    for name, lr in LEARNING_RATES.items():
        x_end, history = gradient_descent(function_2, INIT_X, lr=lr, step_num=STEP_NUM)
        histories[name] = history
        print(f"学习率 {lr:<6g}（{name}）：{STEP_NUM} 步后到达 ({x_end[0]:.10g}, {x_end[1]:.10g})，"
              f"f = {function_2(x_end):.3g}")

    # 学习率 10 时每步 x <- x - 10 * 2x = -19x：越跳越远。
    # 当 |x| 大到 x + h 与 x 在浮点数里无法区分（h = 1e-4）时，数值梯度算出 0，x 就"卡住"了——
    # 所以终点是一个巨大却有限的数，而不是无穷大。
    frozen = np.flatnonzero(np.all(np.diff(histories["太大"], axis=0) == 0, axis=1))
    if frozen.size:
        print(f"学习率 10：第 {frozen[0] + 1} 步起数值梯度变成 0（x 太大，x ± 1e-4 被舍入成 x 本身），"
              "之后 x 不再变化——这不是收敛，而是发散后数值微分失效。")
    print("学习率 1e-10：每步只移动约 1e-9，100 步后几乎还在起点。")

    # ---------------------------------------------------------------- 图
    fig, (ax_field, ax_path, ax_dist) = plt.subplots(1, 3, figsize=(16, 5))

    # 梯度场：在网格点上求数值梯度，画出负梯度的箭头
    grid = np.arange(-2, 2.5, 0.25)
    X0, X1 = np.meshgrid(grid, grid)
    points = np.stack([X0.ravel(), X1.ravel()], axis=1)
    grads = np.array([numerical_gradient(function_2, point.copy()) for point in points])
    ax_field.quiver(points[:, 0], points[:, 1], -grads[:, 0], -grads[:, 1], angles="xy", color="#666666")
    ax_field.set_title("梯度场：箭头为负梯度 -∇f")
    ax_field.set_xlabel("x0")
    ax_field.set_ylabel("x1")
    ax_field.set_aspect("equal")
    ax_field.grid(alpha=0.3)

    # 学习率 0.1 的路径，背景是等高线
    contour_grid = np.linspace(-4.5, 4.5, 200)
    C0, C1 = np.meshgrid(contour_grid, contour_grid)
    ax_path.contour(C0, C1, C0 ** 2 + C1 ** 2, levels=[1, 4, 9, 16, 25], colors="lightgray")
    path = histories["合适"]
    ax_path.plot(path[:, 0], path[:, 1], "o-", markersize=3, color="tab:blue", label="学习率 0.1")
    ax_path.plot(*INIT_X, "s", color="black", label=f"起点 {INIT_X}")
    ax_path.plot(0, 0, "*", color="tab:red", markersize=12, label="最小值 (0, 0)")
    ax_path.set_title("梯度下降的路径（学习率 0.1，100 步）")
    ax_path.set_xlabel("x0")
    ax_path.set_ylabel("x1")
    ax_path.set_aspect("equal")
    ax_path.legend(loc="lower right")

    # 离最小值的距离（对数刻度）
    for name, lr in LEARNING_RATES.items():
        distance = np.linalg.norm(histories[name], axis=1)
        ax_dist.plot(np.arange(STEP_NUM + 1), distance, label=f"学习率 {lr:g}（{name}）")
    ax_dist.set_yscale("log")
    ax_dist.set_xlabel("步数")
    ax_dist.set_ylabel("到最小值 (0, 0) 的距离（对数刻度）")
    ax_dist.set_title("学习率太大发散，太小不动")
    ax_dist.grid(alpha=0.3)
    ax_dist.legend()

    fig.tight_layout()
    save_figure(fig, "ch03_train/3_gradient_descent.png")
    show()


if __name__ == "__main__":
    run(main)
