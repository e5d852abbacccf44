"""第 5、6 章的两张示意图，以及第 6 章 6.6 节“标准化让损失曲面变圆”的数字。

    python ch06_pytorch_base/figures.py
    DL_QUICK=1 python ch06_pytorch_base/figures.py   # 快速模式：梯度下降少走几步

1. strides_broadcast.png（第 5 章图 5-1）：张量在内存里是一条一维数据，形状靠步长（stride）解释；
   转置只交换步长，结果不连续；广播时长度为 1 的维的步长是 0，同一个数被读很多次，不占新内存。
   图里的每个数字都由真实的张量算出（stride()、is_contiguous()、expand 后的 stride）。
2. loss_contours.png（第 6 章图 6-2）：9_linear_regression.py 的房价数据上，均方误差 L(w, b) 的等高线，
   左边用原始面积（千平方英尺），右边用标准化后的面积；两边用同一个学习率各走同样多步全批量梯度下降。
   打印损失的黑塞矩阵（Hessian）、它的条件数（最大与最小特征值之比）和两个坐标方向上的曲率。

均方误差 L(w, b) = mean((w·x + b − y)²) 是 (w, b) 的二次函数，黑塞矩阵处处相同：
    H = 2 · [[mean(x²), mean(x)], [mean(x), 1]]
梯度下降的学习率要小于 2 / λ_max 才不发散，而沿最小特征值方向每步只缩小 (1 − lr·λ_min) 倍，
所以需要的步数约与条件数 λ_max / λ_min 成正比。标准化后 mean(z) = 0、mean(z²) = 1，H = 2I，条件数为 1。
"""

import numpy as np
import torch

from common.cli import positive_int, run, script_parser
from common.load_data import load_house_prices
from common.paths import save_json
from common.plotting import plt, save_figure, show
from common.quick import pick

MAX_AREA = 4000  # 平方英尺；与 9_linear_regression.py 相同，去掉 4 套特大的房子
TEST_FRACTION = 0.2  # 与 9_linear_regression.py 相同的划分，曲面只用训练部分计算


def parse_args():
    parser = script_parser(__doc__.splitlines()[0], seed=42,
                           help={"seed": "划分训练/测试集的随机种子，与 9_linear_regression.py 的 --seed 对应"})
    parser.add_argument("--steps", type=positive_int, default=pick(real=50, quick=5),
                        help="两种面积单位下各走的梯度下降步数")
    return parser.parse_args()


# ---------------------------------------------------------------- 图 5-1：步长与广播

def draw_grid(ax, values, left, top, title, shade=None):
    """在 ax 上从 (left, top) 起画一个二维格子，每格写一个数；shade 为 True 的格子画成浅色（不占内存）。"""
    rows, cols = values.shape
    for i in range(rows):
        for j in range(cols):
            light = shade is not None and shade[i, j]
            ax.add_patch(plt.Rectangle((left + j, top - i - 1), 1, 1, fill=True,
                                       facecolor="#eeeeee" if light else "#cfe2f3",
                                       edgecolor="#999999" if light else "black",
                                       linestyle="--" if light else "-"))
            ax.text(left + j + 0.5, top - i - 0.5, str(values[i, j].item()), ha="center", va="center",
                    color="#888888" if light else "black", fontsize=11)
    ax.text(left, top + 0.35, title, ha="left", va="bottom", fontsize=11)


def strides_broadcast_figure():
    """画图 5-1，返回图中用到的步长等事实（都由真实的张量求出）。"""
    t = torch.arange(12).reshape(3, 4)
    column = torch.tensor([[0], [10], [20]])  # (3, 1)
    row = torch.tensor([1, 2, 3, 4])  # (4,)
    column_expanded = column.expand(3, 4)
    row_expanded = row.expand(3, 4)
    facts = {
        "t_stride": list(t.stride()), "t_contiguous": t.is_contiguous(),
        "tT_stride": list(t.T.stride()), "tT_contiguous": t.T.is_contiguous(),
        "column_expanded_stride": list(column_expanded.stride()),
        "row_expanded_stride": list(row_expanded.stride()),
        "same_memory": column_expanded.data_ptr() == column.data_ptr(),
    }

    fig, (ax_memory, ax_broadcast) = plt.subplots(1, 2, figsize=(14, 4.8), width_ratios=[1.2, 1])
    # 左：同一条内存，两种解读
    storage = t.flatten()
    for k, value in enumerate(storage.tolist()):
        ax_memory.add_patch(plt.Rectangle((k, 0), 1, 1, facecolor="#fff2cc", edgecolor="black"))
        ax_memory.text(k + 0.5, 0.5, str(value), ha="center", va="center", fontsize=11)
    ax_memory.text(0, -0.55, "内存：一条一维数据（12 个 int64）", fontsize=11)
    draw_grid(ax_memory, t, 0, 5.2, f"t：形状 (3, 4)，步长 {tuple(t.stride())}，连续")
    draw_grid(ax_memory, t.T, 6.5, 6.5, f"t.T：形状 (4, 3)，步长 {tuple(t.T.stride())}，不连续")
    # t.T 沿一行走：内存里每次跳 4 个元素
    for k in (0, 4):
        ax_memory.annotate("", xy=(k + 4.5, 1.05), xytext=(k + 0.5, 1.05),
                           arrowprops=dict(arrowstyle="->", color="#cc0000", connectionstyle="arc3,rad=-0.4"))
    ax_memory.text(9.3, 1.35, "t.T 的一行 0 → 4 → 8：\n内存里每步跳 4 个", color="#cc0000", fontsize=10)
    ax_memory.set_xlim(-0.3, 13.5)
    ax_memory.set_ylim(-1, 7.4)
    ax_memory.set_aspect("equal")
    ax_memory.axis("off")
    ax_memory.set_title("步长：同一块内存的两种解读（transpose 不复制）")

    # 右：广播 (3, 1) + (4,) → (3, 4)
    draw_grid(ax_broadcast, column_expanded, 0, 3,
              f"(3, 1) 扩展成 (3, 4)\n步长 {tuple(column_expanded.stride())}", shade=torch.arange(4).expand(3, 4) > 0)
    ax_broadcast.text(4.6, 1.5, "+", fontsize=18, ha="center", va="center")
    draw_grid(ax_broadcast, row_expanded, 5.2, 3,
              f"(4,) 扩展成 (3, 4)\n步长 {tuple(row_expanded.stride())}", shade=torch.arange(3).unsqueeze(1).expand(3, 4) > 0)
    ax_broadcast.text(9.8, 1.5, "=", fontsize=18, ha="center", va="center")
    draw_grid(ax_broadcast, column + row, 10.4, 3, "结果 (3, 4)\n新分配的内存")
    ax_broadcast.text(0, -0.7, "虚线格：步长为 0，读的是同一个数，不占新内存", fontsize=10, color="#666666")
    ax_broadcast.set_xlim(-0.3, 14.7)
    ax_broadcast.set_ylim(-1.2, 5.2)
    ax_broadcast.set_aspect("equal")
    ax_broadcast.axis("off")
    ax_broadcast.set_title("广播：靠右对齐，长度为 1 的维步长为 0")
    save_figure(fig, "ch06_pytorch_base/strides_broadcast.png")
    return facts


# ---------------------------------------------------------------- 图 6-3：标准化前后的损失等高线

def load_training_area_and_log_price(seed):
    """与 9_linear_regression.py 相同的数据与划分，返回训练部分的 (面积（千平方英尺）, log 房价)，float64 数组。"""
    train_df, _ = load_house_prices()
    kept = train_df[train_df["GrLivArea"] <= MAX_AREA]
    x = torch.tensor(kept["GrLivArea"].to_numpy() / 1000, dtype=torch.float32)
    y = torch.tensor(np.log(kept["SalePrice"].to_numpy()), dtype=torch.float32)
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
    train_index = order[int(len(x) * TEST_FRACTION):]
    return x[train_index].double().numpy(), y[train_index].double().numpy()


def hessian(x):
    """均方误差对 (w, b) 的黑塞矩阵 2·[[mean(x²), mean(x)], [mean(x), 1]]（与 w、b 无关）。"""
    return 2.0 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])


def gradient_descent(x, y, lr, steps):
    """从 (0, 0) 出发全批量梯度下降，返回每一步的 (w, b)，形状 (steps + 1, 2)。"""
    w, b = 0.0, 0.0
    path = [(w, b)]
    for _ in range(steps):
        error = w * x + b - y
        w, b = w - lr * 2 * np.mean(error * x), b - lr * 2 * np.mean(error)
        path.append((w, b))
    return np.array(path)


def loss_surface(x, y, w_grid, b_grid):
    """在网格上求均方误差：返回与 w_grid 同形状的数组。"""
    h = hessian(x)
    optimum = np.linalg.solve(h / 2, [np.mean(x * y), np.mean(y)])
    dw, db = w_grid - optimum[0], b_grid - optimum[1]
    minimum = np.mean((optimum[0] * x + optimum[1] - y) ** 2)
    # 二次函数：L = L_min + ½ dᵀ H d
    return minimum + 0.5 * (h[0, 0] * dw ** 2 + 2 * h[0, 1] * dw * db + h[1, 1] * db ** 2), optimum


def describe(name, x, y, steps, lr):
    """一种面积单位下的曲面信息，以及用学习率 lr 走 steps 步的梯度下降路径。"""
    h = hessian(x)
    eigenvalues = np.linalg.eigvalsh(h)
    path = gradient_descent(x, y, lr, steps)
    _, optimum = loss_surface(x, y, np.zeros(1), np.zeros(1))
    distance = np.linalg.norm(path - optimum, axis=1)
    result = {
        "hessian": h.round(4).tolist(),
        "eigenvalues": eigenvalues.round(4).tolist(),
        "condition_number": round(float(eigenvalues[-1] / eigenvalues[0]), 2),
        "curvature_w": round(float(h[0, 0]), 4), "curvature_b": round(float(h[1, 1]), 4),
        "curvature_ratio_w_to_b": round(float(h[0, 0] / h[1, 1]), 2),
        "lr": round(float(lr), 4), "steps": len(path) - 1,
        "optimum": optimum.round(6).tolist(),
        "final_distance_to_optimum": float(distance[-1]),
    }
    print(f"{name}：黑塞矩阵 {result['hessian']}，特征值 {result['eigenvalues']}，"
          f"条件数 {result['condition_number']}；w、b 方向的曲率 {result['curvature_w']}、{result['curvature_b']}"
          f"（比 {result['curvature_ratio_w_to_b']}）；学习率 {result['lr']} 走 {result['steps']} 步后"
          f"离最优点 {distance[-1]:.4g}（起点 {distance[0]:.4g}）")
    return result, path, optimum


def contour_figure(seed, steps):
    """画图 6-2，返回两种单位下的数字。"""
    area, log_price = load_training_area_and_log_price(seed)
    z = (area - area.mean()) / area.std()
    # 两边用同一个学习率：原始面积下不发散的上限是 2 / λ_max，取它的一半 1 / λ_max
    lr = 1.0 / np.linalg.eigvalsh(hessian(area))[-1]
    raw, raw_path, raw_optimum = describe("原始面积（千平方英尺）", area, log_price, steps, lr)
    standardized, std_path, std_optimum = describe("标准化后的面积", z, log_price, steps, lr)

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.6))
    for ax, x, path, optimum, info, title in [
        (axes[0], area, raw_path, raw_optimum, raw, "原始面积：y = w·x + b"),
        (axes[1], z, std_path, std_optimum, standardized, "标准化后：y = w·z + b"),
    ]:
        # 正方形的窗口、两个坐标轴同样的刻度（set_aspect("equal")）：圆画出来才是圆，山谷的细长程度也不失真
        low, high = np.minimum(path.min(axis=0), optimum), np.maximum(path.max(axis=0), optimum)
        center, half = (low + high) / 2, (high - low).max() / 2 + 1.0
        w_range = np.linspace(center[0] - half, center[0] + half, 300)
        b_range = np.linspace(center[1] - half, center[1] + half, 300)
        w_grid, b_grid = np.meshgrid(w_range, b_range)
        surface, _ = loss_surface(x, log_price, w_grid, b_grid)
        ax.contour(w_grid, b_grid, surface, levels=np.geomspace(surface.min() + 1e-3, surface.max(), 15),
                   cmap="viridis", linewidths=0.8)
        ax.plot(path[:, 0], path[:, 1], "o-", color="#cc0000", markersize=3, linewidth=1,
                label=f"梯度下降 {info['steps']} 步（学习率 {info['lr']:.3g}）")
        ax.plot(*optimum, "k*", markersize=12, label="最优点（闭式解）")
        ax.set_xlim(w_range[0], w_range[-1])
        ax.set_ylim(b_range[0], b_range[-1])
        ax.set_aspect("equal")
        ax.set_xlabel("w")
        ax.set_ylabel("b")
        ax.set_title(f"{title}\n黑塞矩阵的条件数 {info['condition_number']:.1f}")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, fontsize=9)  # 放在图外，不挡住路径
    save_figure(fig, "ch06_pytorch_base/loss_contours.png")
    return {"raw_area": raw, "standardized_area": standardized, "n_train": len(area)}


def main():
    args = parse_args()
    facts = strides_broadcast_figure()
    print(f"t 的步长 {facts['t_stride']}、t.T 的步长 {facts['tT_stride']}（t.T 连续吗：{facts['tT_contiguous']}）；"
          f"expand 后的步长 {facts['column_expanded_stride']}、{facts['row_expanded_stride']}")
    contours = contour_figure(args.seed, args.steps)
    save_json("ch06_pytorch_base/figures.json", {"strides_broadcast": facts, "loss_contours": contours})
    show()


if __name__ == "__main__":
    run(main)
