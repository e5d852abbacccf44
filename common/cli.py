"""命令行脚本的两样共用的东西。

1. 命令行入口 run：每个编号脚本都以这两行结尾

    if __name__ == "__main__":
        run(main)

   run 先确认输出目录可写（写不进去时训练之前就报错，而不是训练完才发现），再调用 main()；
   训练发散、模型文件或数据文件读不了、输出目录不可写、--device 不可用、按了 Ctrl-C……
   都只在 stderr 打印一行“错误：……”（出了什么事、在哪里、怎么办），以非零退出码结束，不打印调用栈。

2. 命令行参数的检查：不合理的值（0 轮、负的批量大小、nan 的学习率……）由 argparse 当场拒绝，
   打印一行说明和用法，而不是在训练深处抛出一大段 torch 的 traceback。

    parser = argparse.ArgumentParser(description="…", formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--epochs", type=positive_int, default=15, help="训练轮数")
    parser.add_argument("--lr", type=positive_float, default=3e-3, help="学习率")

ArgumentDefaultsHelpFormatter 让 --help 自动显示默认值，不必在帮助文字里重写一遍。
"""
import argparse
import math
import os
import sys
import traceback
from pathlib import Path

from common.checkpoint import CheckpointError
from common.divergence import TrainingDivergedError
from common.paths import REPO_ROOT, output_dir, relative_to_repo

# run 把这些异常变成一行说明：本仓库的两种错误（CheckpointError 是 ValueError，数据文件损坏的
# CorruptedDataError 是 OSError），以及文件读写（OSError）和取值不对（ValueError）。
# 其他异常（如 TypeError、IndexError）多半是代码写错了，照常打印调用栈，方便找到那一行。
HANDLED_ERRORS = (TrainingDivergedError, CheckpointError, OSError, ValueError)
TRACEBACK_ENV = "DL_TRACEBACK"  # 设为 1 时 run 不拦截异常，打印完整的调用栈（调试用）
INTERRUPTED_EXIT_CODE = 130  # 按 Ctrl-C 结束的程序惯用的退出码（128 + SIGINT 的编号 2）


def run(main):
    """命令行入口：确认输出目录可写，调用 main()，把出错变成 stderr 上的一行“错误：……”和非零退出码。

    - 发散（TrainingDivergedError）、模型文件（CheckpointError）、文件读写（OSError）、取值（ValueError）：
      打印 “错误：<异常的说明>”，退出码 1。异常不是本仓库的代码抛出的（如 NumPy 的形状不匹配）时，
      说明后面再加上出错的位置（仓库里最后经过的那一行）。
    - Ctrl-C（KeyboardInterrupt）：打印 “错误：已中断（Ctrl-C）……”，退出码 130。
    - 用 torchrun 启动的多进程脚本（环境变量里有 RANK）：说明前写上进程号；进程间通信出错
      （等其他进程超时、连接被关闭，是 RuntimeError）也变成一行读者看得懂的说明。
    - main() 里的 sys.exit(…)、argparse 的用法错误（退出码 2）照常结束。
    环境变量 DL_TRACEBACK=1 时不拦截，打印完整的调用栈。
    """
    if os.environ.get(TRACEBACK_ENV) == "1":
        output_dir()
        return main()
    try:
        output_dir()
        return main()
    except KeyboardInterrupt:
        _print_error("已中断（Ctrl-C），脚本没有运行完；想得到完整的结果请重新运行")
        sys.exit(INTERRUPTED_EXIT_CODE)
    except Exception as error:
        # torchrun 启动的进程（RANK 在 main 里也可能才设上）：通信出错是 RuntimeError，也只说一行
        distributed = (RuntimeError,) if "RANK" in os.environ else ()
        if not isinstance(error, HANDLED_ERRORS + distributed):
            raise  # 多半是代码写错了：照常打印调用栈
        _print_error(explain(error))
        sys.exit(1)


def _print_error(text):
    rank = os.environ.get("RANK")
    prefix = f"错误（进程 {rank}）：" if rank is not None and os.environ.get("WORLD_SIZE", "1") != "1" else "错误："
    print(prefix + text, file=sys.stderr, flush=True)


def explain(error):
    """异常的一行说明（run 打印在“错误：”后面）。

    多行的说明只取第一行；gloo/nccl 的通信错误（带着 C++ 源文件位置的 RuntimeError）换成读者看得懂的话；
    不是本仓库的代码抛出的异常，后面加上仓库里最后经过的那一行（“在哪里”）。
    """
    text = str(error).strip()
    first_line = text.splitlines()[0] if text else type(error).__name__
    if isinstance(error, RuntimeError) and not isinstance(error, HANDLED_ERRORS):
        if "timed out" in text.lower():
            return ("等其他进程超过了 --timeout 规定的时间：某个进程停住了或已经退出，真正的原因看那个进程的输出；"
                    f"确实需要多等时把 --timeout 调大（{first_line[-120:]}）")
        if "closed by peer" in text or "reset by peer" in text:
            return f"另一个进程已经退出（连接被关闭），真正的原因看那个进程的输出（{first_line[-120:]}）"
    if isinstance(error, OSError) and text.startswith("[Errno"):  # 系统给的说明，如 [Errno 13] Permission denied: 'x'
        if error.filename is None:  # 如 [Errno 28] No space left on device
            return f"{error.strerror}（{type(error).__name__}，errno {error.errno}）"
        return f"{error.strerror}：{error.filename}（请检查这个路径是否存在、是否有读写权限）"
    if not _raised_by_repository(error):
        where = _last_repository_line(error)
        first_line = f"{type(error).__name__}: {first_line}"
        if where:
            first_line += f"（出错位置：{where}；设置环境变量 {TRACEBACK_ENV}=1 再运行可看到完整的调用栈）"
    return first_line


def _repository_frames(error):
    """异常经过的、属于本仓库（不含 .venv 和本文件）的调用帧。"""
    frames = []
    for frame in traceback.extract_tb(error.__traceback__):
        path = Path(frame.filename).resolve()
        if path.is_relative_to(REPO_ROOT) and ".venv" not in path.parts and path != Path(__file__).resolve():
            frames.append(frame)
    return frames


def _raised_by_repository(error):
    """异常是不是本仓库的代码用 raise 语句抛出的（那样它的说明已经写好了“在哪里、怎么办”）。"""
    frames = traceback.extract_tb(error.__traceback__)
    return bool(frames) and frames[-1] in _repository_frames(error) and (frames[-1].line or "").startswith("raise")


def _last_repository_line(error):
    frames = _repository_frames(error)
    return f"{relative_to_repo(frames[-1].filename)} 第 {frames[-1].lineno} 行" if frames else ""


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
