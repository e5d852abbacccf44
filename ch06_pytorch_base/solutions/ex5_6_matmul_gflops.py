"""第 5 章练习 6 的参考答案：矩阵边长从 16 到 4096 时，CPU 的矩阵乘法能达到多少 GFLOPS？GPU 从多大开始更快？

与 3_tensor_calculation.ipynb 最后一节的计时方法相同：float32 的 n × n 矩阵相乘，先预热一次，
每次计时前后同步设备（CPU 上什么也不用做），取几次用时的中位数；n × n 乘 n × n 约有 2n³ 次浮点运算。
机器上有 CUDA 或 MPS 时，同样的尺寸再在 GPU 上测一遍，打印 GPU 比 CPU 快多少倍，
以及从哪个边长起 GPU 比 CPU 快。“交叉点”通常在几百以下，所以边长从 16 测起。

    python ch06_pytorch_base/solutions/ex5_6_matmul_gflops.py           # 2 核 CPU 上用 1 个线程约 20 秒
    DL_QUICK=1 python ch06_pytorch_base/solutions/ex5_6_matmul_gflops.py
用时受机器当时的负载影响，每次运行的数会有几个百分点的差别。
"""
import time

import numpy as np
import torch

from common.cli import script_parser
from common.device import get_device
from common.quick import pick

SIZES = pick(real=[16, 32, 64, 128, 256, 512, 1024, 2048, 4096], quick=[32, 512])
REPEATS = pick(real=5, quick=5)


def parse_args(argv):
    parser = script_parser("不同大小的矩阵乘法在 CPU（和 GPU）上的速度", device=True,
                           help={"device": "与 CPU 对比的加速器：cuda、cuda:0 或 mps；不给时自动选择（只有 CPU 时不对比）"})
    return parser.parse_args(argv)


def synchronize(device):
    """等 device 上排队的计算全部完成：GPU 的运算是异步的，不等它算完，量到的只是“下命令”的时间。"""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def time_matmul(device, size, repeats=REPEATS):
    """在 device 上做 size × size 的 float32 矩阵乘法，返回每次用时的中位数（秒）。"""
    a = torch.randn(size, size, device=device)
    b = torch.randn(size, size, device=device)
    a @ b  # 预热：第一次调用要加载计算库、分配内存
    synchronize(device)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        synchronize(device)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def gflops(size, seconds):
    return 2 * size ** 3 / seconds / 1e9


def crossover_size(cpu_times, accelerator_times):
    """GPU 开始比 CPU 快的边长：从这个边长起（含更大的边长），加速器的用时都比 CPU 短。

    cpu_times、accelerator_times: {边长: 秒}。返回这个边长；最大的边长上加速器仍不更快时返回 None。
    """
    sizes = sorted(cpu_times)
    crossover = None
    for size in reversed(sizes):
        if accelerator_times[size] >= cpu_times[size]:
            break
        crossover = size
    return crossover


def solve(devices):
    """返回 {设备名: {边长: (秒, GFLOPS)}}。"""
    return {str(device): {size: (s, gflops(size, s)) for size in SIZES for s in [time_matmul(device, size)]}
            for device in devices}


def main(argv=()):
    args = parse_args(argv)
    accelerator = get_device(args.device)
    devices = [torch.device("cpu")] + ([accelerator] if accelerator.type != "cpu" else [])
    results = solve(devices)
    print(f"float32 矩阵乘法，{REPEATS} 次的中位数；CPU 线程数 {torch.get_num_threads()}")
    for device, by_size in results.items():
        for size, (seconds, rate) in by_size.items():
            line = f"  {device:>6} {size:5d} × {size:<5d}：{seconds * 1000:9.3f} 毫秒，约 {rate:6.1f} GFLOPS"
            if device != "cpu":
                line += f"，是 CPU 的 {results['cpu'][size][0] / seconds:.1f} 倍"
            print(line)
    if len(devices) == 1:
        print("这台机器没有 CUDA 或 MPS：只测了 CPU")
        return
    accelerator_name = str(devices[1])
    size = crossover_size({n: r[0] for n, r in results["cpu"].items()},
                          {n: r[0] for n, r in results[accelerator_name].items()})
    if size is None:
        print(f"测到的边长里，{accelerator_name} 在最大的 {SIZES[-1]} 上也不比 CPU 快")
    elif size == SIZES[0]:
        print(f"{accelerator_name} 在测到的最小边长 {size} 上已经比 CPU 快：交叉点在 {size} 以下")
    else:
        print(f"{accelerator_name} 从边长 {size} 起比 CPU 快（比它小一档的 {SIZES[SIZES.index(size) - 1]} 上 CPU 不慢于它）")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
