"""手写数字识别：用训练好的权重（data/nn_sample）对 10,000 张 MNIST 测试图像逐张推理。

    python ch02_nn_base/2_digit_recognizer.py

网络 784-50-100-10（见 sample_network.py）：每张 28×28 的图像展平成 784 个 [0, 1] 之间的数，
正向传播得到 10 个类别的概率，概率最大的类别就是识别结果。
这里一张一张地处理（for 循环），下一个脚本 3_digit_recognizer_batch.py 改成成批处理，对比速度。
"""
import time

import numpy as np
from tqdm import tqdm

from common.cli import run
from common.load_data import get_data, load_nn_sample
from common.paths import save_json
from common.plotting import plt, save_figure, show
from common.quick import is_quick, pick
from sample_network import predict

N_TEST = pick(real=None, quick=1000)  # None 表示全部 10,000 张
N_SHOWN_FIRST = 16  # 图中展示的前若干张测试图像
N_SHOWN_WRONG = 8  # 再加上其后若干张识别错的


def main():
    _, x_test, _, t_test = get_data("mnist", n_test=N_TEST, n_train=1)  # 推理只需要测试数据
    network = load_nn_sample()
    print("权重形状：", {key: value.shape for key, value in network.items()})

    # ---------------------------------------------------------------- 逐张推理
    predictions = np.empty(len(x_test), dtype=np.int64)
    start = time.perf_counter()
    for i in tqdm(range(len(x_test)), desc="逐张识别", mininterval=1):
        y = predict(network, x_test[i])  # x_test[i]: (784,) → y: (10,)
        predictions[i] = np.argmax(y)  # 概率最大的类别
    seconds = time.perf_counter() - start

    accuracy = float(np.mean(predictions == t_test))
    wrong = np.flatnonzero(predictions != t_test)
    print(f"识别精度 {accuracy:.4f}（{len(x_test):,} 张中识别对 {len(x_test) - len(wrong):,} 张），"
          f"逐张推理用时 {seconds:.2f} 秒（每张 {1e6 * seconds / len(x_test):.0f} 微秒）")
    save_json("ch02_nn_base/2_digit_recognizer.json", {
        "accuracy": accuracy, "n_test": len(x_test), "n_wrong": int(len(wrong)),
        "seconds": seconds, "quick_mode": is_quick(),
    })

    # ---------------------------------------------------------------- 图：一些测试图像与识别结果（错的标红）
    shown = list(range(N_SHOWN_FIRST)) + [i for i in wrong if i >= N_SHOWN_FIRST][:N_SHOWN_WRONG]
    columns = 8
    rows = int(np.ceil(len(shown) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 1.4, rows * 1.7))
    for ax in axes.ravel():
        ax.axis("off")
    for ax, index in zip(axes.ravel(), shown):
        ax.imshow(x_test[index].reshape(28, 28), cmap="gray_r")
        if predictions[index] == t_test[index]:
            ax.set_title(f"识别为 {predictions[index]}", fontsize=10)
        else:
            ax.set_title(f"识别为 {predictions[index]}\n（正确 {t_test[index]}）", fontsize=10, color="red")
    fig.suptitle(f"测试图像的识别结果（前 {N_SHOWN_FIRST} 张 + 几张识别错的，红色为错）；"
                 f"精度 {accuracy:.4f}")
    fig.tight_layout()
    save_figure(fig, "ch02_nn_base/2_digit_recognizer.png")
    show()


if __name__ == "__main__":
    run(main)
