"""批处理（batch）：一次把 100 张图像送进网络，比逐张处理快得多。

    python ch02_nn_base/3_digit_recognizer_batch.py

形状的变化：x (100, 784) @ W1 (784, 50) → (100, 50) → … → y (100, 10)，每行是一张图的概率。
代码与逐张处理几乎一样，只是每次的 x 多了一维。快的原因：
一次大的矩阵乘法交给高度优化的数值库（BLAS）完成，省掉了 Python 循环逐张调用的开销，
也更充分地利用了 CPU 的缓存与向量指令。本脚本实测两种方式的用时，并比较几种批量大小。

注意：BLAS 遇到较大的矩阵会自动开多个线程。如果别的程序已经占满了 CPU，线程之间互相等待，
批处理反而可能变慢；这时可以设置环境变量 OPENBLAS_NUM_THREADS=1（只用一个线程）再运行对比。
"""
import time

import numpy as np

from common.cli import run
from common.load_data import get_data, load_nn_sample
from common.paths import save_json
from common.plotting import plt, save_figure, show
from common.quick import is_quick, pick
from sample_network import predict

BATCH_SIZE = 100
N_TEST = pick(real=None, quick=1000)  # None 表示全部 10,000 张
REPEATS = pick(real=3, quick=1)  # 每种方式测几次，取最快的一次（排除其他程序的干扰）
COMPARED_BATCH_SIZES = [1, 10, 100, 1000, 10000]


def predict_in_batches(network, x, batch_size):
    """按批推理，返回每张图像的预测类别 (N,)。"""
    predictions = np.empty(len(x), dtype=np.int64)
    for start in range(0, len(x), batch_size):
        y_batch = predict(network, x[start:start + batch_size])  # (batch_size, 10)
        predictions[start:start + batch_size] = np.argmax(y_batch, axis=1)  # 每行取最大的类别
    return predictions


def predict_one_by_one(network, x):
    """逐张推理（与 2_digit_recognizer.py 相同），返回预测类别 (N,)。"""
    return np.array([np.argmax(predict(network, image)) for image in x])


def best_time(function, *args):
    """运行 REPEATS 次，返回 (最后一次的结果, 最短用时秒数)。"""
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = function(*args)
        times.append(time.perf_counter() - start)
    return result, min(times)


def main():
    _, x_test, _, t_test = get_data("mnist", n_test=N_TEST, n_train=1)
    network = load_nn_sample()
    y_first_batch = predict(network, x_test[:BATCH_SIZE])
    print(f"一批的形状：x {x_test[:BATCH_SIZE].shape} → y {y_first_batch.shape}")

    batch_predictions, batch_seconds = best_time(predict_in_batches, network, x_test, BATCH_SIZE)
    single_predictions, single_seconds = best_time(predict_one_by_one, network, x_test)
    accuracy = float(np.mean(batch_predictions == t_test))
    same = bool(np.array_equal(batch_predictions, single_predictions))
    speedup = single_seconds / batch_seconds
    print(f"识别精度 {accuracy:.4f}（{len(x_test):,} 张），与逐张处理的结果{'完全相同' if same else '不同！'}")
    print(f"逐张处理 {single_seconds:.3f} 秒，批量大小 {BATCH_SIZE} 处理 {batch_seconds:.3f} 秒："
          f"批处理快 {speedup:.0f} 倍（{REPEATS} 次中最快的一次）")

    # ---------------------------------------------------------------- 不同的批量大小
    sizes = [size for size in COMPARED_BATCH_SIZES if size <= len(x_test)]
    seconds_by_size = {}
    for size in sizes:
        _, seconds_by_size[size] = best_time(predict_in_batches, network, x_test, size)
        print(f"  批量大小 {size:>6,}：{seconds_by_size[size]:.4f} 秒")

    save_json("ch02_nn_base/3_digit_recognizer_batch.json", {
        "accuracy": accuracy, "n_test": len(x_test), "batch_size": BATCH_SIZE,
        "one_by_one_seconds": single_seconds, "batch_seconds": batch_seconds, "speedup": speedup,
        "same_predictions": same, "seconds_by_batch_size": {str(k): v for k, v in seconds_by_size.items()},
        "repeats": REPEATS, "quick_mode": is_quick(),
    })

    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    ax.plot(sizes, [seconds_by_size[size] for size in sizes], "o-", label="按批处理")
    ax.axhline(single_seconds, color="gray", linestyle="--", label="逐张处理（Python 循环）")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("批量大小（对数刻度）")
    ax.set_ylabel(f"识别 {len(x_test):,} 张图像的用时 / 秒（对数刻度）")
    ax.set_title(f"批处理的速度：批量大小 {BATCH_SIZE} 比逐张处理快 {speedup:.0f} 倍")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    save_figure(fig, "ch02_nn_base/3_digit_recognizer_batch.png")
    show()


if __name__ == "__main__":
    run(main)
