"""权重的初始值：看激活值在各层的分布，再看它对 MNIST 训练的影响。

第一部分：1000 个随机输入穿过 5 层（每层 100 个神经元）的网络，画出每层激活值的直方图。
  - 标准差 1：sigmoid 的输出挤到 0 和 1 两端（梯度消失），ReLU 的输出一层比一层大（爆炸）；
  - 标准差 0.01：输出挤在一个值附近（sigmoid 在 0.5，ReLU 在 0），神经元都一样，表现力受限；
  - Xavier（标准差 sqrt(1/n)）适合 sigmoid、tanh；He（标准差 sqrt(2/n)）适合 ReLU，
    它们让每层激活值的分布保持差不多的宽度。n 是上一层的神经元数。
第二部分：用三种初始值（0.01、Xavier、He）训练同一个 5 层 ReLU 网络识别 MNIST，比较损失曲线。

运行：python ch05_optim/2_weight_init.py
"""
import numpy as np

from common.cli import run
from common.functions import relu, sigmoid
from common.load_data import get_data
from common.multi_layer_net import MultiLayerNet
from common.optimizer import SGD
from common.paths import save_json
from common.plotting import plt, save_figure, show
from common.quick import pick
from common.seed import set_seed
from common.trainer import train_network
from curves import loss_curves_figure

SEED = 42
# ---- 第一部分：激活值分布
NUM_INPUTS = 1000
NODE_NUM = 100  # 每层的神经元数
LAYER_NUM = 5
INIT_STDS = {  # 初始值名称 -> 权重标准差
    "标准差 1": 1.0,
    "标准差 0.01": 0.01,
    "Xavier": np.sqrt(1.0 / NODE_NUM),
    "He": np.sqrt(2.0 / NODE_NUM),
}
ACTIVATIONS = {"sigmoid": sigmoid, "ReLU": relu}
# ---- 第二部分：MNIST
TRAIN_SIZE = pick(real=None, quick=1000)  # None 表示全部 60000 个训练样本
TEST_SIZE = pick(real=None, quick=500)
HIDDEN_SIZES = [100, 100, 100, 100]  # 784-100-100-100-100-10
BATCH_SIZE = 128
EPOCHS = pick(real=4, quick=1)  # 4 轮 × 469 批 = 1876 次迭代
LEARNING_RATE = 0.01
MNIST_INITS = {"标准差 0.01": 0.01, "Xavier": "xavier", "He": "he"}  # 传给 MultiLayerNet 的 weight_init_std


def main():
    # ============================================================ 第一部分：各层激活值的分布
    set_seed(SEED)
    inputs = np.random.randn(NUM_INPUTS, NODE_NUM)
    activation_stats = {}
    for act_name, activation in ACTIVATIONS.items():
        fig, axes = plt.subplots(len(INIT_STDS), LAYER_NUM, figsize=(14, 10))
        for row, (init_name, std) in enumerate(INIT_STDS.items()):
            rng = np.random.default_rng(SEED)  # 每种初始值抽同样的随机数，只差一个缩放因子
            z = inputs
            layer_stds = []
            for layer in range(LAYER_NUM):
                weight = rng.standard_normal((NODE_NUM, NODE_NUM)) * std
                z = activation(z @ weight)  # 本层的激活值，作为下一层的输入
                layer_stds.append(float(z.std()))
                ax = axes[row, layer]
                if act_name == "sigmoid":
                    # sigmoid 的输出都是正数（均值约 0.5），下一层的每个神经元都带上各自的一个偏移，
                    # 所以后几层的直方图是 100 个窄峰叠在一起，显得参差不齐
                    ax.hist(z.ravel(), bins=30, range=(0, 1))
                else:
                    # ReLU 约一半输出恰好为 0，只画大于 0 的部分，否则看不清形状；横轴范围随数据而变
                    ax.hist(z[z > 0].ravel(), bins=30)
                ax.text(0.95, 0.88, f"σ = {z.std():.3g}", transform=ax.transAxes, ha="right", fontsize=9,
                        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8})
                ax.set_yticks([])
                if row == 0:
                    ax.set_title(f"第 {layer + 1} 层")
                if layer == 0:
                    ax.set_ylabel(f"初始值：{init_name}")
            activation_stats[f"{act_name} / {init_name}"] = layer_stds
        note = "" if act_name == "sigmoid" else "（只画大于 0 的值）"
        fig.suptitle(f"激活函数为 {act_name} 时各层激活值的分布{note}：每行一种权重初始值，每列一层，σ 为激活值的标准差")
        fig.tight_layout()
        save_figure(fig, f"ch05_optim/weight_init_activations_{act_name.lower()}.png")

    print("各层激活值的标准差（第 1 层 → 第 5 层）：")
    for key, layer_stds in activation_stats.items():
        print(f"  {key:20s} " + "  ".join(f"{s:9.3g}" for s in layer_stds))

    # ============================================================ 第二部分：初始值对 MNIST 训练的影响
    x_train, x_test, t_train, t_test = get_data("mnist", n_train=TRAIN_SIZE, n_test=TEST_SIZE)
    print(f"\nMNIST：训练 {len(x_train)} 个样本、测试 {len(x_test)} 个；网络 784-{'-'.join(map(str, HIDDEN_SIZES))}-10（ReLU），"
          f"SGD lr={LEARNING_RATE}，批量大小 {BATCH_SIZE}，{EPOCHS} 轮")

    histories = {}
    for init_name, weight_init_std in MNIST_INITS.items():
        set_seed(SEED)  # 相同的随机数、相同的小批量顺序，只有初始值的缩放不同
        network = MultiLayerNet(784, HIDDEN_SIZES, 10, activation="relu", weight_init_std=weight_init_std)
        histories[init_name] = train_network(network, SGD(lr=LEARNING_RATE), x_train, t_train, x_test, t_test,
                                             epochs=EPOCHS, batch_size=BATCH_SIZE, eval_train_samples=10000,
                                             desc=init_name)

    print("\n训练结束时（损失取最后 100 次迭代的平均）：")
    results = {}
    for init_name, history in histories.items():
        final_loss = float(np.mean(history["train_loss_list"][-100:]))
        results[init_name] = {"weight_init_std": MNIST_INITS[init_name], "final_loss_last_100_iters": final_loss,
                              "test_acc": history["test_acc_list"][-1], "seconds": round(history["seconds"], 1)}
        print(f"  {init_name}：损失 {final_loss:.4f}  测试精度 {history['test_acc_list'][-1]:.4f}  "
              f"用时 {history['seconds']:.1f} 秒")
    print(f"摘要：{histories['He']['iterations']} 次迭代后的损失——标准差 0.01：{results['标准差 0.01']['final_loss_last_100_iters']:.3f}，"
          f"Xavier：{results['Xavier']['final_loss_last_100_iters']:.3f}，He：{results['He']['final_loss_last_100_iters']:.3f}"
          f"（10 类随机乱猜的损失是 ln10 ≈ 2.303）")

    save_json("ch05_optim/2_weight_init.json", {
        "activation_std_per_layer": activation_stats,
        "mnist": {"train_size": len(x_train), "test_size": len(x_test), "hidden_sizes": HIDDEN_SIZES,
                  "batch_size": BATCH_SIZE, "epochs": EPOCHS, "iterations": histories["He"]["iterations"],
                  "learning_rate": LEARNING_RATE, "seed": SEED, "results": results},
    })

    fig = loss_curves_figure(histories, top=2.5, title="权重初始值对训练 5 层 ReLU 网络（MNIST）的影响")
    save_figure(fig, "ch05_optim/weight_init_mnist_loss.png")
    show()


if __name__ == "__main__":
    run(main)
