"""pytest 的公共设置。"""
import os
import sys
import time

import pytest

# 测试中从不弹出窗口
os.environ.setdefault("MPLBACKEND", "Agg")

# 测试进程只用一个线程做矩阵运算（环境变量里另有设置时照用）。测试里的矩阵都很小，多线程只有同步的开销：
# 用 pytest-xdist 并行时（`-n 2` 等）两个进程各开两个线程，会在 2 核的机器上互相抢核，比串行还慢；
# 不并行时（-p no:xdist），机器上另有训练在跑的情况下，torch 的两个线程同样互相等待，小批量的训练慢几倍。
# 要在 numpy、torch 被导入之前设好，所以写在这里。
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")


@pytest.fixture(autouse=True)
def _output_to_temporary_folder(tmp_path_factory, monkeypatch):
    """每个测试的运行输出（图、JSON、模型）都写到临时目录，不碰仓库里的 output/。

    测试跑完以后，仓库的 `git status` 仍是干净的；测试之间也不会因为共用 output/ 而互相影响。
    需要特定输出目录的测试照常用 monkeypatch.setenv("DL_OUTPUT_DIR", ...) 改写它。
    """
    monkeypatch.setenv("DL_OUTPUT_DIR", str(tmp_path_factory.mktemp("output")))


# 很长的复现运行只在明确选上时才跑：`python -m pytest -m fullrun`（完整运行，一个多小时）、
# `python -m pytest -m kernels`（换计算内核重跑所有 output 块，半小时以上）。
# 不用 addopts 里的 -m 来排除它们：命令行上另给一个 -m（如 -m "not slow"）会把 addopts 的那个覆盖掉。
OPT_IN_MARKERS = ("fullrun", "kernels")


def pytest_collection_modifyitems(config, items):
    expression = config.getoption("markexpr") or ""
    skipped = [marker for marker in OPT_IN_MARKERS if marker not in expression]
    kept, deselected = [], []
    for item in items:
        (deselected if any(item.get_closest_marker(marker) for marker in skipped) else kept).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
    items[:] = sorted(kept, key=expected_seconds, reverse=True)  # sorted 是稳定的：其余测试的顺序不变


# ---------------------------------------------------------------- 并行时两个进程都不闲着
# 用 pytest -n auto 并行时：
# - 最长的几个测试先开始：标记写成 @pytest.mark.slow(seconds=…)（2 核 CPU 上量得的大约用时）的测试排到最前面，
#   按用时从长到短，其余测试保持原来的顺序。一个三分钟的测试若排在最后才开始，别的进程早已无事可做，只能干等它；
# - 分配方式默认用 worksteal（先做完自己那份的进程从别的进程的队列里分走一半），而不是一次分一大块的 load。
#   命令行上给了 --dist 时照用。
def expected_seconds(item):
    marker = item.get_closest_marker("slow")
    return marker.kwargs.get("seconds", 0) if marker is not None else 0


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    if getattr(config.option, "numprocesses", None) and getattr(config.option, "dist", None) == "no":
        config.option.dist = "worksteal"  # 在 pytest-xdist 把它设成 load 之前


# ---------------------------------------------------------------- 没有标记 slow 的测试必须快
# 日常改代码时跑的是 `python -m pytest -m "not slow" -n auto`：这时没有标记 slow 的测试，一个超过约 2 秒就算失败，
# 提醒把它标记为 slow（或者把它改快），这样 slow 这个标记跟着实测的时间走，快的那部分一直是快的。
# 只量测试本身（call 阶段，不含 fixture 的准备）；用时取“墙钟时间”与“CPU 时间（含已结束的子进程）”中较小的一个：
# 机器很忙、或用 pytest-xdist 并行时，墙钟时间被别的进程拉长，CPU 时间不会；torch 多线程时 CPU 时间成倍增加，墙钟时间不会。
# 跑全部测试时（README 的 `python -m pytest -n auto`，CI 也用它）上限放宽到 5 秒：学习者的笔记本、CI 的机器可能比
# 平时慢一倍，一个平时 1.5 秒的测试不该让整次运行变红；2 秒这条线由日常的 `python -m pytest -m "not slow" -n auto` 守着。
# 环境变量 DL_FAST_TEST_LIMIT 可以改这个上限（秒），例如在很慢的机器上设为 5；设为 0 关掉这项检查。
FAST_TEST_LIMIT_ENV = "DL_FAST_TEST_LIMIT"
FAST_TEST_LIMIT = 2.0
FULL_RUN_FAST_TEST_LIMIT = 5.0


def _cpu_seconds():
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def fast_test_limit(config):
    text = os.environ.get(FAST_TEST_LIMIT_ENV, "").strip()
    try:
        if text:
            return float(text)
    except ValueError:
        raise pytest.UsageError(f"环境变量 {FAST_TEST_LIMIT_ENV}={text!r} 应是秒数（如 5），0 表示不检查") from None
    fast_subset = "not slow" in " ".join((config.getoption("markexpr") or "").split())
    return FAST_TEST_LIMIT if fast_subset else FULL_RUN_FAST_TEST_LIMIT


_torch_warmed_up = False


@pytest.fixture(autouse=True)
def _warm_up_torch_optimizers():
    """torch 第一次调用 optimizer.step() 时才导入 torch._dynamo 等模块，在 2 核 CPU 上约 5 秒：
    这笔一次性的开销会落在碰巧第一个训练的测试上，让它看起来很慢。所以在第一个测试的准备阶段（不计时）先走一步。"""
    global _torch_warmed_up
    if not _torch_warmed_up and "torch" in sys.modules:  # 只在测试已经导入了 torch 时才做
        torch = sys.modules["torch"]
        torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1).step()
        _torch_warmed_up = True
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    wall, cpu = time.perf_counter(), _cpu_seconds()
    yield
    item._measured_seconds = min(time.perf_counter() - wall, _cpu_seconds() - cpu)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    limit = fast_test_limit(item.config)
    seconds = getattr(item, "_measured_seconds", None)
    if (call.when == "call" and report.passed and limit > 0 and seconds is not None and seconds > limit
            and item.get_closest_marker("slow") is None):
        report.outcome = "failed"
        report.longrepr = (f"这个测试没有标记 slow，却用了 {seconds:.1f} 秒（上限 {limit:g} 秒，取墙钟与 CPU 时间中较小的）："
                           f"给它加上 @pytest.mark.slow，或者把它改快；机器很慢时可以设环境变量 {FAST_TEST_LIMIT_ENV}=5 放宽")
