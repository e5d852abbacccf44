"""只用 NumPy（common/ 的层和优化器）训练书中的 SimpleConvNet，在 MNIST 上识别手写数字。

    python ch08_cnn/5_simple_convnet_numpy.py              # 完整训练：2 核 CPU 上约 4 分钟，测试精度 ≥ 98.9%
    python ch08_cnn/5_simple_convnet_numpy.py --epochs 3   # 少训练几轮
    DL_QUICK=1 python ch08_cnn/5_simple_convnet_numpy.py   # 快速模式，几秒钟

网络（simple_conv_net.py）：Conv(30 个 5×5) → ReLU → Pool(2×2) → Affine(100) → ReLU → Affine(10)。
优化器 common.optimizer.Adam，学习率按余弦曲线从 --lr 降到 0；批量大小 100，float32。
初始值：全连接层用 He 初始值，第一层的卷积核用标准差 0.01 的小随机数（训练后画出来的就是学到的模式）。
脚本依次做三件事：
1. 梯度检验：在很小的输入上（float64）比较反向传播与数值微分的梯度；
2. 训练：每轮打印损失和精度，并打印“每步耗时”（一个批量 100 的梯度 + 一次 Adam 更新，不含评估）；
3. 画出第一层的 30 个卷积核在训练前后的样子，以及学习曲线。
损失变成 nan/inf 或涨到开始时的 10 倍以上（学习率太大）时停下，打印原因并以非零退出码结束，不写结果。
"""
import time

import numpy as np
from tqdm import tqdm

from common.cli import run, script_parser
from common.divergence import DivergenceGuard
from common.load_data import get_data
from common.optimizer import Adam
from common.paths import save_json
from common.plotting import plt, save_figure, show
from common.quick import is_quick, pick
from common.seed import set_seed
from common.util import minibatches
from simple_conv_net import SimpleConvNet

GRADIENT_CHECK_TOLERANCE = 1e-6  # float64 下中心差分的误差约 1e-8 量级；超过 1e-6 说明反向传播写错了


def parse_args():
    parser = script_parser("NumPy 实现的 SimpleConvNet（MNIST）", epochs=pick(real=20, quick=1), batch_size=100, lr=0.001,
                           seed=42, help={"lr": "Adam 的初始学习率（按余弦曲线降到 0）"})
    return parser.parse_args()


def gradient_check():
    """在 2 张 1×10×10 的小图上比较反向传播和数值微分，返回各参数的最大绝对误差。"""
    rng = np.random.default_rng(0)
    net = SimpleConvNet(input_dim=(1, 10, 10), filter_num=3, filter_size=3, hidden_size=8, dtype=np.float64)
    x = rng.standard_normal((2, 1, 10, 10))
    t = np.array([1, 7])
    backprop = net.gradient(x, t)
    numerical = net.numerical_gradient(x, t)
    errors = {key: float(np.max(np.abs(backprop[key] - numerical[key]))) for key in net.params}
    print("梯度检验（反向传播 vs 数值微分，最大绝对误差）：" + "，".join(f"{k} {v:.1e}" for k, v in errors.items()))
    worst = max(errors.values())
    if worst > GRADIENT_CHECK_TOLERANCE:
        raise RuntimeError(f"梯度检验失败：最大误差 {worst:.1e} 超过 {GRADIENT_CHECK_TOLERANCE:.0e}，"
                           "请检查 common/layers.py 中 Convolution / Pooling 的 backward")
    return errors


def plot_filters(before, after):
    """第一层的卷积核：上两行训练前（随机），下两行训练后。"""
    count = before.shape[0]
    cols = 15
    rows = int(np.ceil(count / cols))
    fig, axes = plt.subplots(2 * rows, cols, figsize=(cols * 0.9, 2 * rows * 1.05))
    for ax in axes.flat:
        ax.axis("off")
    for block, (weights, label) in enumerate([(before, "训练前"), (after, "训练后")]):
        for i in range(count):
            ax = axes[block * rows + i // cols, i % cols]
            ax.imshow(weights[i, 0], cmap="gray_r", interpolation="nearest")
        axes[block * rows, 0].set_title(label, fontsize=10, loc="left")
    fig.suptitle("第一层卷积的 30 个 5×5 卷积核（训练前是随机噪声，训练后出现边缘、笔画等模式）")
    fig.tight_layout()
    save_figure(fig, "ch08_cnn/simple_convnet_filters.png")


def plot_curves(history):
    epochs = np.arange(1, len(history["train_loss"]) + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4))
    ax_loss.plot(epochs, history["train_loss"], "o-")
    ax_loss.set_xlabel("轮数（epoch）")
    ax_loss.set_ylabel("平均训练损失")
    ax_loss.set_yscale("log")
    ax_loss.set_title("训练损失（对数刻度）")
    ax_acc.plot(epochs, history["train_acc"], "o-", label="训练数据")
    ax_acc.plot(epochs, history["test_acc"], "s--", label="测试数据")
    ax_acc.set_xlabel("轮数（epoch）")
    ax_acc.set_ylabel("识别精度")
    ax_acc.set_title(f"识别精度（最终测试精度 {history['test_acc'][-1]:.4f}）")
    ax_acc.legend()
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
    fig.suptitle("NumPy 实现的 SimpleConvNet 在 MNIST 上的训练")
    fig.tight_layout()
    save_figure(fig, "ch08_cnn/simple_convnet_training.png")


def main():
    args = parse_args()
    start = time.perf_counter()
    set_seed(args.seed)  # 梯度检验用的小网络也用固定的随机初始值
    gradient_errors = gradient_check()

    x_train, x_test, y_train, y_test = get_data("mnist", flatten=False, n_train=pick(real=None, quick=2000),
                                                n_test=pick(real=None, quick=500))
    print(f"训练数据 {x_train.shape} {x_train.dtype}，测试数据 {x_test.shape}")
    set_seed(args.seed)
    # 全连接层用 He 初始值；第一层的卷积核像书中那样从 0.01 的小随机数开始，
    # 训练后它们的样子几乎全是学出来的（用 He 初始值时，随机的初始图案会一直占主导，看不出学到了什么）
    network = SimpleConvNet(filter_init_std=0.01, dtype=np.float32)
    optimizer = Adam(lr=args.lr)
    guard = DivergenceGuard()  # 损失变成 nan/inf，或涨到开始时的 10 倍以上，就停下
    filters_before = network.params["W1"].copy()
    steps_per_epoch = int(np.ceil(len(x_train) / args.batch_size))
    total_steps = args.epochs * steps_per_epoch
    # 训练精度在固定的 10,000 张训练图像上估计（全部 60,000 张要多花几秒，趋势相同）
    train_subset = np.random.default_rng(args.seed).permutation(len(x_train))[:10000]

    history = {"train_loss": [], "train_acc": [], "test_acc": []}
    train_seconds, step = 0.0, 0
    for epoch in range(1, args.epochs + 1):
        losses = []
        epoch_start = time.perf_counter()
        for x_batch, t_batch in tqdm(minibatches(x_train, y_train, args.batch_size), total=steps_per_epoch,
                                     desc=f"第 {epoch} 轮", leave=False, mininterval=2):
            # 余弦学习率：从 lr 平滑地降到 0，后期的小步子让精度再提高一点
            optimizer.lr = args.lr * 0.5 * (1 + np.cos(np.pi * step / total_steps))
            grads = network.gradient(x_batch, t_batch)
            losses.append(guard.check(network.last_layer.loss, where=f"第 {epoch} 轮第 {step + 1} 步"))
            optimizer.update(network.params, grads)
            step += 1
        train_seconds += time.perf_counter() - epoch_start

        history["train_loss"].append(float(np.mean(losses)))
        history["train_acc"].append(network.accuracy(x_train[train_subset], y_train[train_subset]))
        history["test_acc"].append(network.accuracy(x_test, y_test))
        tqdm.write(f"第 {epoch:2d}/{args.epochs} 轮：平均损失 {history['train_loss'][-1]:.4f}，"
                   f"训练精度 {history['train_acc'][-1]:.4f}，测试精度 {history['test_acc'][-1]:.4f}")

    seconds_per_step = train_seconds / step
    seconds = time.perf_counter() - start
    print(f"每步耗时 {seconds_per_step:.4f} 秒（批量 {args.batch_size} 的梯度 + 一次 Adam 更新，共 {step} 步）")
    print(f"完成：{args.epochs} 轮，测试精度 {history['test_acc'][-1]:.4f}，总用时 {seconds:.0f} 秒")

    save_json("ch08_cnn/5_simple_convnet_numpy.json", {
        "test_accuracy": history["test_acc"][-1],
        "train_accuracy_10k": history["train_acc"][-1],
        "seconds_per_step": round(seconds_per_step, 5),
        "train_seconds": round(train_seconds, 1),
        "seconds": round(seconds, 1),
        "gradient_check_max_abs_error": gradient_errors,
        "quick_mode": is_quick(),
        "settings": {"network": "Conv(30, 5×5) - ReLU - Pool(2×2) - Affine(100) - ReLU - Affine(10)",
                     "init": "卷积核 N(0, 0.01²)，全连接层 He 初始值",
                     "optimizer": "Adam", "lr": args.lr, "schedule": "余弦衰减到 0", "epochs": args.epochs,
                     "batch_size": args.batch_size, "steps": step, "dtype": "float32",
                     "n_train": len(x_train), "n_test": len(x_test), "seed": args.seed},
        "history": history,  # 每轮的平均训练损失、训练精度（固定的 10,000 张）、测试精度
    })
    plot_filters(filters_before, network.params["W1"])
    plot_curves(history)
    show()


if __name__ == "__main__":
    run(main)
