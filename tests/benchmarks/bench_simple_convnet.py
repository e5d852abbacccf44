"""NumPy 实现的 SimpleConvNet（ch08_cnn/simple_conv_net.py）每个训练步的耗时。

不是测试（文件名不以 test_ 开头，pytest 不会收集），在仓库根目录以模块方式运行：
    python -m tests.benchmarks.bench_simple_convnet
一步 = 一个批量 100 的 MNIST 小批量上的 gradient()（正向 + 反向传播）+ 一次 Adam 更新，与
ch08_cnn/5_simple_convnet_numpy.py 训练时的一步完全相同（float32）。先预热 20 步，再连续计时 300 步，
报告每步的中位数、平均值和最快的十分之一；另外分别报告各层正向、反向所占的时间。
目标：每步不超过 0.033 秒（同一台 2 核机器上，书中原版的 SimpleConvNet 约 0.067 秒）。
"""
import sys
import time
from collections import defaultdict

import numpy as np

from common.load_data import get_data
from common.optimizer import Adam
from common.chapters import load

BATCH_SIZE = 100
WARMUP_STEPS = 20
TIMED_STEPS = 300
TARGET_SECONDS = 0.033


def main():
    # 章节文件夹不是包，按路径导入（与 tests/test_ch08.py 用同一个辅助函数）
    SimpleConvNet = load("ch08_cnn/simple_conv_net.py").SimpleConvNet
    x_train, _, y_train, _ = get_data("mnist", flatten=False)
    np.random.seed(0)
    network = SimpleConvNet(dtype=np.float32)
    optimizer = Adam(lr=0.001)
    order = np.random.permutation(len(x_train))

    def batch(step):
        index = order[(step * BATCH_SIZE) % len(x_train):][:BATCH_SIZE]
        return x_train[index], y_train[index]

    for step in range(WARMUP_STEPS):
        x, t = batch(step)
        optimizer.update(network.params, network.gradient(x, t))

    step_seconds = []
    for step in range(WARMUP_STEPS, WARMUP_STEPS + TIMED_STEPS):
        x, t = batch(step)
        start = time.perf_counter()
        grads = network.gradient(x, t)
        optimizer.update(network.params, grads)
        step_seconds.append(time.perf_counter() - start)
    step_seconds = np.array(step_seconds)

    # 各层分别计时（另跑 50 步，与上面的数字分开，计时本身有一点开销）
    layer_seconds = defaultdict(float)
    for step in range(50):
        x, t = batch(step)
        out = x
        for name, layer in network.layers.items():
            start = time.perf_counter()
            out = layer.forward(out)
            layer_seconds[f"{name}.forward"] += time.perf_counter() - start
        network.last_layer.forward(out, t)
        dout = network.last_layer.backward(1)
        for name, layer in reversed(network.layers.items()):
            start = time.perf_counter()
            dout = layer.backward(dout)
            layer_seconds[f"{name}.backward"] += time.perf_counter() - start

    median = float(np.median(step_seconds))
    print(f"SimpleConvNet 训练一步（批量 {BATCH_SIZE}，gradient + Adam，float32，{TIMED_STEPS} 步）：")
    print(f"  中位数 {median:.4f} 秒，平均 {step_seconds.mean():.4f} 秒，"
          f"最快的十分之一 {np.percentile(step_seconds, 10):.4f} 秒")
    print("  各层（50 步平均，毫秒）：" + "，".join(f"{k} {1000 * v / 50:.2f}" for k, v in layer_seconds.items()))
    verdict = "达到" if median <= TARGET_SECONDS else "没有达到"
    print(f"  {verdict}目标：每步不超过 {TARGET_SECONDS} 秒")
    return 0 if median <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
