"""批归一化（Batch Normalization）：有它和没有它，训练速度差多少？

同一个 6 层网络（5 个隐藏层，每层 100 个神经元，ReLU）在 1000 个 MNIST 训练样本上训练，
权重初始值的标准差从 1 到 0.0001 取 16 个值（对数等间隔）。每个标准差训练两次：
使用批归一化（每个 Affine 层之后、激活函数之前）和不使用。
批归一化把每层的输入拉回均值 0、方差 1，所以对初始值不那么敏感，学习也更快。
两处例外也值得看：
  - 标准差在 0.16～0.29 时（与 He 初始值 sqrt(2/100) ≈ 0.14 同一量级），不用批归一化也学得很好，甚至更快；
  - 标准差极小（约 3e-4 以下）时，Affine 层输出的方差已经小于批归一化分母里的 eps（1e-5，与 PyTorch 相同），
    除以 sqrt(方差 + eps) 不再能把它放大到方差 1，信号一层层变小，有批归一化也学得很慢。
标准差最大的几次（约 0.5 以上）不用批归一化时，激活值和梯度在几次迭代内就溢出，损失变成 nan（发散）：
这次训练就地停止并记为“发散”（表格、JSON 和图中都标出来），实验接着做下一个。

运行：python ch05_optim/3_batch_norm.py
"""
import numpy as np
from tqdm import tqdm

from common.cli import run
from common.load_data import get_data
from common.multi_layer_net import MultiLayerNet
from common.optimizer import SGD
from common.paths import save_json
from common.plotting import save_figure, show
from common.quick import pick
from common.seed import set_seed
from common.trainer import train_network
from curves import curve_grid, finish_curve_grid

SEED = 42
TRAIN_SIZE = pick(real=1000, quick=200)  # 只用一小部分训练数据，便于快速比较
TEST_SIZE = pick(real=2000, quick=200)  # 每轮都要评估，只取前 2000 个测试样本以节省时间
HIDDEN_SIZES = [100, 100, 100, 100, 100]
BATCH_SIZE = 100
EPOCHS = pick(real=20, quick=2)
LEARNING_RATE = 0.01
WEIGHT_SCALES = np.logspace(0, -4, num=pick(real=16, quick=4))  # 权重初始值的标准差：1 … 0.0001


def summarize(history):
    """一次训练的结果；发散的训练没有最终精度，记为 None（JSON 里是 null），并记下在第几次迭代发散。"""
    if history["diverged"]:
        return {"diverged": True, "diverged_at_iteration": history["iterations"], "final_train_acc": None,
                "final_test_acc": None, "mean_train_acc_over_epochs": None}
    # 各轮训练精度的平均值相当于学习曲线下的面积：越大说明学得越快
    return {"diverged": False, "final_train_acc": history["train_acc_list"][-1],
            "final_test_acc": history["test_acc_list"][-1],
            "mean_train_acc_over_epochs": float(np.mean(history["train_acc_list"]))}


def show_value(summary, key):
    return "  发散" if summary["diverged"] else f"{summary[key]:.3f}"


def main():
    set_seed(SEED)
    x_train, x_test, t_train, t_test = get_data("mnist", n_train=TRAIN_SIZE, n_test=TEST_SIZE)
    print(f"MNIST：训练 {len(x_train)} 个样本；网络 784-{'-'.join(map(str, HIDDEN_SIZES))}-10（ReLU），"
          f"SGD lr={LEARNING_RATE}，批量大小 {BATCH_SIZE}，{EPOCHS} 轮；{len(WEIGHT_SCALES)} 个初始值标准差")

    trials = []  # 每个标准差一项：{"scale", "bn": history, "no_bn": history}
    for scale in tqdm(WEIGHT_SCALES, desc="初始值标准差", mininterval=1):
        trial = {"scale": float(scale)}
        for key, use_batchnorm in (("bn", True), ("no_bn", False)):
            set_seed(SEED)  # 两个网络抽到相同的初始权重（批归一化多出的 gamma=1、beta=0 不用随机数）
            network = MultiLayerNet(784, HIDDEN_SIZES, 10, activation="relu", weight_init_std=float(scale),
                                    use_batchnorm=use_batchnorm)
            # 标准差很大又没有批归一化时，激活值和梯度会大到溢出（网络发散），这是本实验要展示的现象：
            # 关掉 NumPy 的溢出警告；stop_on_divergence=True 让 train_network 在损失变成 nan/inf 时
            # 停下这一次训练、在返回的记录里标上 diverged，而不是让整个实验报错退出
            with np.errstate(over="ignore", invalid="ignore"):
                trial[key] = train_network(network, SGD(lr=LEARNING_RATE), x_train, t_train, x_test, t_test,
                                         epochs=EPOCHS, batch_size=BATCH_SIZE, progress=False,
                                         stop_on_divergence=True)
            if trial[key]["diverged"]:
                tqdm.write(f"初始值标准差 {scale:.2g}，{'有' if use_batchnorm else '无'}批归一化：第 {trial[key]['iterations']} 次迭代时"
                           f"损失变成 nan，训练发散，已停止这一次训练")
        trials.append(trial)

    print("\n初始值标准差   最终训练精度（有 BN / 无 BN）   最终测试精度（有 BN / 无 BN）   各轮训练精度平均（有 BN / 无 BN）")
    faster_count = slower_count = 0
    results = []
    for trial in trials:
        bn, no_bn = summarize(trial["bn"]), summarize(trial["no_bn"])
        if bn["diverged"] or no_bn["diverged"]:  # 只有一方发散时，没发散的一方学得更快；都发散算持平
            faster_count += no_bn["diverged"] and not bn["diverged"]
            slower_count += bn["diverged"] and not no_bn["diverged"]
        else:
            faster_count += bn["mean_train_acc_over_epochs"] > no_bn["mean_train_acc_over_epochs"]
            slower_count += bn["mean_train_acc_over_epochs"] < no_bn["mean_train_acc_over_epochs"]
        results.append({"weight_init_std": trial["scale"], "bn": bn, "no_bn": no_bn})
        print(f"  {trial['scale']:10.2e}      {show_value(bn, 'final_train_acc')} / {show_value(no_bn, 'final_train_acc')}"
              f"                  {show_value(bn, 'final_test_acc')} / {show_value(no_bn, 'final_test_acc')}"
              f"                  {show_value(bn, 'mean_train_acc_over_epochs')} / "
              f"{show_value(no_bn, 'mean_train_acc_over_epochs')}")
    seconds = sum(trial["bn"]["seconds"] + trial["no_bn"]["seconds"] for trial in trials)
    diverged_count = {key: sum(trial[key]["diverged"] for trial in trials) for key in ("bn", "no_bn")}
    print(f"摘要：在 {len(trials)} 个初始值标准差中，使用批归一化学得更快的有 {faster_count} 个、更慢的有 {slower_count} 个"
          f"（比较各轮训练精度的平均值；只有一方发散时算另一方更快），其余持平；"
          f"发散（损失变成 nan，提前停止）的训练：有批归一化 {diverged_count['bn']} 个、无批归一化 {diverged_count['no_bn']} 个；"
          f"共用时 {seconds:.1f} 秒")

    save_json("ch05_optim/3_batch_norm.json", {
        "train_size": len(x_train), "test_size": len(x_test), "hidden_sizes": HIDDEN_SIZES, "batch_size": BATCH_SIZE,
        "epochs": EPOCHS, "learning_rate": LEARNING_RATE, "seed": SEED, "bn_faster_count": int(faster_count), "bn_slower_count": int(slower_count),
        "bn_diverged_count": diverged_count["bn"], "no_bn_diverged_count": diverged_count["no_bn"],
        "num_scales": len(trials), "seconds": round(seconds, 1), "results": results,
    })

    fig, axes = curve_grid(len(trials), cols=4, width=13, row_height=3)
    epochs_axis = np.arange(EPOCHS + 1)
    for ax, trial in zip(axes.ravel(), trials):
        # 发散的训练提前停止，精度记录比 EPOCHS + 1 短：只画到停止之前，并在图中写明
        for key, style, color, label in (("bn", "-", "tab:red", "有批归一化"), ("no_bn", "--", "tab:blue", "无批归一化")):
            history = trial[key]
            ax.plot(epochs_axis[:len(history["train_acc_list"])], history["train_acc_list"], style, color=color,
                    marker="o" if history["diverged"] else None, label=label)
            if history["diverged"]:
                ax.text(0.5, 0.5 if key == "no_bn" else 0.35, f"{label}：第 {history['iterations']} 次迭代发散",
                        transform=ax.transAxes, ha="center", color=color, fontsize=9)
        ax.set_title(f"初始值标准差 {trial['scale']:.2g}", fontsize=10)
        ax.set_ylim(0, 1.05)
    finish_curve_grid(fig, axes, len(trials), xlabel="轮数（epoch）", ylabel="训练精度",
                      title=f"批归一化的效果：{len(x_train)} 个训练样本上的训练精度")
    save_figure(fig, "ch05_optim/batch_norm_train_acc.png")
    show()


if __name__ == "__main__":
    run(main)
