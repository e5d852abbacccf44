"""在完整的 MNIST 上用反向传播训练两层神经网络（本仓库的主训练任务）。

    python ch04_backward/1_digit_recognizer_nn_train.py          # 完整训练，普通 CPU 上不到 1 分钟
    DL_QUICK=1 python ch04_backward/1_digit_recognizer_nn_train.py   # 快速模式，几秒钟

网络 784-100-10（ReLU，He 初始值），Momentum，批量大小 100，共 20 轮（epoch）。
每一轮把 60,000 张训练图像打乱后恰好各用一次（600 次参数更新）。
每轮结束时记录平均损失、训练精度与测试精度；最后画出损失曲线与精度曲线，
并把结果（精度、损失、耗时、峰值内存、设置）保存为 JSON。
全程使用 float32：矩阵乘法比 float64 快一倍左右，内存也减半，精度不受影响。
"""
import sys
import time
import tracemalloc

import numpy as np
from matplotlib.ticker import MaxNLocator
from tqdm import tqdm

from common.cli import run
from common.load_data import get_data
from common.optimizer import Momentum
from common.paths import save_json
from common.plotting import plt, save_figure, show
from common.quick import is_quick, pick
from common.seed import set_seed
from common.divergence import check_finite_loss
from common.util import minibatches, smooth_curve
from two_layer_net import TwoLayerNet

try:
    import resource  # 只有 Unix（Linux、macOS）有这个标准库模块
except ImportError:  # Windows：改用 tracemalloc 统计 Python（含 NumPy 数组）分配的内存峰值
    resource = None
    tracemalloc.start()

SEED = 42
HIDDEN_SIZE = 100
EPOCHS = pick(real=20, quick=2)
BATCH_SIZE = 100
LEARNING_RATE = 0.05
MOMENTUM = 0.9
N_TRAIN = pick(real=None, quick=3000)  # None 表示全部 60,000 张
N_TEST = pick(real=None, quick=1000)  # None 表示全部 10,000 张


def peak_memory_mb():
    """本进程到目前为止的内存峰值（MB）及测量方法。"""
    if resource is not None:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # 常驻内存（RSS）的峰值
        # Linux 上单位是 KB，macOS 上是字节
        return (peak / 2**20 if sys.platform == "darwin" else peak / 2**10), "ru_maxrss"
    return tracemalloc.get_traced_memory()[1] / 2**20, "tracemalloc"


def main():
    # ---------------------------------------------------------------- 数据
    x_train, x_test, y_train, y_test = get_data("mnist", n_train=N_TRAIN, n_test=N_TEST)
    print(f"训练数据 {x_train.shape} {x_train.dtype}，测试数据 {x_test.shape}")

    # ---------------------------------------------------------------- 模型与优化器
    set_seed(SEED)
    network = TwoLayerNet(input_size=784, hidden_size=HIDDEN_SIZE, output_size=10, dtype=np.float32)
    optimizer = Momentum(lr=LEARNING_RATE, momentum=MOMENTUM)
    iters_per_epoch = int(np.ceil(len(x_train) / BATCH_SIZE))

    # ---------------------------------------------------------------- 训练
    iteration_losses = []  # 每次更新时小批量的损失
    epoch_losses, train_acc_list, test_acc_list = [], [], []  # 每轮一个值
    train_seconds = 0.0  # 只算梯度与更新，不含每轮的精度评估
    start = time.perf_counter()
    for epoch in range(1, EPOCHS + 1):
        epoch_start = time.perf_counter()
        batches = minibatches(x_train, y_train, BATCH_SIZE)  # 每轮重新打乱，每个样本恰好一次
        for x_batch, t_batch in tqdm(batches, total=iters_per_epoch, desc=f"第 {epoch}/{EPOCHS} 轮",
                                     leave=False, mininterval=1):
            grads = network.gradient(x_batch, t_batch)  # 反向传播
            # gradient() 正向时算出的损失；变成 nan/inf 说明训练发散了，停下并说明（不再拿坏掉的梯度更新）
            iteration_losses.append(check_finite_loss(network.last_layer.loss, where=f"第 {epoch} 轮"))
            optimizer.update(network.params, grads)
        train_seconds += time.perf_counter() - epoch_start

        epoch_losses.append(float(np.mean(iteration_losses[-iters_per_epoch:])))
        train_acc_list.append(network.accuracy(x_train, y_train))
        test_acc_list.append(network.accuracy(x_test, y_test))
        tqdm.write(f"第 {epoch:2d} 轮：平均损失 {epoch_losses[-1]:.4f}，"
                   f"训练精度 {train_acc_list[-1]:.4f}，测试精度 {test_acc_list[-1]:.4f}")
    total_seconds = time.perf_counter() - start

    # ---------------------------------------------------------------- 结果
    peak_mb, memory_method = peak_memory_mb()
    n_iterations = len(iteration_losses)
    print(f"完成：{EPOCHS} 轮 {n_iterations} 次更新，测试精度 {test_acc_list[-1]:.4f}"
          f"（训练精度 {train_acc_list[-1]:.4f}），用时 {total_seconds:.1f} 秒"
          f"（其中训练 {train_seconds:.1f} 秒，每次更新 {1000 * train_seconds / n_iterations:.2f} 毫秒），"
          f"峰值内存 {peak_mb:.0f} MB")
    save_json("ch04_backward/1_digit_recognizer_nn_train.json", {
        "test_accuracy": test_acc_list[-1],
        "train_accuracy": train_acc_list[-1],
        "final_epoch_loss": epoch_losses[-1],
        "total_seconds": round(total_seconds, 2),
        "train_seconds": round(train_seconds, 2),
        "ms_per_iteration": round(1000 * train_seconds / n_iterations, 4),
        "peak_memory_mb": round(peak_mb, 1),
        "peak_memory_method": memory_method,
        "quick_mode": is_quick(),
        "settings": {
            "network": f"784-{HIDDEN_SIZE}-10, ReLU, He 初始值",
            "dtype": "float32", "optimizer": "Momentum", "learning_rate": LEARNING_RATE,
            "momentum": MOMENTUM, "epochs": EPOCHS, "batch_size": BATCH_SIZE, "iterations": n_iterations,
            "n_train": len(x_train), "n_test": len(x_test), "seed": SEED,
        },
        "epoch_losses": epoch_losses,
        "train_acc_list": train_acc_list,
        "test_acc_list": test_acc_list,
    })

    # ---------------------------------------------------------------- 图：损失曲线与精度曲线
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(12, 4.5))
    iterations = np.arange(1, n_iterations + 1)
    ax_loss.plot(iterations, iteration_losses, color="tab:blue", alpha=0.25, linewidth=0.6, label="每个小批量")
    ax_loss.plot(iterations, smooth_curve(iteration_losses, window=51), color="tab:blue", label="滑动平均")
    ax_loss.plot(np.arange(1, EPOCHS + 1) * iters_per_epoch, epoch_losses, "o-", color="tab:red", label="每轮平均")
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("参数更新次数")
    ax_loss.set_ylabel("交叉熵误差（对数刻度）")
    ax_loss.set_title("训练损失")
    ax_loss.legend()

    epochs = np.arange(1, EPOCHS + 1)
    ax_acc.plot(epochs, train_acc_list, "o-", label="训练数据")
    ax_acc.plot(epochs, test_acc_list, "s--", label="测试数据")
    ax_acc.xaxis.set_major_locator(MaxNLocator(integer=True))  # 轮数只取整数刻度
    ax_acc.set_xlabel("轮数（epoch）")
    ax_acc.set_ylabel("识别精度")
    ax_acc.set_title(f"识别精度（最终测试精度 {test_acc_list[-1]:.4f}）")
    ax_acc.grid(alpha=0.3)
    ax_acc.legend()
    fig.suptitle(f"两层网络 784-{HIDDEN_SIZE}-10 的反向传播训练（MNIST）")
    fig.tight_layout()
    save_figure(fig, "ch04_backward/1_digit_recognizer_nn_train.png")
    show()


if __name__ == "__main__":
    run(main)
