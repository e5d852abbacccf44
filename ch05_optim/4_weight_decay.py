"""过拟合与权重衰减（weight decay）：在验证集上挑选 λ，看它能否真正提高测试精度。

故意制造过拟合：只用 MNIST 前 300 个训练样本，却训练一个 7 层、每层 100 个神经元的大网络 200 轮。
网络把这 300 个样本背得滚瓜烂熟（训练精度 1.0），在没见过的数据上却差得多。
权重衰减在损失上加 0.5 * λ * ΣW²（common/multi_layer_net.py），每一步先把权重缩小为 (1 - ηλ) 倍，
抑制权重无限制地变大。

λ 是超参数：太小几乎不起作用，太大连训练数据都学不好。所以这里把 λ 取 0、0.001、0.003、0.01、0.03、0.1
各训练一次（同一个种子：相同的初始权重、相同的小批量顺序），用验证集挑出最好的 λ。
验证集从其余 59,700 个训练样本中随机抽 5000 个，与那 300 个训练样本不重叠；测试集不参与挑选。
每一轮记录的测试精度只用来画图说明，挑 λ 只看最后一轮的验证精度（见 7_hyperparameter_search.py）。

学习率：SGD 学习率 0.05。权重衰减每一步把权重缩小为 (1 - ηλ) 倍，学习率 η 越小，缩得越慢；
用 --lr 0.01 运行可以看到学习率小时权重衰减几乎不起作用。用 --seed 换种子（验证集、初始权重和小批量顺序都随之改变），
可以看到效果随种子变化多大。两者的结果见 docs/04_学习的技巧.md 的 4.6 节。

运行：python ch05_optim/4_weight_decay.py            （默认：种子 42，学习率 0.05）
     python ch05_optim/4_weight_decay.py --seed 0   （其他设置另存为 4_weight_decay_seed0_lr0.05.json 等，不覆盖默认结果）
"""

import numpy as np

from common.cli import run, script_parser
from common.load_data import get_data
from common.multi_layer_net import MultiLayerNet
from common.optimizer import SGD
from common.paths import save_json
from common.plotting import plt, save_figure, show
from common.quick import pick
from common.seed import set_seed
from common.trainer import train_network

TRAIN_SIZE = 300  # 训练数据少，是过拟合的原因之一
DATA_SIZE = pick(real=None, quick=1300)  # 读入的训练数据：None 表示全部 60000 个，训练样本之外的部分用来抽验证集
VALIDATION_SIZE = pick(real=5000, quick=500)
TEST_SIZE = pick(real=None, quick=500)  # None 表示全部 10000 个测试样本
HIDDEN_SIZES = [100, 100, 100, 100, 100, 100]  # 7 层：参数多、表现力强，是过拟合的另一个原因
BATCH_SIZE = 100
EPOCHS = pick(real=200, quick=3)
WEIGHT_DECAY_LAMBDAS = [0.0, 0.001, 0.003, 0.01, 0.03, 0.1]


def parse_args():
    parser = script_parser("过拟合与权重衰减：在验证集上挑选 λ", lr=0.05, seed=42,
                           help={"lr": "SGD 的学习率", "seed": "随机种子：决定验证集、初始权重和小批量的顺序"})
    return parser.parse_args()


def main():
    args = parse_args()
    seed, learning_rate = args.seed, args.lr
    # 默认设置的结果存为 4_weight_decay.json；换了种子或学习率时另存，不覆盖默认结果
    run_name = "4_weight_decay" if (seed, learning_rate) == (42, 0.05) else f"4_weight_decay_seed{seed}_lr{learning_rate:g}"

    rng = set_seed(seed)  # rng：专门用于抽取验证集
    x_all, x_test, t_all, t_test = get_data("mnist", n_train=DATA_SIZE, n_test=TEST_SIZE)
    x_train, t_train = x_all[:TRAIN_SIZE], t_all[:TRAIN_SIZE]
    # 验证集从训练样本以外的部分随机抽取：与训练样本不重叠，也不用测试集
    validation_index = TRAIN_SIZE + rng.permutation(len(x_all) - TRAIN_SIZE)[:VALIDATION_SIZE]
    x_val, t_val = x_all[validation_index], t_all[validation_index]
    print(f"MNIST：训练 {len(x_train)} 个样本、验证 {len(x_val)} 个（从其余训练数据中随机抽取）、测试 {len(x_test)} 个；"
          f"网络 784-{'-'.join(map(str, HIDDEN_SIZES))}-10（ReLU），SGD lr={learning_rate}，批量大小 {BATCH_SIZE}，{EPOCHS} 轮；"
          f"λ 取 {WEIGHT_DECAY_LAMBDAS}")

    histories, results = {}, []
    for weight_decay_lambda in WEIGHT_DECAY_LAMBDAS:
        set_seed(seed)  # 每个 λ 都从相同的初始权重、相同的小批量顺序出发，差别只来自 λ
        network = MultiLayerNet(784, HIDDEN_SIZES, 10, activation="relu", weight_init_std="he",
                                weight_decay_lambda=weight_decay_lambda)
        # 每轮评估测试精度只是为了画学习曲线；挑选 λ 用的是训练结束后的验证精度
        history = train_network(network, SGD(lr=learning_rate), x_train, t_train, x_test, t_test,
                                epochs=EPOCHS, batch_size=BATCH_SIZE, desc=f"λ={weight_decay_lambda:g}")
        histories[weight_decay_lambda] = history
        train_acc, test_acc = history["train_acc_list"][-1], history["test_acc_list"][-1]
        val_acc = network.accuracy(x_val, t_val)
        weight_square_sum = sum(float(np.sum(network.params[f"W{i}"] ** 2)) for i in range(1, len(HIDDEN_SIZES) + 2))
        results.append({"weight_decay_lambda": weight_decay_lambda, "train_acc": train_acc, "val_acc": val_acc,
                        "test_acc": test_acc, "gap": round(train_acc - test_acc, 4), "weight_square_sum": round(weight_square_sum, 1),
                        "seconds": round(history["seconds"], 1)})
        print(f"  λ={weight_decay_lambda:<6g}：训练精度 {train_acc:.4f}  验证精度 {val_acc:.4f}  测试精度 {test_acc:.4f}  "
              f"差距（训练 - 测试）{train_acc - test_acc:.4f}  ΣW² {weight_square_sum:.0f}  用时 {history['seconds']:.1f} 秒")

    # 只按验证精度挑 λ（并列时取较小的 λ）；测试精度不参与
    best_index = int(np.argmax([result["val_acc"] for result in results]))
    plain, best = results[0], results[best_index]
    best_lambda = best["weight_decay_lambda"]
    print(f"摘要：验证精度最高的是 λ={best_lambda:g}（{best['val_acc']:.4f}）；与 λ=0 相比，测试精度 "
          f"{plain['test_acc']:.4f} → {best['test_acc']:.4f}，训练与测试精度之差 {plain['gap']:.3f} → {best['gap']:.3f}"
          f"（训练精度 {plain['train_acc']:.3f} → {best['train_acc']:.3f}）")

    save_json(f"ch05_optim/{run_name}.json", {
        "train_size": len(x_train), "validation_size": len(x_val), "test_size": len(x_test),
        "hidden_sizes": HIDDEN_SIZES, "batch_size": BATCH_SIZE, "epochs": EPOCHS, "learning_rate": learning_rate,
        "seed": seed, "selected_by": "validation_acc", "best_weight_decay_lambda": best_lambda, "results": results,
    })

    # 左：各个 λ 训练结束时的精度（上）与训练、测试精度之差（下）；右：λ=0 与选中的 λ 的学习曲线
    fig = plt.figure(figsize=(14, 6))
    grid = fig.add_gridspec(2, 2, width_ratios=[1, 1.15], height_ratios=[1.6, 1])
    ax_acc = fig.add_subplot(grid[0, 0])
    ax_gap = fig.add_subplot(grid[1, 0], sharex=ax_acc)
    ax_curve = fig.add_subplot(grid[:, 1])

    positions = np.arange(len(WEIGHT_DECAY_LAMBDAS))  # λ 含 0，不能用对数坐标，按顺序等间距排列
    for key, label, marker in [("train_acc", "训练精度", "o"), ("val_acc", "验证精度（用来挑 λ）", "s"),
                               ("test_acc", "测试精度", "^")]:
        ax_acc.plot(positions, [result[key] for result in results], marker=marker, label=label)
    bars = ax_gap.bar(positions, [result["gap"] for result in results], color="gray")
    ax_gap.bar_label(bars, fmt="%.3f")
    ax_gap.set_ylim(0, 0.3)
    for ax in (ax_acc, ax_gap):
        ax.axvspan(best_index - 0.4, best_index + 0.4, color="tab:orange", alpha=0.15)
    ax_acc.set_title(f"训练 {EPOCHS} 轮后的精度（橙色：验证精度最高的 λ={best_lambda:g}）")
    ax_acc.set_ylabel("识别精度")
    ax_acc.legend(loc="lower left")
    ax_gap.set_ylabel("差距（训练 - 测试）")
    ax_gap.set_xlabel("权重衰减系数 λ")
    ax_gap.set_xticks(positions, [f"{value:g}" for value in WEIGHT_DECAY_LAMBDAS])
    ax_acc.tick_params(labelbottom=False)

    epochs_axis = np.arange(EPOCHS + 1)
    for weight_decay_lambda, color in [(0.0, "tab:blue"), (best_lambda, "tab:orange")]:
        history = histories[weight_decay_lambda]
        ax_curve.plot(epochs_axis, history["train_acc_list"], color=color, label=f"λ={weight_decay_lambda:g} 训练集")
        ax_curve.plot(epochs_axis, history["test_acc_list"], "--", color=color,
                      label=f"λ={weight_decay_lambda:g} 测试集（{history['test_acc_list'][-1]:.3f}）")
    ax_curve.set_ylim(0.6, 1.01)  # 纵轴从 0.6 开始，放大测试精度的差别（最初几轮的低精度在图外）
    ax_curve.set_title(f"学习曲线：λ=0 与 λ={best_lambda:g}")
    ax_curve.set_xlabel("轮数（epoch）")
    ax_curve.set_ylabel("识别精度")
    ax_curve.legend(loc="lower right")
    fig.suptitle(f"过拟合（{len(x_train)} 个训练样本、7 层网络，SGD lr={learning_rate}）与权重衰减")
    fig.tight_layout()
    save_figure(fig, f"ch05_optim/{run_name.replace('4_', '', 1)}.png")
    show()


if __name__ == "__main__":
    run(main)
