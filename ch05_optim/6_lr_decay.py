"""学习率衰减：训练初期用大学习率快速前进，后期用小学习率精细调整。

同一个 5 层网络（与 1_optimizer_compare.py 相同），同样的 SGD、同样的初始学习率，
只改变学习率随迭代次数变化的方式（公式见 lr_schedules.py）：
恒定、阶梯衰减、指数衰减、余弦退火、预热 + 余弦退火。
恒定学习率到了后期仍然步子很大，损失在最小值附近来回跳；逐渐减小学习率，损失能降得更低。
初始学习率特意取得较大（0.4），这正是需要衰减的情形。若初始学习率本来就偏小（如 0.1），
恒定学习率到最后都还在稳步进步，过早衰减反而会拖慢学习——可以把 BASE_LR 改成 0.1 试试。

运行：python ch05_optim/6_lr_decay.py
"""
import numpy as np

from common.cli import run
from common.load_data import get_data
from common.multi_layer_net import MultiLayerNet
from common.optimizer import SGD
from common.paths import save_json
from common.plotting import plt, save_figure, show
from common.quick import pick
from common.seed import set_seed
from common.trainer import train_network
from common.util import smooth_curve
from lr_schedules import constant_lr, cosine_annealing, exponential_decay, step_decay, warmup_cosine

SEED = 42
TRAIN_SIZE = pick(real=None, quick=1000)  # None 表示全部 60000 个训练样本
TEST_SIZE = pick(real=None, quick=500)
HIDDEN_SIZES = [100, 100, 100, 100]  # 784-100-100-100-100-10
BATCH_SIZE = 128
EPOCHS = pick(real=10, quick=2)
BASE_LR = 0.4  # 所有策略的初始（最大）学习率


def main():
    x_train, x_test, t_train, t_test = get_data("mnist", n_train=TRAIN_SIZE, n_test=TEST_SIZE)
    iters_per_epoch = int(np.ceil(len(x_train) / BATCH_SIZE))
    total_iterations = EPOCHS * iters_per_epoch
    warmup_iterations = max(1, total_iterations // 20)  # 前 5% 的迭代用于预热

    SCHEDULES = {  # 名称 -> 函数：第几次迭代 -> 学习率
        "恒定": lambda it: constant_lr(it, BASE_LR),
        "阶梯衰减（一半时 ×0.1）": lambda it: step_decay(it, BASE_LR, step_size=(total_iterations + 1) // 2, gamma=0.1),
        "指数衰减（最终降到 1%）": lambda it: exponential_decay(it, BASE_LR, gamma=0.01 ** (1 / total_iterations)),
        "余弦退火": lambda it: cosine_annealing(it, BASE_LR, total_iterations),
        "预热 + 余弦退火": lambda it: warmup_cosine(it, BASE_LR, total_iterations, warmup_iterations),
    }

    print(f"MNIST：训练 {len(x_train)} 个样本、测试 {len(x_test)} 个；网络 784-{'-'.join(map(str, HIDDEN_SIZES))}-10，"
          f"SGD 初始学习率 {BASE_LR}，批量大小 {BATCH_SIZE}，{EPOCHS} 轮 = {total_iterations} 次迭代")

    histories = {}
    for name, schedule in SCHEDULES.items():
        set_seed(SEED)  # 相同的初始权重、相同的小批量顺序：唯一的差别是学习率怎么变
        network = MultiLayerNet(784, HIDDEN_SIZES, 10, activation="relu", weight_init_std="he")
        histories[name] = train_network(network, SGD(lr=BASE_LR), x_train, t_train, x_test, t_test,
                                        epochs=EPOCHS, batch_size=BATCH_SIZE, lr_schedule=schedule,
                                        eval_train_samples=10000, desc=name)

    print("\n训练结束时（损失取最后一轮所有迭代的平均，训练精度用前 10000 个训练样本估计）：")
    results = {}
    for name, history in histories.items():
        final_loss = float(np.mean(history["train_loss_list"][-iters_per_epoch:]))
        results[name] = {"final_lr": history["lr_list"][-1], "final_loss_last_epoch": final_loss,
                         "train_acc_first_10000": history["train_acc_list"][-1],
                         "test_acc": history["test_acc_list"][-1], "seconds": round(history["seconds"], 1)}
        print(f"  {name}：最后学习率 {history['lr_list'][-1]:.2e}  损失 {final_loss:.4f}  "
              f"训练精度 {history['train_acc_list'][-1]:.4f}  测试精度 {history['test_acc_list'][-1]:.4f}  "
              f"用时 {history['seconds']:.1f} 秒")
    best = max(results, key=lambda name: results[name]["test_acc"])
    print(f"摘要：测试精度最高的是「{best}」（{results[best]['test_acc']:.4f}），"
          f"恒定学习率为 {results['恒定']['test_acc']:.4f}")

    save_json("ch05_optim/6_lr_decay.json", {
        "train_size": len(x_train), "test_size": len(x_test), "hidden_sizes": HIDDEN_SIZES, "batch_size": BATCH_SIZE,
        "epochs": EPOCHS, "iterations": total_iterations, "base_lr": BASE_LR, "warmup_iterations": warmup_iterations,
        "seed": SEED, "results": results,
    })

    fig, axes = plt.subplots(1, 3, figsize=(17, 4.8))
    epochs_axis = np.arange(EPOCHS + 1)
    for name, history in histories.items():
        axes[0].plot(history["lr_list"], label=name)
        axes[1].plot(smooth_curve(history["train_loss_list"], window=51), label=name, linewidth=1.2)
        axes[2].plot(epochs_axis, history["test_acc_list"], "o-", label=name, markersize=4)
    axes[0].set_title("学习率随迭代次数的变化")
    axes[0].set_xlabel("迭代次数")
    axes[0].set_ylabel("学习率")
    axes[1].set_title("训练损失（滑动平均）")
    axes[1].set_xlabel("迭代次数")
    axes[1].set_ylabel("损失")
    axes[1].set_yscale("log")
    axes[2].set_title("测试精度")
    axes[2].set_xlabel("轮数（epoch）")
    axes[2].set_ylabel("识别精度")
    axes[2].set_ylim(0.9, 1.0)
    for ax in axes:
        ax.legend(fontsize=8)
    fig.suptitle(f"学习率衰减策略的比较（SGD，初始学习率 {BASE_LR}）")
    fig.tight_layout()
    save_figure(fig, "ch05_optim/lr_decay.png")
    show()


if __name__ == "__main__":
    run(main)
