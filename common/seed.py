"""固定随机种子：相同的种子，得到完全相同的数字。"""
import os
import random
import sys

import numpy as np

DEFAULT_SEED = 42


def set_seed(seed=DEFAULT_SEED):
    """一次性固定 Python random、NumPy 全局随机数，以及（已导入时的）PyTorch 的种子。

    PyTorch 只在脚本已经 import torch 的情况下才设置，这样 NumPy 章节不必为导入 torch 付出时间。
    返回一个用同一种子初始化的 np.random.Generator，方便需要独立随机流的代码使用。
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed 应为非负整数，实际为 {seed!r}")
    random.seed(seed)
    np.random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)  # 只影响之后启动的子进程
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)  # 同时设置所有 GPU 的种子
    return np.random.default_rng(seed)
