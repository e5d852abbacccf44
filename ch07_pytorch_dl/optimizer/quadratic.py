"""优化器脚本共用的小工具：逐步对照三种写法，以及在第 4 章的函数 f(x, y) = x²/20 + y² 上画路径。

- compare_steps：同一组起始参数和同一串梯度，交给手写的更新规则（NumPy）、common.optimizer 中的类、
  torch.optim 中的类各走若干步，打印并断言三者每一步都相等；
- torch_path / numpy_path：从 (-7, 2) 出发，用 torch.optim（梯度由 autograd 求）或 common.optimizer
  （梯度用公式）走若干步，返回路径；
- plot_paths：把某个优化器的路径和 SGD 的路径画在等高线图上；
- parse_args / finish：四个优化器脚本共同的命令行和收尾（SGD 对照路径、打印、画图、保存 JSON）。
  每个脚本自己的更新规则（hand_xxx）和对照留在它自己的文件里。

对照都用 float64：两边的计算在数学上相同、只是运算顺序不同，float64 下差别在 1e-15 量级，
所以断言用 rtol=1e-10、atol=1e-12（远大于舍入误差，又远小于任何公式写错造成的差别）。
"""

import numpy as np
import torch

from common.cli import positive_int, script_parser
from common.paths import save_json
from common.plotting import plt, save_figure, show

START_POINT = (-7.0, 2.0)
STEPS = 30
COMPARE_STEPS = 5
SGD_LR = 0.95  # 第 4 章在 f(x, y) 上给普通 SGD 用的学习率：四个脚本都拿它作对照
RTOL, ATOL = 1e-10, 1e-12


def f(x, y):
    """第 4 章的函数 f(x, y) = x²/20 + y²：x 方向平缓、y 方向陡，最小值在 (0, 0)。"""
    return x ** 2 / 20.0 + y ** 2


def random_gradients(n_steps, shape=(2, 3), seed=0):
    """n_steps 个随机“梯度”（float64），模拟训练时每一步不同的梯度。"""
    rng = np.random.default_rng(seed)
    return [rng.normal(size=shape) for _ in range(n_steps)]


def compare_steps(hand_update, common_optimizer, torch_optimizer_class, torch_kwargs, n_steps=COMPARE_STEPS, seed=0):
    """三种写法各走 n_steps 步并逐步断言相等，返回每一步三者的第一个元素（用于打印）。

    hand_update(w, grad, state) -> 新的 w：手写的更新规则，state 是它自己保存状态的字典；
    common_optimizer：common.optimizer 中的实例（update(params, grads) 原地更新）；
    torch_optimizer_class, torch_kwargs：如 torch.optim.SGD, {"lr": 0.1, "momentum": 0.9}。
    """
    start = np.random.default_rng(seed + 1).normal(size=(2, 3))
    w_hand = start.copy()
    state = {}
    params = {"W": start.copy()}
    w_torch = torch.tensor(start, requires_grad=True)  # 同一个起点，float64
    optimizer = torch_optimizer_class([w_torch], **torch_kwargs)
    rows = []
    for step, grad in enumerate(random_gradients(n_steps, start.shape, seed), start=1):
        w_hand = hand_update(w_hand, grad, state)
        common_optimizer.update(params, {"W": grad.copy()})
        w_torch.grad = torch.from_numpy(grad.copy())  # 直接给定梯度，不经过损失函数
        optimizer.step()
        torch_value = w_torch.detach().numpy()
        np.testing.assert_allclose(params["W"], w_hand, rtol=RTOL, atol=ATOL,
                                   err_msg=f"第 {step} 步：common.optimizer 与手写规则不一致")
        np.testing.assert_allclose(torch_value, w_hand, rtol=RTOL, atol=ATOL,
                                   err_msg=f"第 {step} 步：torch.optim 与手写规则不一致")
        rows.append((step, w_hand[0, 0], params["W"][0, 0], torch_value[0, 0]))
    return rows


def print_steps(rows):
    """打印 compare_steps 返回的每一步。"""
    print("  步   手写规则          common.optimizer  torch.optim     （W[0, 0]）")
    for step, hand, ours, theirs in rows:
        print(f"  {step:2d}  {hand:+.12f}  {ours:+.12f}  {theirs:+.12f}")


def torch_path(optimizer_class, steps=STEPS, **kwargs):
    """用 torch.optim 在 f 上从 START_POINT 走 steps 步，梯度由 autograd 求。返回 (steps + 1, 2) 数组。"""
    point = torch.tensor(START_POINT, dtype=torch.float64, requires_grad=True)
    optimizer = optimizer_class([point], **kwargs)
    path = [point.detach().clone().numpy()]
    for _ in range(steps):
        loss = f(point[0], point[1])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        path.append(point.detach().clone().numpy())
    return np.array(path)


def numpy_path(optimizer, steps=STEPS):
    """用 common.optimizer 的实例在 f 上走 steps 步，梯度用公式 (x/10, 2y)。返回 (steps + 1, 2) 数组。"""
    params = {"p": np.array(START_POINT)}
    path = [params["p"].copy()]
    for _ in range(steps):
        x, y = params["p"]
        optimizer.update(params, {"p": np.array([x / 10.0, 2.0 * y])})
        path.append(params["p"].copy())
    return np.array(path)


def plot_paths(paths, title):
    """paths: {图例: (steps + 1, 2) 路径}。返回 fig。"""
    grid_x, grid_y = np.meshgrid(np.linspace(-10, 10, 201), np.linspace(-5, 5, 101))
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.contour(grid_x, grid_y, f(grid_x, grid_y), levels=[0.1, 0.5, 1, 2, 4, 7, 11, 16], colors="gray",
               linewidths=0.8)
    for (label, path), style in zip(paths.items(), ["o-", "s--", "^:"]):
        ax.plot(path[:, 0], path[:, 1], style, markersize=3, linewidth=1, label=label)
    ax.plot(0, 0, "+", color="black", markersize=12)
    ax.set_xlim(-10, 10)
    ax.set_ylim(-5, 5)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig


def parse_args(description):
    """四个优化器脚本共同的命令行。全部计算在 CPU 上用 float64 做（对照需要 float64），所以没有 --device：
    给了 --device 等不认识的参数时，argparse 报错退出，而不是悄悄忽略。"""
    parser = script_parser(description, seed=0, help={"seed": "逐步对照所用随机起点和随机梯度的种子"})
    parser.add_argument("--compare-steps", type=positive_int, default=COMPARE_STEPS,
                        help="逐步对照三种写法的步数")
    parser.add_argument("--steps", type=positive_int, default=STEPS, help="在 f(x, y) 上走的步数")
    return parser.parse_args()


def checked_path(torch_optimizer_class, torch_kwargs, common_optimizer, steps=STEPS):
    """torch.optim（autograd 求梯度）与 common.optimizer（公式求梯度）在 f 上各走 steps 步，断言路径相同，返回路径。"""
    path = torch_path(torch_optimizer_class, steps, **torch_kwargs)
    np.testing.assert_allclose(path, numpy_path(common_optimizer, steps), rtol=RTOL, atol=ATOL,
                               err_msg="torch.optim 与 common.optimizer 在 f(x, y) 上的路径不一致")
    return path


def finish(label, tag, rows, path, extra=None):
    """四个优化器脚本共同的收尾：与普通 SGD 的路径对照，打印终点，画图，保存 JSON。

    label: 图例里的名字，如 "Momentum（lr = 0.1，μ = 0.9）"；tag: 输出文件名，如 "optimizer_1_momentum"；
    rows: compare_steps 的返回值；path: 这个优化器在 f 上的路径；extra: JSON 里另外要保存的项。
    """
    from common.optimizer import SGD

    sgd_path = checked_path(torch.optim.SGD, {"lr": SGD_LR}, SGD(lr=SGD_LR), len(path) - 1)
    end, sgd_end = path[-1], sgd_path[-1]
    name = label.split("（")[0]
    print(f"f(x, y) = x²/20 + y²，从 {START_POINT} 走 {len(path) - 1} 步：{name} 终点 ({end[0]:.3f}, {end[1]:.3f})，"
          f"f = {f(*end):.4f}；SGD（lr = {SGD_LR}）终点 ({sgd_end[0]:.3f}, {sgd_end[1]:.3f})，f = {f(*sgd_end):.4f}")
    fig = plot_paths({label: path, f"SGD（lr = {SGD_LR}）": sgd_path},
                     f"{name} 与普通 SGD 在 f(x, y) = x²/20 + y² 上的路径")
    save_figure(fig, f"ch07_pytorch_dl/{tag}.png")
    save_json(f"ch07_pytorch_dl/{tag}.json", {
        "steps_checked": len(rows), "rtol": RTOL, "atol": ATOL, "end_point": end.tolist(), "end_f": float(f(*end)),
        "sgd_lr": SGD_LR, "sgd_end_point": sgd_end.tolist(), "sgd_end_f": float(f(*sgd_end)), **(extra or {})})
    print(f"完成：{name} 的手写规则、common.optimizer 与 torch.optim 逐步相同（float64，rtol={RTOL:g}，atol={ATOL:g}）")
    show()
