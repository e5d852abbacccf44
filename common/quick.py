"""快速模式开关。

设置环境变量 DL_QUICK=1 后，所有脚本和 notebook 都把轮数、样本数缩小到几秒钟就能跑完，
用于 CI 的冒烟测试。默认（不设置或设为 0）永远是完整的真实运行。

    from common.quick import pick
    EPOCHS = pick(real=20, quick=1)
"""
import os

QUICK_ENV = "DL_QUICK"
_FALSE_WORDS = {"", "0", "false", "no", "off"}


def is_quick():
    """环境变量 DL_QUICK 是否打开了快速模式（每次调用都重新读取）。"""
    return os.environ.get(QUICK_ENV, "").strip().lower() not in _FALSE_WORDS


def pick(real, quick):
    """正常运行时返回 real，快速模式下返回 quick。"""
    return quick if is_quick() else real
