"""命令行脚本的两样共用的东西。

1. 命令行入口 run：每个编号脚本都以这两行结尾

    if __name__ == "__main__":
        run(main)

   run 先确认输出目录可写（写不进去时训练之前就报错，而不是训练完才发现），再调用 main()；
   训练发散、模型文件或数据文件读不了、输出目录不可写、--device 不可用、按了 Ctrl-C……
   都只在 stderr 打印一行“错误：……”（出了什么事、在哪里、怎么办），以非零退出码结束，不打印调用栈。

2. 命令行参数：script_parser 建立解析器，一行写明这个脚本有哪些常用选项、默认值是多少，
   脚本特有的选项接着用 add_argument 加在下面：

    parser = script_parser("…", epochs=pick(real=15, quick=1), batch_size=128, lr=3e-3, device=True, seed=42)
    parser.add_argument("--patience", type=positive_int, default=40, help="验证分数连续这么多轮没有改进就停止")
    args = parser.parse_args()

   数值选项的 type 是下面的检查函数（positive_int、positive_float……）：不合理的值（0 轮、负的批量大小、
   nan 的学习率……）由 argparse 当场拒绝，打印一行说明和用法，而不是在训练深处抛出一大段 torch 的 traceback。
   --help 自动显示每个选项的默认值（ArgumentDefaultsHelpFormatter），不必在帮助文字里重写一遍。
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


def _checked(text, kind, accepts, requirement):
    """把命令行上的文字 text 转成 kind（int 或 float），再检查 accepts(值)；不满足时用 requirement 说明应是什么。

    下面五个检查函数都是它：不是数、是 nan/inf、超出范围时抛出 argparse.ArgumentTypeError，
    argparse 把它变成一行用法错误（如 “argument --epochs: 应是大于 0 的整数，实际为 0”）。
    """
    try:
        value = kind(text)
    except ValueError:
        name = "整数" if kind is int else "数"
        raise argparse.ArgumentTypeError(f"{text!r} 不是{name}") from None
    if kind is float and not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} 不是有限的数（nan、inf 不能用）")
    if not accepts(value):
        raise argparse.ArgumentTypeError(f"{requirement}，实际为 {value}")
    return value


def positive_int(text):
    """大于 0 的整数，如轮数、批量大小、隐藏层大小。"""
    return _checked(text, int, lambda value: value > 0, "应是大于 0 的整数")


def non_negative_int(text):
    """大于等于 0 的整数，如随机种子、验证集张数。"""
    return _checked(text, int, lambda value: value >= 0, "应是大于等于 0 的整数")


def positive_float(text):
    """大于 0 的有限小数，如学习率、温度。"""
    return _checked(text, float, lambda value: value > 0, "应是大于 0 的数")


def non_negative_float(text):
    """大于等于 0 的有限小数，如权重衰减系数。"""
    return _checked(text, float, lambda value: value >= 0, "应是大于等于 0 的数")


def probability(text):
    """[0, 1) 之间的数，如 Dropout 的比例。"""
    return _checked(text, float, lambda value: 0 <= value < 1, "应在 0（含）到 1（不含）之间")


# script_parser 能加的常用选项：参数名 → (检查函数, 标准的帮助文字)，按这个顺序加到解析器里。
# 脚本的选项有更具体的含义时（如 “Adam 的学习率”“写法 3 的轮数”），用 help={参数名: 文字} 换掉标准的说法。
STANDARD_OPTIONS = {
    "epochs": (positive_int, "训练轮数"),
    "batch_size": (positive_int, "批量大小"),
    "lr": (positive_float, "学习率"),
    "momentum": (non_negative_float, "SGD 的动量系数"),
    "weight_decay": (non_negative_float, "权重衰减系数"),
    "device": (None, "cpu、cuda、cuda:0 或 mps；不给时自动选择"),  # 字符串交给 common.device.get_device 检查
    "seed": (non_negative_int, "随机种子"),
}


def script_parser(description, *, epochs=None, batch_size=None, lr=None, momentum=None, weight_decay=None,
                  device=False, seed=None, help=None):
    """建立脚本的命令行解析器：加上给了默认值的常用选项，返回 argparse.ArgumentParser。

    脚本用一行写明自己有哪些常用选项和它们的默认值，特有的选项接着用 parser.add_argument 加在下面：

        parser = script_parser("Fashion-MNIST 卷积神经网络分类", epochs=pick(real=15, quick=1), batch_size=128,
                               lr=3e-3, device=True, seed=42, help={"lr": "OneCycle 的最大学习率"})
        parser.add_argument("--evaluate", metavar="PATH", default=None, help="…")
        args = parser.parse_args()

    - epochs、batch_size、lr、momentum、weight_decay、seed：给了默认值（不是 None）的才加，
      变成 --epochs、--batch-size、--lr、--momentum、--weight-decay、--seed；type 是本文件的检查函数。
    - device：True 时加 --device，默认 None（由 common.device.get_device 自动选择）；
      给字符串（如 "cpu"）时加 --device，以它为默认值；False（默认）时不加。
    - help：{参数名: 帮助文字}，换掉 STANDARD_OPTIONS 里的标准说法，如 {"lr": "Adam 的学习率"}。
    - 用 ArgumentDefaultsHelpFormatter：--help 在每个选项后面自动显示默认值。
    要把这些选项放进一个选项组（parser.add_argument_group）时，用 add_standard_options。
    """
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    add_standard_options(parser, epochs=epochs, batch_size=batch_size, lr=lr, momentum=momentum,
                         weight_decay=weight_decay, device=device, seed=seed, help=help)
    return parser


def add_standard_options(parser, *, help=None, **defaults):
    """把 STANDARD_OPTIONS 里给了默认值的选项加到 parser（解析器或选项组）上；参数的含义同 script_parser。"""
    help = help or {}
    unknown = (set(defaults) | set(help)) - set(STANDARD_OPTIONS)
    if unknown:
        raise TypeError(f"没有这样的常用选项：{sorted(unknown)}；可以用的是 {list(STANDARD_OPTIONS)}")
    given = {name: value for name, value in defaults.items() if value is not None and value is not False}
    if set(help) - set(given):
        raise TypeError(f"help 里的 {sorted(set(help) - set(given))} 没有给默认值，不会加到命令行上")
    for name, (check, standard_help) in STANDARD_OPTIONS.items():
        if name in given:
            default = None if given[name] is True else given[name]  # device=True：默认 None，自动选择设备
            parser.add_argument("--" + name.replace("_", "-"), type=check, default=default,
                                help=help.get(name, standard_help))
