"""基准：在一个新进程里第一次读取完整数据集（含 SHA-256 校验、gzip 解压、转 float32）要多久。

    python tests/benchmarks/bench_load_data.py
"""
import subprocess
import sys

CODE = """
import time
import numpy as np
from common.load_data import get_data
start = time.perf_counter()
get_data("{name}")
print(f"{{time.perf_counter() - start:.3f}}")
"""

for name in ("mnist", "fashion_mnist"):
    times = [float(subprocess.run([sys.executable, "-c", CODE.format(name=name)], capture_output=True,
                                  text=True, check=True).stdout) for _ in range(5)]
    print(f"{name:14s} 全部 70,000 张图像：中位数 {sorted(times)[2] * 1000:.0f} ms（5 个新进程，首次读取）")
