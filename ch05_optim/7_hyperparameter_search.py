"""超参数的随机搜索：用从训练数据中分出的验证集挑选学习率和权重衰减系数。

测试集只能用来评估最终选定的模型；如果用它来挑超参数，超参数就会对测试集"过拟合"，
测得的精度会偏乐观。所以从训练数据中留出一部分作为验证集（validation set）专门用于挑选。
步骤：
  1. 在对数尺度上随机抽取超参数（学习率 10^[-6, -2]、权重衰减系数 10^[-8, -4]）；
  2. 每组超参数训练几十轮（只用小数据、短训练，快速排除不行的范围），记录验证精度；
  3. 看验证精度最高的那些试验落在什么范围，必要时缩小范围再搜索。
最后把选中的模型在测试集上评估一次，而且只评估这一次。

运行：python ch05_optim/7_hyperparameter_search.py
"""
import time

import numpy as np
from tqdm import tqdm

from common.cli import run
from common.load_data import get_data
from common.multi_layer_net import MultiLayerNet
from common.optimizer import SGD
from common.paths import save_json
from common.plotting import plt, save_figure, show
from common.quick import pick
from common.seed import set_seed
from common.trainer import train_network
from curves import curve_grid, finish_curve_grid

SEED = 42
DATA_SIZE = 500  # 从训练数据中取前 500 个样本，再分成训练和验证两部分
VALIDATION_RATIO = 0.2  # 其中 20%（100 个）作为验证集
HIDDEN_SIZES = [100, 100, 100, 100, 100, 100]
BATCH_SIZE = 100
EPOCHS = pick(real=50, quick=2)
NUM_TRIALS = pick(real=100, quick=4)
LR_RANGE = (-6, -2)  # 学习率 = 10 ** U(-6, -2)
WEIGHT_DECAY_RANGE = (-8, -4)  # 权重衰减系数 = 10 ** U(-8, -4)
NUM_SHOWN = pick(real=20, quick=4)  # 画出验证精度最高的前 20 次试验


def main():
    rng = set_seed(SEED)  # rng：专门用于打乱数据和抽取超参数的随机数生成器
    x_all, x_test, t_all, t_test = get_data("mnist", n_train=DATA_SIZE)
    # x_test、t_test 先放在一边：整个搜索过程中一次也不用，直到最后评估选定的模型

    # 先打乱再切分：数据可能按某种顺序排列（如按类别、按来源），打乱后验证集才能代表整体
    order = rng.permutation(len(x_all))
    validation_num = int(len(x_all) * VALIDATION_RATIO)
    x_val, t_val = x_all[order[:validation_num]], t_all[order[:validation_num]]
    x_train, t_train = x_all[order[validation_num:]], t_all[order[validation_num:]]
    print(f"MNIST 前 {DATA_SIZE} 个训练样本，打乱后分为训练 {len(x_train)} 个、验证 {len(x_val)} 个；"
          f"网络 784-{'-'.join(map(str, HIDDEN_SIZES))}-10，SGD，每次试验 {EPOCHS} 轮，共 {NUM_TRIALS} 次试验")

    trials = []
    best_network, best_val_acc = None, -1.0  # 只保留最终验证精度最高的网络，最后拿它去测试
    start = time.perf_counter()
    for trial in tqdm(range(NUM_TRIALS), desc="随机搜索", mininterval=1):
        # 在对数尺度上均匀抽样：10^-6 到 10^-5 与 10^-3 到 10^-2 被抽到的机会一样多
        lr = float(10 ** rng.uniform(*LR_RANGE))
        weight_decay = float(10 ** rng.uniform(*WEIGHT_DECAY_RANGE))
        network = MultiLayerNet(784, HIDDEN_SIZES, 10, activation="relu", weight_init_std="he",
                                weight_decay_lambda=weight_decay)
        # train_network 的 x_test、t_test 参数这里传入验证集：每轮评估的是验证精度
        history = train_network(network, SGD(lr=lr), x_train, t_train, x_val, t_val,
                                epochs=EPOCHS, batch_size=BATCH_SIZE, progress=False)
        trials.append({"lr": lr, "weight_decay": weight_decay,
                       "train_acc_list": history["train_acc_list"], "val_acc_list": history["test_acc_list"]})
        if history["test_acc_list"][-1] > best_val_acc:
            best_network, best_val_acc = network, history["test_acc_list"][-1]
    seconds = time.perf_counter() - start

    # 按最终验证精度从高到低排序（sort 是稳定的：精度相同时先做的试验在前，与 best_network 一致）
    trials.sort(key=lambda trial: trial["val_acc_list"][-1], reverse=True)
    print(f"\n验证精度最高的 {min(10, len(trials))} 次试验：")
    for rank, trial in enumerate(trials[:10], start=1):
        print(f"  第 {rank:2d} 名  验证精度 {trial['val_acc_list'][-1]:.3f}  学习率 {trial['lr']:.2e}  "
              f"权重衰减 {trial['weight_decay']:.2e}")
    top = trials[:NUM_SHOWN]
    top_lrs = [trial["lr"] for trial in top]
    top_decays = [trial["weight_decay"] for trial in top]
    print(f"前 {len(top)} 名的学习率在 {min(top_lrs):.1e} ~ {max(top_lrs):.1e} 之间，"
          f"权重衰减系数在 {min(top_decays):.1e} ~ {max(top_decays):.1e} 之间——下一步可以在这个范围内缩小搜索")

    # 搜索结束，超参数已经选定：现在才用测试集，对选中的模型评估唯一的一次
    best = trials[0]
    test_acc = best_network.accuracy(x_test, t_test)
    print(f"摘要：{len(trials)} 次试验用时 {seconds:.1f} 秒；最佳学习率 {best['lr']:.2e}、权重衰减 {best['weight_decay']:.2e}，"
          f"验证精度 {best['val_acc_list'][-1]:.3f}；用测试集评估（只此一次）：测试精度 {test_acc:.4f}"
          f"（{len(x_test)} 个测试样本）")

    save_json("ch05_optim/7_hyperparameter_search.json", {
        "data_size": DATA_SIZE, "train_size": len(x_train), "validation_size": len(x_val),
        "hidden_sizes": HIDDEN_SIZES, "batch_size": BATCH_SIZE, "epochs": EPOCHS, "num_trials": NUM_TRIALS,
        "lr_range_log10": LR_RANGE, "weight_decay_range_log10": WEIGHT_DECAY_RANGE, "seed": SEED,
        "seconds": round(seconds, 1),
        "best": {"lr": best["lr"], "weight_decay": best["weight_decay"], "val_acc": best["val_acc_list"][-1],
                 "train_acc": best["train_acc_list"][-1], "test_acc_evaluated_once": test_acc,
                 "test_size": len(x_test)},
        "trials": [{"lr": t["lr"], "weight_decay": t["weight_decay"], "val_acc": t["val_acc_list"][-1],
                    "train_acc": t["train_acc_list"][-1]} for t in trials],
    })

    fig, axes = curve_grid(len(top), cols=5, width=15, row_height=2.6)
    epochs_axis = np.arange(EPOCHS + 1)
    for rank, (ax, trial) in enumerate(zip(axes.ravel(), top), start=1):
        ax.plot(epochs_axis, trial["val_acc_list"], label="验证集")
        ax.plot(epochs_axis, trial["train_acc_list"], "--", label="训练集")
        ax.set_title(f"第 {rank} 名：lr {trial['lr']:.1e}，λ {trial['weight_decay']:.1e}", fontsize=9)
        ax.set_ylim(0, 1.0)
    finish_curve_grid(fig, axes, len(top), xlabel="轮数（epoch）", ylabel="识别精度",
                      title=f"随机搜索：验证精度最高的 {len(top)} 次试验（实线：验证，虚线：训练）")
    save_figure(fig, "ch05_optim/hyperparameter_search_top.png")

    fig, ax = plt.subplots(figsize=(6.5, 5))
    points = ax.scatter([t["lr"] for t in trials], [t["weight_decay"] for t in trials],
                        c=[t["val_acc_list"][-1] for t in trials], cmap="viridis", vmin=0, vmax=1)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("学习率")
    ax.set_ylabel("权重衰减系数 λ")
    ax.set_title("每次试验的超参数与最终验证精度")
    fig.colorbar(points, ax=ax, label="验证精度")
    save_figure(fig, "ch05_optim/hyperparameter_search_scatter.png")
    show()


if __name__ == "__main__":
    run(main)
