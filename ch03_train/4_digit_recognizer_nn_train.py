"""用数值梯度做小批量训练（mini-batch learning）——以及它为什么慢得没法用。

    python ch03_train/4_digit_recognizer_nn_train.py      # 约 1～2 分钟

训练循环本身是完整的：每次从训练数据中取一个小批量，用数值微分求梯度，沿负梯度方向更新参数。
但数值梯度要对每个参数做两次正向传播：784-50-10 的网络有 39,760 个参数，
求一次梯度就要正向传播约 8 万次。照书中的设置（10,000 次更新、批量大小 100）在完整 MNIST 上训练，
要花上几天。所以本脚本默认只训练一个很小的网络（隐藏层 10 个神经元、500 张训练图像、几十次更新），
约一分钟跑完，并且：
  1. 实测每次更新（求数值梯度 + 更新参数）要多少秒；
  2. 推算真实设置要多久：一次数值梯度 = 参数个数 × (2 × 一次损失计算 + 每个参数的其他开销)。
     先把小网络实测的每次更新时间拆成这两部分，再在真实大小的网络与批上实测一次损失计算的时间，
     代回公式（ch04_backward/2_gradient_check.py 直接实测了一次真实大小的数值梯度，可以对照）；
  3. 画出小网络学到了什么：损失曲线、训练与测试精度。
理论第 3 章的反向传播把同样的梯度算得快上万倍（见 ch04_backward/2_gradient_check.py），
在完整 MNIST 上训练 20 轮（12,000 次更新）不到一分钟。
"""
import time

import numpy as np
from tqdm import tqdm

from common.cli import run
from common.load_data import get_data
from common.paths import save_json
from common.plotting import plt, save_figure, show
from common.quick import is_quick, pick
from common.seed import set_seed
from common.divergence import check_finite_loss
from common.util import minibatches
from two_layer_net import TwoLayerNet

SEED = 42
# 实际训练的小网络与小数据（快速模式下更小）
HIDDEN_SIZE = pick(real=10, quick=3)
N_TRAIN = pick(real=500, quick=100)
BATCH_SIZE = pick(real=20, quick=10)
ITERATIONS = pick(real=50, quick=2)
LEARNING_RATE = 1.0  # 小网络、步数少，学习率取大一些才看得出进步
WEIGHT_INIT_STD = 0.05
EVAL_INTERVAL = pick(real=5, quick=1)  # 每隔几次更新测一次精度
# 推算的对象：书中的设置（在完整 MNIST 上）
REAL_HIDDEN_SIZE = 50
REAL_BATCH_SIZE = 100
REAL_ITERATIONS = 10_000
LOSS_TIMING_REPEATS = pick(real=200, quick=20)  # 测一次损失计算的耗时：重复多次取中位数


def seconds_per_loss(network, x, t, repeats):
    """network.loss(x, t) 一次的耗时（秒），取 repeats 次的中位数。"""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        network.loss(x, t)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def count_params(network):
    return int(sum(p.size for p in network.params.values()))


def endless_batches(x, t, batch_size):
    """一轮接一轮地产出小批量：每轮把数据打乱一次，每个样本用一次。"""
    while True:
        yield from minibatches(x, t, batch_size)


def main():
    # ---------------------------------------------------------------- 数据（float64：数值微分需要）
    x_train, x_test, y_train, y_test = get_data("mnist", n_train=N_TRAIN)
    x_train, x_test = x_train.astype(np.float64), x_test.astype(np.float64)

    # ---------------------------------------------------------------- 小网络的训练
    set_seed(SEED)
    network = TwoLayerNet(input_size=784, hidden_size=HIDDEN_SIZE, output_size=10, weight_init_std=WEIGHT_INIT_STD)
    n_params = count_params(network)
    print(f"训练：网络 784-{HIDDEN_SIZE}-10（{n_params:,} 个参数），{N_TRAIN} 张训练图像，"
          f"批量大小 {BATCH_SIZE}，{ITERATIONS} 次更新，学习率 {LEARNING_RATE}")

    train_loss_list = []  # 每次更新前小批量上的损失
    eval_iterations, train_acc_list, test_acc_list = [0], [network.accuracy(x_train, y_train)], [network.accuracy(x_test, y_test)]
    train_seconds = 0.0
    batches = endless_batches(x_train, y_train, BATCH_SIZE)
    progress = tqdm(range(1, ITERATIONS + 1), desc="数值梯度训练", mininterval=1)
    for iteration in progress:
        x_batch, t_batch = next(batches)
        start = time.perf_counter()
        grads = network.numerical_gradient(x_batch, t_batch)  # 慢在这里
        for key in network.params:  # 随机梯度下降（SGD）：沿负梯度方向走一小步
            network.params[key] -= LEARNING_RATE * grads[key]
        train_seconds += time.perf_counter() - start

        loss = network.loss(x_batch, t_batch)
        train_loss_list.append(check_finite_loss(loss, where=f"第 {iteration} 次更新后"))  # nan/inf：训练发散，停下并说明
        progress.set_postfix(损失=f"{train_loss_list[-1]:.3f}")
        if iteration % EVAL_INTERVAL == 0 or iteration == ITERATIONS:
            eval_iterations.append(iteration)
            train_acc_list.append(network.accuracy(x_train, y_train))
            test_acc_list.append(network.accuracy(x_test, y_test))
    seconds_per_iteration = train_seconds / ITERATIONS
    print(f"训练完成：训练精度 {train_acc_list[-1]:.3f}，测试精度 {test_acc_list[-1]:.3f}（10,000 张测试图像）；"
          f"每次更新 {seconds_per_iteration:.2f} 秒")

    # ---------------------------------------------------------------- 推算：真实设置要多久
    # 一次数值梯度 = 对每个参数各算 2 次损失，外加每个参数上一点固定的开销（扰动、恢复、Python 循环）。
    # 先在小网络上把实测的每次更新时间拆成这两部分：
    small_loss_seconds = seconds_per_loss(network, x_batch, t_batch, LOSS_TIMING_REPEATS)
    overhead_per_param = max(seconds_per_iteration / n_params - 2 * small_loss_seconds, 0.0)
    print(f"拆解：小网络每次更新 {seconds_per_iteration:.2f} 秒 = {n_params:,} 个参数 × "
          f"(2 × {1000 * small_loss_seconds:.3f} 毫秒的损失计算 + {1000 * overhead_per_param:.3f} 毫秒的其他开销)")

    # 再在真实大小的网络与批上实测一次损失计算的时间（网络的权重取什么值不影响耗时）
    real_network = TwoLayerNet(input_size=784, hidden_size=REAL_HIDDEN_SIZE, output_size=10)
    real_params = count_params(real_network)
    x_real_batch, _, t_real_batch, _ = get_data("mnist", n_train=REAL_BATCH_SIZE, n_test=1)
    real_loss_seconds = seconds_per_loss(real_network, x_real_batch.astype(np.float64), t_real_batch,
                                         LOSS_TIMING_REPEATS)
    real_seconds_per_iteration = real_params * (2 * real_loss_seconds + overhead_per_param)
    real_total_seconds = real_seconds_per_iteration * REAL_ITERATIONS
    print(f"推算：784-{REAL_HIDDEN_SIZE}-10、批量大小 {REAL_BATCH_SIZE}（书中的设置）：实测一次损失计算 "
          f"{1000 * real_loss_seconds:.3f} 毫秒，每次更新约 {real_params:,} × "
          f"(2 × {1000 * real_loss_seconds:.3f} + {1000 * overhead_per_param:.3f}) 毫秒 "
          f"= {real_seconds_per_iteration:.0f} 秒；")
    print(f"      {REAL_ITERATIONS:,} 次更新约 {real_total_seconds:,.0f} 秒 ≈ {real_total_seconds / 3600:,.0f} 小时"
          f" ≈ {real_total_seconds / 86400:.1f} 天。同样的训练用反向传播（理论第 3 章，ch04_backward）只要十秒左右。")

    save_json("ch03_train/4_digit_recognizer_nn_train.json", {
        "train_accuracy": train_acc_list[-1],
        "test_accuracy": test_acc_list[-1],
        "final_batch_loss": train_loss_list[-1],
        "seconds_per_iteration": seconds_per_iteration,
        "train_seconds": train_seconds,
        "cost_breakdown_small_network": {
            "seconds_per_loss": small_loss_seconds, "overhead_seconds_per_param": overhead_per_param,
        },
        "extrapolation": {
            "method": "每次更新 = 参数个数 × (2 × 一次损失计算 + 每个参数的其他开销)；"
                      "损失计算在真实大小的网络与批上实测，其他开销取自小网络的实测",
            "network": f"784-{REAL_HIDDEN_SIZE}-10", "n_params": real_params, "batch_size": REAL_BATCH_SIZE,
            "iterations": REAL_ITERATIONS, "seconds_per_loss": real_loss_seconds,
            "seconds_per_iteration": real_seconds_per_iteration, "total_seconds": real_total_seconds,
            "total_hours": real_total_seconds / 3600,
        },
        "quick_mode": is_quick(),
        "settings": {
            "network": f"784-{HIDDEN_SIZE}-10, sigmoid", "n_params": n_params, "n_train": N_TRAIN,
            "n_test": len(x_test), "batch_size": BATCH_SIZE, "iterations": ITERATIONS,
            "learning_rate": LEARNING_RATE, "weight_init_std": WEIGHT_INIT_STD, "dtype": "float64", "seed": SEED,
        },
    })

    # ---------------------------------------------------------------- 图：损失与精度
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(12, 4.5))
    ax_loss.plot(np.arange(1, ITERATIONS + 1), train_loss_list, "o-", markersize=3)
    ax_loss.set_xlabel("参数更新次数")
    ax_loss.set_ylabel("小批量上的交叉熵误差")
    ax_loss.set_title("损失函数的变化")
    ax_loss.grid(alpha=0.3)
    ax_acc.plot(eval_iterations, train_acc_list, "o-", label=f"训练数据（{N_TRAIN} 张）")
    ax_acc.plot(eval_iterations, test_acc_list, "s--", label=f"测试数据（{len(x_test):,} 张）")
    ax_acc.axhline(0.1, color="gray", linestyle=":", label="随机猜测（0.1）")
    ax_acc.set_xlabel("参数更新次数")
    ax_acc.set_ylabel("识别精度")
    ax_acc.set_title("识别精度")
    ax_acc.grid(alpha=0.3)
    ax_acc.legend()
    fig.suptitle(f"数值梯度训练小网络 784-{HIDDEN_SIZE}-10：每次更新 {seconds_per_iteration:.2f} 秒；"
                 f"784-{REAL_HIDDEN_SIZE}-10 训练 {REAL_ITERATIONS:,} 次约需 {real_total_seconds / 3600:,.0f} 小时")
    fig.tight_layout()
    save_figure(fig, "ch03_train/4_digit_recognizer_nn_train.png")
    show()


if __name__ == "__main__":
    run(main)
