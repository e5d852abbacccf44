"""过拟合与权重衰减（weight decay）。

故意制造过拟合：只用 300 个训练样本，却训练一个 7 层、每层 100 个神经元的大网络 200 轮。
网络把这 300 个样本背得滚瓜烂熟（训练精度 1.0），在没见过的测试集上却差得多。
权重衰减在损失上加 0.5 * λ * ΣW²（common/multi_layer_net.py），惩罚过大的权重，
训练精度与测试精度之间的差距随之缩小。注意差距缩小不等于测试精度提高：λ 太大时训练精度降得更多，
测试精度也会跟着下降——λ 本身也是要在验证集上挑选的超参数（见 7_hyperparameter_search.py）。

运行：python ch05_optim/4_weight_decay.py
"""
import numpy as np

from common.load_data import get_data
from common.multi_layer_net import MultiLayerNet
from common.optimizer import SGD
from common.paths import save_json
from common.plotting import plt, save_figure, show
from common.quick import pick
from common.seed import set_seed
from common.trainer import train_network

SEED = 42
TRAIN_SIZE = pick(real=300, quick=300)  # 训练数据少，是过拟合的原因之一
TEST_SIZE = pick(real=None, quick=500)  # None 表示全部 10000 个测试样本
HIDDEN_SIZES = [100, 100, 100, 100, 100, 100]  # 7 层：参数多、表现力强，是过拟合的另一个原因
BATCH_SIZE = 100
EPOCHS = pick(real=200, quick=3)
LEARNING_RATE = 0.01
WEIGHT_DECAY_LAMBDAS = {"无权重衰减": 0.0, "权重衰减 λ=0.1": 0.1}

x_train, x_test, t_train, t_test = get_data("mnist", n_train=TRAIN_SIZE, n_test=TEST_SIZE)
print(f"MNIST：训练 {len(x_train)} 个样本、测试 {len(x_test)} 个；网络 784-{'-'.join(map(str, HIDDEN_SIZES))}-10（ReLU），"
      f"SGD lr={LEARNING_RATE}，批大小 {BATCH_SIZE}，{EPOCHS} 轮")

histories = {}
for name, weight_decay_lambda in WEIGHT_DECAY_LAMBDAS.items():
    set_seed(SEED)  # 两次训练从相同的初始权重、相同的小批量顺序出发
    network = MultiLayerNet(784, HIDDEN_SIZES, 10, activation="relu", weight_init_std="he",
                            weight_decay_lambda=weight_decay_lambda)
    histories[name] = train_network(network, SGD(lr=LEARNING_RATE), x_train, t_train, x_test, t_test,
                                    epochs=EPOCHS, batch_size=BATCH_SIZE, desc=name)

results = {}
for name, history in histories.items():
    train_acc, test_acc = history["train_acc_list"][-1], history["test_acc_list"][-1]
    results[name] = {"weight_decay_lambda": WEIGHT_DECAY_LAMBDAS[name], "train_acc": train_acc,
                     "test_acc": test_acc, "gap": train_acc - test_acc, "seconds": round(history["seconds"], 1)}
    print(f"  {name}：训练精度 {train_acc:.4f}  测试精度 {test_acc:.4f}  差距 {train_acc - test_acc:.4f}  "
          f"用时 {history['seconds']:.1f} 秒")
plain, decayed = results["无权重衰减"], results["权重衰减 λ=0.1"]
print(f"摘要：训练精度与测试精度之差，无权重衰减 {plain['gap']:.3f}，λ=0.1 时 {decayed['gap']:.3f}；"
      f"测试精度 {plain['test_acc']:.3f} → {decayed['test_acc']:.3f}")

save_json("ch05_optim/4_weight_decay.json", {
    "train_size": len(x_train), "test_size": len(x_test), "hidden_sizes": HIDDEN_SIZES, "batch_size": BATCH_SIZE,
    "epochs": EPOCHS, "learning_rate": LEARNING_RATE, "seed": SEED, "results": results,
})

fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
epochs_axis = np.arange(EPOCHS + 1)
for ax, (name, history) in zip(axes, histories.items()):
    ax.plot(epochs_axis, history["train_acc_list"], label="训练集")
    ax.plot(epochs_axis, history["test_acc_list"], "--", label="测试集")
    ax.set_title(f"{name}：训练 {history['train_acc_list'][-1]:.3f}，测试 {history['test_acc_list'][-1]:.3f}")
    ax.set_xlabel("轮数（epoch）")
    ax.set_ylim(0, 1.02)
    ax.legend(loc="lower right")
axes[0].set_ylabel("识别精度")
fig.suptitle(f"过拟合（{len(x_train)} 个训练样本、7 层网络）与权重衰减")
fig.tight_layout()
save_figure(fig, "ch05_optim/weight_decay.png")
show()
