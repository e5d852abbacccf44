"""梯度检验（gradient check）：反向传播求出的梯度与数值微分的结果是否一致，各要花多少时间。

    python ch04_backward/2_gradient_check.py

数值微分写起来简单、不容易错，但很慢；反向传播快，但实现容易出错。
所以用数值微分来检查反向传播：两者在每个参数上都应几乎相等。

第 1 部分：在 10 个样本的小批量上比较两种梯度（float64）。
  不用只有 1 个样本的批：那样 ReLU 关掉的隐藏单元、像素为 0 的输入对应的梯度大多恒为 0，
  两种方法在这些位置"一致"说明不了什么。
第 2 部分：在同一个网络 784-50-10 上，各算一次批量大小 100 的梯度，测量用时之比。
  （快速模式下换成很小的网络，只为让脚本几秒钟跑完。）
"""
import time

import numpy as np

from common.cli import run
from common.load_data import get_data
from common.paths import save_json
from common.quick import is_quick, pick
from common.seed import set_seed
from two_layer_net import TwoLayerNet

SEED = 42
HIDDEN_SIZE = pick(real=50, quick=5)
CHECK_BATCH_SIZE = 10  # 第 1 部分：比较梯度用的样本数
TIMING_BATCH_SIZE = pick(real=100, quick=10)  # 第 2 部分：测时间用的批量大小
BACKPROP_REPEATS = pick(real=100, quick=10)  # 反向传播很快，重复多次取中位数才测得准
# 判定阈值：反向传播写对时，float64 下相对误差在 1e-11～1e-8 之间（来自数值微分自身的截断误差与舍入误差）；
# 写错（例如漏了一项、转置错了）时通常在 1e-2 以上。
THRESHOLD = 1e-6


def relative_error(a, b):
    """两个梯度数组的相对误差 ||a - b|| / (||a|| + ||b||)（L2 范数），与梯度整体的大小无关。

    不逐个元素地除：许多元素的梯度只有 1e-6 左右，数值微分在这些位置上 1e-10 的截断误差
    也会显得"相对很大"，掩盖了真正要看的东西。两者都全为 0 时返回 0。
    """
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / denominator) if denominator > 0 else 0.0


def max_elementwise_relative_error(a, b, floor=1e-8):
    """逐个元素的相对误差 |a - b| / max(|a|, |b|, floor) 中的最大值（只作参考，不用来判定）。

    floor 让两边都几乎为 0 的元素不至于除以 0；梯度很小的元素上这个值会偏大，所以判定用上面的整体相对误差。
    """
    return float(np.max(np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), floor)))


def main():
    x_train, _, y_train, _ = get_data("mnist", n_train=max(CHECK_BATCH_SIZE, TIMING_BATCH_SIZE), n_test=1)
    x_train = x_train.astype(np.float64)  # 数值微分需要 float64：float32 只有约 7 位有效数字

    # ---------------------------------------------------------------- 第 1 部分：梯度是否一致
    set_seed(SEED)
    network = TwoLayerNet(input_size=784, hidden_size=HIDDEN_SIZE, output_size=10, dtype=np.float64)
    x_batch, t_batch = x_train[:CHECK_BATCH_SIZE], y_train[:CHECK_BATCH_SIZE]

    print(f"第 1 部分：网络 784-{HIDDEN_SIZE}-10，{CHECK_BATCH_SIZE} 个样本，float64，判定阈值 {THRESHOLD:g}")
    grad_backprop = network.gradient(x_batch, t_batch)
    print("  正在用数值微分求梯度（每个参数算 2 次损失，要花一些时间）……", flush=True)
    grad_numerical = network.numerical_gradient(x_batch, t_batch)

    errors = {}
    all_passed = True
    for key in network.params:
        rel = relative_error(grad_backprop[key], grad_numerical[key])
        max_rel = max_elementwise_relative_error(grad_backprop[key], grad_numerical[key])
        max_abs = float(np.abs(grad_backprop[key] - grad_numerical[key]).max())
        nonzero = float(np.mean(grad_backprop[key] != 0))
        passed = rel < THRESHOLD
        all_passed &= passed
        errors[key] = {"relative_error": rel, "max_elementwise_relative_error": max_rel,
                       "max_abs_error": max_abs, "nonzero_fraction": nonzero}
        print(f"  {key:>2s} {str(network.params[key].shape):>10s}：相对误差 {rel:.2e}，"
              f"逐元素最大相对误差 {max_rel:.2e}，最大绝对误差 {max_abs:.2e}，非零梯度占 {nonzero:.0%}"
              f"  → {'一致' if passed else '不一致！'}")
    print("结论：" + ("反向传播的梯度正确。" if all_passed else "反向传播的梯度与数值微分不一致，请检查各层的 backward。"))

    # ---------------------------------------------------------------- 第 2 部分：各要多少时间
    x_batch, t_batch = x_train[:TIMING_BATCH_SIZE], y_train[:TIMING_BATCH_SIZE]
    n_params = sum(p.size for p in network.params.values())

    print(f"第 2 部分：网络 784-{HIDDEN_SIZE}-10（{n_params:,} 个参数），批量大小 {TIMING_BATCH_SIZE}，float64，"
          f"各求一次梯度")
    times = []
    for _ in range(BACKPROP_REPEATS):
        start = time.perf_counter()
        network.gradient(x_batch, t_batch)
        times.append(time.perf_counter() - start)
    backprop_seconds = float(np.median(times))

    print(f"  正在用数值微分求梯度（{2 * n_params:,} 次正向传播，要花一些时间）……", flush=True)
    start = time.perf_counter()
    network.numerical_gradient(x_batch, t_batch)  # 太慢，只测一次
    numerical_seconds = time.perf_counter() - start
    ratio = numerical_seconds / backprop_seconds

    print(f"  反向传播：{1000 * backprop_seconds:.3f} 毫秒（{BACKPROP_REPEATS} 次的中位数）")
    print(f"  数值微分：{numerical_seconds:.2f} 秒（每个参数要算 2 次损失，共 {2 * n_params:,} 次正向传播）")
    print(f"  反向传播快 {ratio:,.0f} 倍（原课程说“快 500 多倍”，这是本机的实测值；网络越大，差距越大）")

    save_json("ch04_backward/2_gradient_check.json", {
        "all_passed": bool(all_passed),
        "threshold": THRESHOLD,
        "check": {"network": f"784-{HIDDEN_SIZE}-10", "batch_size": CHECK_BATCH_SIZE, "dtype": "float64",
                  "errors": errors},
        "timing": {"network": f"784-{HIDDEN_SIZE}-10", "n_params": int(n_params), "batch_size": TIMING_BATCH_SIZE,
                   "dtype": "float64", "backprop_seconds": backprop_seconds, "backprop_repeats": BACKPROP_REPEATS,
                   "numerical_seconds": numerical_seconds, "ratio": ratio},
        "quick_mode": is_quick(),
        "seed": SEED,
    })


if __name__ == "__main__":
    run(main)
