"""每个编号脚本的每个数值选项都由 common.cli 的检查函数（positive_int、positive_float……）或 choices 把关。

不合理的值（0 轮、nan 的学习率、负的批量大小）因此在 argparse 里当场被拒绝，打印一行用法；
检查函数本身拒绝什么、接受什么，由它们的单元测试（tests/test_training_helpers.py）检查，这里不再逐个脚本、
逐个坏值地重试一遍，而是检查“每个数值选项都用了检查函数”这一件事。

做法：把 argparse 的解析换成“抓住解析器就停”，再导入脚本、调用它的 main()。脚本在解析命令行之前
不做任何事，所以什么也不会运行；拿到的是脚本真正使用的解析器（包括子命令的、共用模块里建立的）。
"""
import argparse
import re
import sys

import pytest

from common import cli
from common.chapters import load
from common.paths import REPO_ROOT
from tests.test_scripts import SCRIPTS

# 会检查取值的类型：common.cli 里的检查函数
VALIDATORS = {cli.positive_int, cli.non_negative_int, cli.positive_float, cli.non_negative_float, cli.probability}
# 脚本（或它调用的本章共用模块）解析命令行的迹象
PARSES_ARGUMENTS = re.compile(r"ArgumentParser|parse_\w*args\(")


class _Captured(Exception):
    def __init__(self, parser):
        super().__init__()
        self.parser = parser


def _capture(parser, args=None, namespace=None):
    raise _Captured(parser)


def captured_parser(relative):
    """导入 relative 并调用 main()，在它解析命令行的那一刻拿到解析器；脚本不解析命令行时返回 None。"""
    saved = argparse.ArgumentParser.parse_known_args, sys.argv
    argparse.ArgumentParser.parse_known_args, sys.argv = _capture, [relative]
    try:
        load(relative).main()  # 在模块顶层解析命令行的脚本，导入时就被拦下
    except _Captured as captured:
        return captured.parser
    finally:
        argparse.ArgumentParser.parse_known_args, sys.argv = saved
    return None


def numeric_options(parser, prefix=""):
    """(选项名, type, default) 的列表：取一个值的每个选项，子命令的选项也算在内。"""
    options = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, subparser in action.choices.items():
                options += numeric_options(subparser, f"{prefix}{name} ")
        elif action.nargs != 0 and action.option_strings and action.choices is None:
            options.append((prefix + "/".join(action.option_strings), action.type, action.default))
    return options


def unchecked(options):
    """没有用检查函数的数值选项：type 是 int、float，或者不给 type 而默认值是数。"""
    return [name for name, kind, default in options
            if kind not in VALIDATORS and (kind in (int, float) or (
                kind is None and isinstance(default, (int, float)) and not isinstance(default, bool)))]


PARSING = [p for p in SCRIPTS if PARSES_ARGUMENTS.search(p.read_text(encoding="utf-8"))]


def _parsers():
    """在收集测试时把每个脚本导入一次、拿到解析器（导入 torch、sklearn 等要几秒，不算进测试的用时）。
    出错时记下异常，由对应的测试报告，而不是让整个文件收集失败。"""
    parsers = {}
    for script in PARSING:
        relative = script.relative_to(REPO_ROOT).as_posix()
        try:
            parsers[relative] = captured_parser(relative)
        except Exception as error:  # noqa: BLE001 — 交给测试报告
            parsers[relative] = error
    return parsers


PARSERS = _parsers()


@pytest.mark.parametrize("script", PARSING, ids=[p.relative_to(REPO_ROOT).as_posix() for p in PARSING])
def test_every_numeric_option_has_a_validating_type(script):
    relative = script.relative_to(REPO_ROOT).as_posix()
    parser = PARSERS[relative]
    if isinstance(parser, Exception):
        raise parser
    assert parser is not None, f"{relative} 没有在 main() 开头（或导入时）解析命令行"
    assert unchecked(numeric_options(parser)) == [], (
        f"{relative} 的这些数值选项没有用 common.cli 的检查函数（positive_int、positive_float……）作 type")


def test_scripts_without_options_do_not_parse_the_command_line():
    """其余的编号脚本（NumPy 一半的大部分）没有命令行选项：确认上面的筛选没有漏掉哪个解析命令行的脚本。"""
    others = [p for p in SCRIPTS if p not in PARSING]
    assert all("argparse" not in p.read_text(encoding="utf-8") for p in others)
    assert len(PARSING) >= 20


def test_the_check_itself_finds_an_unchecked_option():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", default=0.1)
    parser.add_argument("--seed", type=cli.non_negative_int, default=0)
    parser.add_argument("--mode", choices=[1, 2], default=1)
    parser.add_argument("--device", default=None)
    parser.add_argument("--plot", action="store_true")
    commands = parser.add_subparsers()
    commands.add_parser("train").add_argument("--steps", type=float, default=1.0)
    assert unchecked(numeric_options(parser)) == ["--epochs", "--lr", "train --steps"]


def test_the_long_trainings_are_among_the_checked_scripts():
    """第 8、9 章的长训练的数值选项由上面的检查把关：确认它们在检查之列，训练和生成两组选项都被看到。"""
    options = {}
    for relative in ("ch08_cnn/4_fashion_category.py", "ch08_cnn/5_simple_convnet_numpy.py",
                     "ch08_cnn/6_fashion_ddp.py", "ch09_rnn/3_poems_generation.py"):
        assert relative in PARSERS, f"{relative} 不在检查之列"
        options[relative] = {name for name, _, _ in numeric_options(PARSERS[relative])}
    assert {"--epochs", "--lr", "--batch-size", "--val-size"} <= options["ch08_cnn/4_fashion_category.py"]
    assert {"--epochs", "--lr", "--batch-size"} <= options["ch08_cnn/5_simple_convnet_numpy.py"]
    assert {"--timeout", "--val-size"} <= options["ch08_cnn/6_fashion_ddp.py"]
    # 3_poems_generation.py 的 train/generate/evaluate 共用一个解析器：训练的和生成的选项都在里面
    assert {"--epochs", "--dropout", "--n-poems", "--temperature", "--top-k", "--num"} <= options[
        "ch09_rnn/3_poems_generation.py"]
