"""批归一化（Batch Normalization）：有它和没有它，训练速度差多少？

同一个 6 层网络（5 个隐藏层，每层 100 个神经元，ReLU）在 1000 个 MNIST 训练样本上训练，
权重初始值的标准差从 1 到 0.0001 取 16 个值（对数等间隔）。每个标准差训练两次：
使用批归一化（每个 Affine 层之后、激活函数之前）和不使用。
批归一化把每层的输入拉回均值 0、方差 1，所以对初始值不那么敏感，学习也更快。
两处例外也值得看：
  - 标准差在 0.16～0.29 时（与 He 初始值 sqrt(2/100) ≈ 0.14 同一量级），不用批归一化也学得很好，甚至更快；
  - 标准差极小（约 3e-4 以下）时，Affine 层输出的方差已经小于批归一化分母里的 eps（1e-5，与 PyTorch 相同），
    除以 sqrt(方差 + eps) 不再能把它放大到方差 1，信号一层层变小，有批归一化也学得很慢。

运行：python ch05_optim/3_batch_norm.py
"""
import numpy as np
from tqdm import tqdm

from common.load_data import get_data
from common.multi_layer_net import MultiLayerNet
from common.optimizer import SGD
from common.paths import save_json
from common.plotting import plt, save_figure, show
from common.quick import pick
from common.seed import set_seed
from common.trainer import train_network

SEED = 42
TRAIN_SIZE = pick(real=1000, quick=200)  # 只用一小部分训练数据，便于快速比较
TEST_SIZE = pick(real=2000, quick=200)  # 每轮都要评估，只取前 2000 个测试样本以节省时间
HIDDEN_SIZES = [100, 100, 100, 100, 100]
BATCH_SIZE = 100
EPOCHS = pick(real=20, quick=2)
LEARNING_RATE = 0.01
WEIGHT_SCALES = np.logspace(0, -4, num=pick(real=16, quick=4))  # 权重初始值的标准差：1 … 0.0001

set_seed(SEED)
x_train, x_test, t_train, t_test = get_data("mnist", n_train=TRAIN_SIZE, n_test=TEST_SIZE)
print(f"MNIST：训练 {len(x_train)} 个样本；网络 784-{'-'.join(map(str, HIDDEN_SIZES))}-10（ReLU），"
      f"SGD lr={LEARNING_RATE}，批大小 {BATCH_SIZE}，{EPOCHS} 轮；{len(WEIGHT_SCALES)} 个初始值标准差")

runs = []  # 每个标准差一项：{"scale", "bn": history, "no_bn": history}
for scale in tqdm(WEIGHT_SCALES, desc="初始值标准差", mininterval=1):
    run = {"scale": float(scale)}
    for key, use_batchnorm in (("bn", True), ("no_bn", False)):
        set_seed(SEED)  # 两个网络抽到相同的初始权重（批归一化多出的 gamma=1、beta=0 不用随机数）
        network = MultiLayerNet(784, HIDDEN_SIZES, 10, activation="relu", weight_init_std=float(scale),
                                use_batchnorm=use_batchnorm)
        # 标准差很大又没有批归一化时，激活值和梯度会大到溢出（网络发散），这是本实验要展示的现象，
        # 所以关掉 NumPy 的溢出警告，结果体现在精度停在 0.1 左右上
        with np.errstate(over="ignore", invalid="ignore"):
            run[key] = train_network(network, SGD(lr=LEARNING_RATE), x_train, t_train, x_test, t_test,
                                     epochs=EPOCHS, batch_size=BATCH_SIZE, progress=False)
    runs.append(run)

print("\n初始值标准差   最终训练精度（有 BN / 无 BN）   最终测试精度（有 BN / 无 BN）   各轮训练精度平均（有 BN / 无 BN）")
faster_count = slower_count = 0
results = []
for run in runs:
    bn, no_bn = run["bn"], run["no_bn"]
    # 各轮训练精度的平均值相当于学习曲线下的面积：越大说明学得越快
    mean_bn, mean_no_bn = float(np.mean(bn["train_acc_list"])), float(np.mean(no_bn["train_acc_list"]))
    faster_count += mean_bn > mean_no_bn
    slower_count += mean_bn < mean_no_bn
    results.append({
        "weight_init_std": run["scale"],
        "bn": {"final_train_acc": bn["train_acc_list"][-1], "final_test_acc": bn["test_acc_list"][-1],
               "mean_train_acc_over_epochs": mean_bn},
        "no_bn": {"final_train_acc": no_bn["train_acc_list"][-1], "final_test_acc": no_bn["test_acc_list"][-1],
                  "mean_train_acc_over_epochs": mean_no_bn},
    })
    print(f"  {run['scale']:10.2e}      {bn['train_acc_list'][-1]:.3f} / {no_bn['train_acc_list'][-1]:.3f}"
          f"                  {bn['test_acc_list'][-1]:.3f} / {no_bn['test_acc_list'][-1]:.3f}"
          f"                  {mean_bn:.3f} / {mean_no_bn:.3f}")
seconds = sum(run["bn"]["seconds"] + run["no_bn"]["seconds"] for run in runs)
print(f"摘要：在 {len(runs)} 个初始值标准差中，使用批归一化学得更快的有 {faster_count} 个、更慢的有 {slower_count} 个"
      f"（比较各轮训练精度的平均值），其余持平；共用时 {seconds:.1f} 秒")

save_json("ch05_optim/3_batch_norm.json", {
    "train_size": len(x_train), "test_size": len(x_test), "hidden_sizes": HIDDEN_SIZES, "batch_size": BATCH_SIZE,
    "epochs": EPOCHS, "learning_rate": LEARNING_RATE, "seed": SEED, "bn_faster_count": int(faster_count), "bn_slower_count": int(slower_count),
    "num_scales": len(runs), "seconds": round(seconds, 1), "results": results,
})

cols = 4
rows = int(np.ceil(len(runs) / cols))
fig, axes = plt.subplots(rows, cols, figsize=(13, 3 * rows), sharex=True, sharey=True, squeeze=False)
epochs_axis = np.arange(EPOCHS + 1)
for ax, run in zip(axes.ravel(), runs):
    ax.plot(epochs_axis, run["bn"]["train_acc_list"], color="tab:red", label="有批归一化")
    ax.plot(epochs_axis, run["no_bn"]["train_acc_list"], "--", color="tab:blue", label="无批归一化")
    ax.set_title(f"初始值标准差 {run['scale']:.2g}", fontsize=10)
    ax.set_ylim(0, 1.05)
for ax in axes.ravel()[len(runs):]:
    ax.axis("off")
for ax in axes[-1]:
    ax.set_xlabel("轮数（epoch）")
for ax in axes[:, 0]:
    ax.set_ylabel("训练精度")
axes[0, 0].legend(loc="lower right", fontsize=8)
fig.suptitle(f"批归一化的效果：{len(x_train)} 个训练样本上的训练精度")
fig.tight_layout()
save_figure(fig, "ch05_optim/batch_norm_train_acc.png")
show()
