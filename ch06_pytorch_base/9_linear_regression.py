"""线性回归的三种写法：同一份真实数据、同一个模型，三条路走到同一个答案。

    python ch06_pytorch_base/9_linear_regression.py
    DL_QUICK=1 python ch06_pytorch_base/9_linear_regression.py   # 快速模式

数据：Ames 房价数据（data/house_prices/train.csv）。用地上居住面积 GrLivArea（千平方英尺）预测
房价的对数 log(SalePrice)。按数据作者 De Cock 的建议去掉面积超过 4,000 平方英尺的 4 套房子
（其中两套是价格异常低的离群点），再随机分出 20% 作为测试集。面积先标准化（减去训练集的均值、
除以标准差），模型是 y = w·z + b（z 为标准化后的面积），损失是均方误差。

1. 闭式解（最小二乘，torch.linalg.lstsq，float64）：精确答案，作为参照；
2. 张量 + 自动求导：w、b 是 requires_grad 的张量，全批量梯度下降，更新写在 torch.no_grad() 里；
3. nn.Linear + DataLoader + optim.SGD：小批量训练，后面几章的标准写法。

三种写法的 w、b 与闭式解的差距打印出来，并检查在容差之内（不在时以非零退出码结束）；
快速模式的轮数太少，不要求收敛，只打印差距并说明没有检查。图：拟合直线与两条损失曲线。
"""
import time

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from tqdm import tqdm

from common.cli import positive_float, positive_int, run, script_parser
from common.device import get_device
from common.divergence import DivergenceGuard, check_finite_loss
from common.load_data import load_house_prices
from common.paths import save_json
from common.plotting import plt, save_figure, show
from common.quick import is_quick, pick
from common.seed import set_seed

MAX_AREA = 4000  # 平方英尺；数据作者建议去掉更大的房子（见 data/README.md 所列的 De Cock (2011)）
TEST_FRACTION = 0.2
# 全批量梯度下降收敛得很干净，只剩 float32 的舍入误差（参数约 10，float32 的相对精度约 1e-7）；
# 小批量 SGD 的学习率不为 0 时参数一直在最优点附近抖动，只能要求它接近到 0.01 以内。
GD_TOLERANCE = 1e-4
SGD_TOLERANCE = 1e-2


def load_area_and_log_price(seed):
    """读取房价数据，返回 (x_train, x_test, y_train, y_test)：float32 张量，形状 (N, 1)。

    x: 地上居住面积（千平方英尺）；y: log(SalePrice)。测试集是用 seed 打乱后的最后 20%。
    """
    train_df, _ = load_house_prices()  # test.csv 没有房价，这里不用
    kept = train_df[train_df["GrLivArea"] <= MAX_AREA]
    x = torch.tensor(kept["GrLivArea"].to_numpy() / 1000, dtype=torch.float32).unsqueeze(1)
    y = torch.tensor(np.log(kept["SalePrice"].to_numpy()), dtype=torch.float32).unsqueeze(1)
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
    n_test = int(len(x) * TEST_FRACTION)
    train_index, test_index = order[n_test:], order[:n_test]
    return x[train_index], x[test_index], y[train_index], y[test_index], len(train_df) - len(kept)


def standardize(x, mean, std):
    """标准化：z = (x - mean) / std。

    不标准化时面积的均值不是 0，w 和 b 耦合在一起，损失曲面是一条斜着的细长山谷：黑塞矩阵的条件数约 49.7
    （沿 w、b 两个坐标轴本身的曲率只差约 2.5 倍；见 python ch06_pytorch_base/figures.py 和第 6 章 6.6 节）。
    梯度下降只能用适合陡方向的小学习率，在平缓方向上就走得很慢；标准化后条件数为 1，各个方向一样陡。
    """
    return (x - mean) / std


def fit_closed_form(x, y):
    """最小二乘的闭式解：在 x 后面拼一列 1，解 [x, 1] @ [w, b]ᵀ ≈ y。返回 (w, b) 两个 float（float64 计算）。"""
    design = torch.cat([x, torch.ones_like(x)], dim=1).double()  # (N, 2)
    solution = torch.linalg.lstsq(design, y.double()).solution  # (2, 1)
    return solution[0, 0].item(), solution[1, 0].item()


def fit_autograd(x, y, lr, steps):
    """写法 2：w、b 是两个需要梯度的张量，全批量梯度下降 steps 步。

    返回 (w, b, losses)：losses 是每一步更新之前的均方误差。
    """
    w = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    guard = DivergenceGuard()  # 损失变成 nan/inf 或涨到开始时的 10 倍以上：学习率太大，停下
    losses = []
    for step in range(1, steps + 1):
        pred = x * w + b
        loss = ((pred - y) ** 2).mean()
        loss.backward()  # 求出 w.grad 和 b.grad
        with torch.no_grad():  # 更新参数这一步本身不应该被记进计算图
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad = None  # 梯度会累加，每步用完清掉
        b.grad = None
        losses.append(guard.check(loss.item(), where=f"写法 2 第 {step} 步"))
    return w.item(), b.item(), losses


def fit_nn_linear(x, y, lr, epochs, batch_size, seed, device="cpu"):
    """写法 3：nn.Linear(1, 1) + DataLoader + optim.SGD 的小批量训练。

    返回 (w, b, losses)：losses 是每轮结束后在全部训练数据上的均方误差。
    """
    torch.manual_seed(seed)
    model = nn.Linear(1, 1).to(device)
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(seed), num_workers=0)
    guard = DivergenceGuard()
    losses = []
    for epoch in tqdm(range(1, epochs + 1), desc="写法 3", leave=False, mininterval=1):
        model.train()
        for step, (x_batch, y_batch) in enumerate(loader, start=1):
            x_batch, y_batch = x_batch.to(device), y_batch.to(device)
            pred = model(x_batch)
            loss = loss_fn(pred, y_batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            guard.check(loss.item(), where=f"写法 3 第 {epoch} 轮第 {step} 步")
        model.eval()
        with torch.no_grad():
            epoch_loss = loss_fn(model(x.to(device)), y.to(device)).item()
        losses.append(check_finite_loss(epoch_loss, where=f"写法 3 第 {epoch} 轮"))
    return model.weight.item(), model.bias.item(), losses


def mse(x, y, w, b):
    """直线 y = w·x + b 在 (x, y) 上的均方误差（float）。"""
    return ((x * w + b - y) ** 2).mean().item()


def parse_args():
    parser = script_parser("线性回归的三种写法：闭式解、张量 + 自动求导、nn.Linear + SGD",
                           epochs=pick(real=100, quick=10), batch_size=64, lr=0.01, device=True, seed=42,
                           help={"epochs": "写法 3 的轮数", "batch_size": "写法 3 的批量大小", "lr": "写法 3 的学习率",
                                 "device": "写法 3 用的设备：cpu、cuda、cuda:0 或 mps；不给时自动选择",
                                 "seed": "随机种子（测试集的划分、初始参数、打乱顺序）"})
    parser.add_argument("--gd-steps", type=positive_int, default=200, help="写法 2（全批量梯度下降）的步数")
    parser.add_argument("--gd-lr", type=positive_float, default=0.1, help="写法 2 的学习率")
    return parser.parse_args()


def agreement_report(results, quick):
    """检查写法 2、3 与闭式解的差距是否在容差之内。返回 (一句说明, 不一致的说明列表)。

    快速模式的轮数太少，不要求收敛：只报告差距，明说没有检查（不声称一致）。
    """
    parts, failures = [], []
    for name, label, tolerance in (("张量 + 自动求导", "全批量梯度下降", GD_TOLERANCE),
                                   ("nn.Linear + SGD", "小批量 SGD ", SGD_TOLERANCE)):
        difference = results[name]["max_param_diff"]
        if quick:
            parts.append(f"{label}差 {difference:.1e}")
        elif difference <= tolerance:
            parts.append(f"{label}差 {difference:.1e} ≤ {tolerance:.0e}")
        else:
            failures.append(f"{name} 与闭式解相差 {difference:.1e}，超过容差 {tolerance:.0e}")
    if quick:
        return f"快速模式的步数太少，三种写法是否一致没有检查（只列出差距：{'，'.join(parts)}）", failures
    return f"三种写法一致（{'，'.join(parts)}）", failures


def main():
    args = parse_args()
    device = get_device(args.device, verbose=True)
    set_seed(args.seed)
    run_start = time.perf_counter()
    x_train, x_test, y_train, y_test, n_removed = load_area_and_log_price(args.seed)
    print(f"房价数据：去掉面积超过 {MAX_AREA} 平方英尺的 {n_removed} 套，训练 {len(x_train)} 套，测试 {len(x_test)} 套")

    mean, std = x_train.mean(), x_train.std()  # 只用训练集的统计量，测试集照搬
    z_train, z_test = standardize(x_train, mean, std), standardize(x_test, mean, std)

    start = time.perf_counter()
    fits = {"闭式解": fit_closed_form(z_train, y_train)}
    w, b, gd_losses = fit_autograd(z_train, y_train, args.gd_lr, args.gd_steps)
    fits["张量 + 自动求导"] = (w, b)
    w, b, sgd_losses = fit_nn_linear(z_train, y_train, args.lr, args.epochs, args.batch_size, args.seed, device)
    fits["nn.Linear + SGD"] = (w, b)
    train_seconds = time.perf_counter() - start

    w_ref, b_ref = fits["闭式解"]
    baseline_mse = ((y_test - y_train.mean()) ** 2).mean().item()  # 不看面积，一律猜训练集的平均价
    results = {}
    for name, (w, b) in fits.items():
        results[name] = {"w": w, "b": b, "train_mse": mse(z_train, y_train, w, b),
                         "test_mse": mse(z_test, y_test, w, b),
                         "max_param_diff": max(abs(w - w_ref), abs(b - b_ref))}
        print(f"{name:>16}：w = {w:.6f}，b = {b:.6f}，测试集均方误差 {results[name]['test_mse']:.5f}，"
              f"与闭式解的最大差 {results[name]['max_param_diff']:.1e}")
    print(f"参照：一律猜训练集平均价时测试集均方误差 {baseline_mse:.5f}")
    slope_per_1000 = w_ref / std.item()  # 换回原来的单位：每千平方英尺 log(房价) 增加多少

    quick = is_quick()
    agreement, failures = agreement_report(results, quick)
    if failures:
        raise ValueError(f"{'；'.join(failures)}：步数（--gd-steps、--epochs）是否太少、学习率是否合适？")
    print(f"完成：{agreement}；面积每多 1000 平方英尺，房价约乘以 {np.exp(slope_per_1000):.2f}；三种写法共 {train_seconds:.1f} 秒")
    save_json("ch06_pytorch_base/9_linear_regression.json", {
        "fits": results, "baseline_test_mse": baseline_mse,
        "tolerances": {"gradient_descent": GD_TOLERANCE, "sgd": SGD_TOLERANCE},
        "area_mean": mean.item(), "area_std": std.item(), "slope_per_1000_sqft": slope_per_1000,
        "n_train": len(x_train), "n_test": len(x_test), "n_removed": n_removed,
        "seconds": round(time.perf_counter() - run_start, 2), "train_seconds": round(train_seconds, 2),
        "quick_mode": quick, "settings": vars(args) | {"device": str(device)},
    })

    fig, (ax_fit, ax_loss) = plt.subplots(1, 2, figsize=(12, 4.5))
    ax_fit.scatter(x_train.squeeze(1), y_train.squeeze(1), s=6, alpha=0.35, label="训练数据")
    ax_fit.scatter(x_test.squeeze(1), y_test.squeeze(1), s=6, alpha=0.35, color="tab:gray", label="测试数据")
    line_x = torch.linspace(float(x_train.min()), float(x_train.max()), 2)
    for (name, (w, b)), style in zip(fits.items(), ("-", "--", ":")):
        line_y = w * standardize(line_x, mean, std) + b
        ax_fit.plot(line_x, line_y, style, linewidth=2, label=f"{name}：w = {w:.4f}，b = {b:.4f}")
    ax_fit.set_xlabel("地上居住面积（千平方英尺）")
    ax_fit.set_ylabel("log(房价)")
    ax_fit.set_title("三种写法得到的直线重合")
    ax_fit.legend(fontsize=8)

    closed_form_mse = results["闭式解"]["train_mse"]
    ax_loss.plot(np.arange(1, len(gd_losses) + 1), np.array(gd_losses) - closed_form_mse,
                 label="张量 + 自动求导（横轴：步）")
    ax_loss.plot(np.arange(1, len(sgd_losses) + 1), np.array(sgd_losses) - closed_form_mse,
                 label="nn.Linear + SGD（横轴：轮）")
    ax_loss.set_yscale("log")
    ax_loss.set_xscale("log")
    ax_loss.set_xlabel("步数 / 轮数（对数刻度）")
    ax_loss.set_ylabel("训练均方误差 − 闭式解的均方误差")
    ax_loss.set_title("损失曲线：向闭式解的最小值靠近")
    ax_loss.grid(alpha=0.3, which="both")
    ax_loss.legend()
    fig.tight_layout()
    save_figure(fig, "ch06_pytorch_base/9_linear_regression.png")
    show()


if __name__ == "__main__":
    run(main)
