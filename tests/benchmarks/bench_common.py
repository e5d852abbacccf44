"""common/ 的速度基准：每个训练步（正向 + 反向 + SGD 更新）的耗时，单位毫秒。

不是测试（文件名不以 test_ 开头，pytest 不会收集），在仓库根目录运行：
    python -m tests.benchmarks.bench_common
在核数少、又有别的程序在跑的机器上，OpenBLAS 的多个线程会互相等待，矩阵乘法可能慢几十倍；
这时用单线程得到稳定的数字：
    OPENBLAS_NUM_THREADS=1 python -m tests.benchmarks.bench_common
两个网络都用 float32、批量大小 100、随机数据（计时只与形状有关）；先预热几步，再取 50 步的中位数。
  (a) 784-50-10 两层网络：Affine → Relu → Affine → SoftmaxWithLoss
  (b) 简单 CNN（卷积神经网络，ch08_cnn），输入 1×28×28：
      Conv(30 个 5×5) → Relu → Pool(2×2, 步幅 2) → Affine(100) → Relu → Affine(10) → SoftmaxWithLoss
  (c) 求一次梯度（不更新参数）：第 3 章 784-100-10 网络的 NumPy 反向传播（ch04_backward/two_layer_net.py）
      与 PyTorch 自动求导（ch06_pytorch_base/10_autograd_vs_backprop.py 的 predict + cross_entropy，CPU），
      同一组 float32 权重、同一批 100 张 MNIST 图像；torch 没装时跳过。
"""
import os
import time
from collections import OrderedDict

import numpy as np

from common.layers import Affine, Convolution, Pooling, Relu, SoftmaxWithLoss
from common.optimizer import SGD

BATCH_SIZE = 100
WARMUP_STEPS = 5
TIMED_STEPS = 50
GRADIENT_REPEATS = 200  # (c) 求一次梯度只要零点几毫秒，多取几次中位数更稳
DTYPE = np.float32


def median_ms(step, repeats=TIMED_STEPS, warmup=WARMUP_STEPS):
    """先运行 step() warmup 次（分配内存、载入代码），再计时 repeats 次，返回每次用时的中位数（毫秒）。"""
    for _ in range(warmup):
        step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    return float(np.median(times))


def make_params(shapes, rng):
    """按 {名字: 形状} 创建参数：权重 ~ N(0, 0.01^2)，偏置为 0，都是 float32。"""
    params = {}
    for name, shape in shapes.items():
        if name.startswith("b"):
            params[name] = np.zeros(shape, dtype=DTYPE)
        else:
            params[name] = (0.01 * rng.standard_normal(shape)).astype(DTYPE)
    return params


def two_layer_net(rng):
    params = make_params({"W1": (784, 50), "b1": (50,), "W2": (50, 10), "b2": (10,)}, rng)
    layers = OrderedDict()
    layers["Affine1"] = Affine(params["W1"], params["b1"])
    layers["Relu1"] = Relu()
    layers["Affine2"] = Affine(params["W2"], params["b2"])
    param_names = {"Affine1": ("W1", "b1"), "Affine2": ("W2", "b2")}
    x = rng.standard_normal((BATCH_SIZE, 784)).astype(DTYPE)
    return params, layers, param_names, x


def simple_conv_net(rng):
    params = make_params({
        "W1": (30, 1, 5, 5), "b1": (30,),
        "W2": (30 * 12 * 12, 100), "b2": (100,),
        "W3": (100, 10), "b3": (10,),
    }, rng)
    layers = OrderedDict()
    layers["Conv1"] = Convolution(params["W1"], params["b1"], stride=1, pad=0)
    layers["Relu1"] = Relu()
    layers["Pool1"] = Pooling(2, 2, stride=2)
    layers["Affine1"] = Affine(params["W2"], params["b2"])
    layers["Relu2"] = Relu()
    layers["Affine2"] = Affine(params["W3"], params["b3"])
    param_names = {"Conv1": ("W1", "b1"), "Affine1": ("W2", "b2"), "Affine2": ("W3", "b3")}
    x = rng.standard_normal((BATCH_SIZE, 1, 28, 28)).astype(DTYPE)
    return params, layers, param_names, x


def time_training_step(params, layers, param_names, x, rng):
    """返回每步耗时（毫秒）的中位数；顺便检查梯度仍是 float32。

    param_names: {层名: (权重的键, 偏置的键)}，用来按层名收集梯度。
    """
    t = rng.integers(0, 10, size=BATCH_SIZE)
    last_layer = SoftmaxWithLoss()
    optimizer = SGD(lr=0.01)

    def step():
        out = x
        for layer in layers.values():
            out = layer.forward(out)
        last_layer.forward(out, t)
        dout = last_layer.backward(1)
        for layer in reversed(layers.values()):
            dout = layer.backward(dout)
        grads = {}
        for layer_name, (weight_key, bias_key) in param_names.items():
            grads[weight_key] = layers[layer_name].dW
            grads[bias_key] = layers[layer_name].db
        optimizer.update(params, grads)
        return grads

    grads = step()
    assert all(g.dtype == DTYPE for g in grads.values()), {k: g.dtype for k, g in grads.items()}
    return median_ms(step)


def time_autograd_vs_backprop(repeats=GRADIENT_REPEATS):
    """(c) 同一组 float32 权重、同一批 MNIST 图像上求一次全部梯度：返回 (NumPy 反向传播, PyTorch 自动求导) 的毫秒数。"""
    import torch

    from common.load_data import get_data
    from common.chapters import load

    chapter = load("ch06_pytorch_base/10_autograd_vs_backprop.py")
    TwoLayerNet = load("ch04_backward/two_layer_net.py").TwoLayerNet
    np.random.seed(0)
    network = TwoLayerNet(784, chapter.HIDDEN_SIZE, 10, dtype=DTYPE)
    x, _, t, _ = get_data("mnist", n_train=BATCH_SIZE, n_test=1)
    params = chapter.params_to_tensors(network.params)
    x_tensor, t_tensor = torch.from_numpy(x), torch.from_numpy(t)

    def autograd_step():
        for p in params.values():
            p.grad = None
        chapter.cross_entropy(chapter.predict(params, x_tensor), t_tensor).backward()

    return median_ms(lambda: network.gradient(x, t), repeats), median_ms(autograd_step, repeats)


def main():
    rng = np.random.default_rng(0)
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "未设置（默认）")
    print(f"NumPy {np.__version__}，批量大小 {BATCH_SIZE}，{DTYPE.__name__}，{TIMED_STEPS} 步的中位数，"
          f"OPENBLAS_NUM_THREADS={threads}")
    ms = time_training_step(*two_layer_net(rng), rng)
    print(f"(a) 784-50-10 两层网络：{ms:.2f} ms/步")
    ms = time_training_step(*simple_conv_net(rng), rng)
    print(f"(b) Conv(30×5×5)-Relu-Pool-Affine(100)-Relu-Affine(10)：{ms:.2f} ms/步")
    try:
        import torch
    except ImportError:
        print("(c) 没有安装 torch，跳过自动求导与反向传播的计时")
        return
    numpy_ms, torch_ms = time_autograd_vs_backprop()
    print(f"(c) 784-100-10 求一次梯度（{GRADIENT_REPEATS} 次的中位数，torch {torch.__version__}，"
          f"{torch.get_num_threads()} 个线程）：NumPy 反向传播 {numpy_ms:.2f} ms，PyTorch 自动求导 {torch_ms:.2f} ms")


if __name__ == "__main__":
    main()
