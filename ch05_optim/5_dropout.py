"""Dropout：训练时随机"关掉"一部分神经元，抑制过拟合。

与 4_weight_decay.py 相同的过拟合数据与网络（300 个训练样本、7 层网络），比较使用 Dropout 和不使用。
训练设置不同：这里学习率取 0.1、训练 300 轮（书中为 0.01）。Dropout 让每一步的梯度带上噪声、学得更慢，
用 0.01 时 200 轮后使用 Dropout 的网络还没学完——训练精度低、差距"缩小"，只是因为还没学会，
测试精度反而更低。把学习率调大，两个网络都能把训练精度学到 1.0，这时比较测试精度才公平。
训练时每个隐藏层的输出以 DROPOUT_RATIO 的概率被置为 0，每一批相当于训练一个不同的"子网络"；
推理时所有神经元都参与（common/layers.py 的 Dropout 采用 inverted dropout，推理时原样输出），
效果近似于许多子网络的平均（集成学习）。

运行：python ch05_optim/5_dropout.py
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

SEED = 42
TRAIN_SIZE = pick(real=300, quick=300)
TEST_SIZE = pick(real=None, quick=500)  # None 表示全部 10000 个测试样本
HIDDEN_SIZES = [100, 100, 100, 100, 100, 100]  # 7 层
BATCH_SIZE = 100
EPOCHS = pick(real=300, quick=3)
LEARNING_RATE = 0.1
DROPOUT_RATIO = 0.15
SETTINGS = {"无 Dropout": False, f"Dropout（比例 {DROPOUT_RATIO}）": True}


def main():
    x_train, x_test, t_train, t_test = get_data("mnist", n_train=TRAIN_SIZE, n_test=TEST_SIZE)
    print(f"MNIST：训练 {len(x_train)} 个样本、测试 {len(x_test)} 个；网络 784-{'-'.join(map(str, HIDDEN_SIZES))}-10（ReLU），"
          f"SGD lr={LEARNING_RATE}，批量大小 {BATCH_SIZE}，{EPOCHS} 轮")

    histories = {}
    for name, use_dropout in SETTINGS.items():
        set_seed(SEED)  # 两次训练从相同的初始权重出发（之后 Dropout 的掩码会用掉随机数，批的顺序不再相同）
        network = MultiLayerNet(784, HIDDEN_SIZES, 10, activation="relu", weight_init_std="he",
                                use_dropout=use_dropout, dropout_ratio=DROPOUT_RATIO)
        histories[name] = train_network(network, SGD(lr=LEARNING_RATE), x_train, t_train, x_test, t_test,
                                        epochs=EPOCHS, batch_size=BATCH_SIZE, desc=name)

    results = {}
    for name, history in histories.items():
        train_acc, test_acc = history["train_acc_list"][-1], history["test_acc_list"][-1]
        results[name] = {"use_dropout": SETTINGS[name], "train_acc": train_acc, "test_acc": test_acc,
                         "gap": train_acc - test_acc, "seconds": round(history["seconds"], 1)}
        print(f"  {name}：训练精度 {train_acc:.4f}  测试精度 {test_acc:.4f}  差距 {train_acc - test_acc:.4f}  "
              f"用时 {history['seconds']:.1f} 秒")
    plain, dropped = results["无 Dropout"], results[f"Dropout（比例 {DROPOUT_RATIO}）"]
    print(f"摘要：训练精度与测试精度之差，无 Dropout {plain['gap']:.3f}，Dropout 比例 {DROPOUT_RATIO} 时 "
          f"{dropped['gap']:.3f}；测试精度 {plain['test_acc']:.3f} → {dropped['test_acc']:.3f}")

    save_json("ch05_optim/5_dropout.json", {
        "train_size": len(x_train), "test_size": len(x_test), "hidden_sizes": HIDDEN_SIZES, "batch_size": BATCH_SIZE,
        "epochs": EPOCHS, "learning_rate": LEARNING_RATE, "dropout_ratio": DROPOUT_RATIO, "seed": SEED,
        "results": results,
    })

    fig, axes = plt.subplots(1, 3, figsize=(17, 4.5))
    epochs_axis = np.arange(EPOCHS + 1)
    for ax, (name, history) in zip(axes[:2], histories.items()):
        ax.plot(epochs_axis, history["train_acc_list"], label="训练集")
        ax.plot(epochs_axis, history["test_acc_list"], "--", label="测试集")
        ax.set_title(f"{name}：训练 {history['train_acc_list'][-1]:.3f}，测试 {history['test_acc_list'][-1]:.3f}")
        ax.set_xlabel("轮数（epoch）")
        ax.set_ylim(0, 1.02)
        ax.legend(loc="lower right")
    axes[0].set_ylabel("识别精度")
    for name, history in histories.items():  # 第三幅图把两条测试精度曲线放在一起，放大纵轴看差别
        axes[2].plot(epochs_axis, history["test_acc_list"], label=name)
    axes[2].set_title("测试精度对比")
    axes[2].set_xlabel("轮数（epoch）")
    axes[2].set_ylim(0.6, 0.85)
    axes[2].legend(loc="lower right")
    fig.suptitle(f"过拟合（{len(x_train)} 个训练样本、7 层网络，SGD lr={LEARNING_RATE}）与 Dropout")
    fig.tight_layout()
    save_figure(fig, "ch05_optim/dropout.png")
    show()


if __name__ == "__main__":
    run(main)
