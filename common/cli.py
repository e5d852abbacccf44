"""命令行参数的检查：不合理的值（0 轮、负的批量大小、nan 的学习率……）由 argparse 当场拒绝，
打印一行说明和用法，而不是在训练深处抛出一大段 torch 的 traceback。

    parser = argparse.ArgumentParser(description="…", formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--epochs", type=positive_int, default=15, help="训练轮数")
    parser.add_argument("--lr", type=positive_float, default=3e-3, help="学习率")

ArgumentDefaultsHelpFormatter 让 --help 自动显示默认值，不必在帮助文字里重写一遍。
"""
import argparse
import math


def _number(text, kind):
    try:
        value = kind(text)
    except ValueError:
        name = "整数" if kind is int else "数"
        raise argparse.ArgumentTypeError(f"{text!r} 不是{name}") from None
    if kind is float and not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} 不是有限的数（nan、inf 不能用）")
    return value


def positive_int(text):
    """大于 0 的整数，如轮数、批量大小、隐藏层大小。"""
    value = _number(text, int)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"应是大于 0 的整数，实际为 {value}")
    return value


def non_negative_int(text):
    """大于等于 0 的整数，如随机种子、验证集张数。"""
    value = _number(text, int)
    if value < 0:
        raise argparse.ArgumentTypeError(f"应是大于等于 0 的整数，实际为 {value}")
    return value


def positive_float(text):
    """大于 0 的有限小数，如学习率、温度。"""
    value = _number(text, float)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"应是大于 0 的数，实际为 {value}")
    return value


def non_negative_float(text):
    """大于等于 0 的有限小数，如权重衰减系数。"""
    value = _number(text, float)
    if value < 0:
        raise argparse.ArgumentTypeError(f"应是大于等于 0 的数，实际为 {value}")
    return value


def probability(text):
    """[0, 1) 之间的数，如 Dropout 的比例。"""
    value = _number(text, float)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"应在 0（含）到 1（不含）之间，实际为 {value}")
    return value
