"""pytest 的公共设置。"""
import os

import pytest

# 测试中从不弹出窗口
os.environ.setdefault("MPLBACKEND", "Agg")

# 用 pytest-xdist 并行运行时（`-n 2` 等），每个工作进程只用一个线程做矩阵运算：
# 两个进程各开两个线程，会在 2 核的机器上互相抢核，比串行还慢。要在 numpy、torch 被导入之前设好，所以写在这里。
if "PYTEST_XDIST_WORKER" in os.environ:
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")


@pytest.fixture(autouse=True)
def _output_to_temporary_folder(tmp_path_factory, monkeypatch):
    """每个测试的运行输出（图、JSON、模型）都写到临时目录，不碰仓库里的 output/。

    测试跑完以后，仓库的 `git status` 仍是干净的；测试之间也不会因为共用 output/ 而互相影响。
    需要特定输出目录的测试照常用 monkeypatch.setenv("DL_OUTPUT_DIR", ...) 改写它。
    """
    monkeypatch.setenv("DL_OUTPUT_DIR", str(tmp_path_factory.mktemp("output")))


# 很长的复现运行只在明确选上时才跑：`python -m pytest -m fullrun`（完整运行，约一小时）、
# `python -m pytest -m kernels`（换计算内核重跑所有 output 块，半小时以上）。
# 不用 addopts 里的 -m 来排除它们：命令行上另给一个 -m（如 -m "not slow"）会把 addopts 的那个覆盖掉。
OPT_IN_MARKERS = ("fullrun", "kernels")


def pytest_collection_modifyitems(config, items):
    expression = config.getoption("markexpr") or ""
    skipped = [marker for marker in OPT_IN_MARKERS if marker not in expression]
    if not skipped:
        return
    kept, deselected = [], []
    for item in items:
        (deselected if any(item.get_closest_marker(marker) for marker in skipped) else kept).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
