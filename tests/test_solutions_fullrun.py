r"""完整运行的复现：重跑答案里 ```text full-run=…``` 代码块的命令，与文档逐项比较。

这些运行要几分钟到二十分钟，默认的 `python -m pytest` 不运行它们（tests/conftest.py 取消选择带 fullrun 标记的测试）；
要复现时明确选上：

    python -m pytest -m fullrun                         # 全部完整运行，2 核 CPU 上一个多小时
    python -m pytest -m fullrun -k ex7_6                # 只重跑一个

代码块的写法（tests/test_solutions.py 的模块说明是总的规则）：
- 没有命令行的代码块：命令就是 `python 脚本`，代码块是它打印的全部内容；
- 代码块里以 `python ` 开头的行是命令（可带参数），其后到下一条命令之前是它打印的内容；
- 一行 `……` 表示这里省略了若干行：其余各行按顺序出现在实际输出中即可。
数按代码块信息串里的容差比较（Tolerances；行号从代码块第一行数起）。用时这类数随机器和负载变化，
信息串里给它们写明很宽的容差，只检查文字；训练得到的数的容差来自在几种设置下重跑的测量（见 docs/README.md）。
"""
import shlex

import pytest

from tests.kernel_sweep import blocks, run_script
from tests.test_solutions import NUMBER, Tolerances, split_numbers

ELLIPSIS = "……"
FULL_RUN_TIMEOUT = 7200  # 秒；最长的是第 9 章练习 2 的 GRU 训练：2 核 CPU 上用 2 个线程约 20 分钟，pytest 只给 1 个线程，另一个核也在忙时 53 分钟


def commands(path, body):
    """[(参数列表, [(代码块中的行号, 期望的一行)])]：代码块里的每条命令与它的（节选）输出。"""
    runs = []
    for line_number, line in enumerate(body.rstrip("\n").split("\n"), start=1):
        if line.startswith("python "):
            words = shlex.split(line.split("#", 1)[0])
            runs.append((words[1:], []))
        else:
            if not runs:
                runs.append(([path], []))
            if line.strip():
                runs[-1][1].append((line_number, line))
    return runs


def line_problems(line_number, expected, actual, tolerances):
    """一行的比较：文字相同、数在容差内时返回空列表。"""
    expected_words, _ = split_numbers(expected)
    actual_words, actual_numbers = split_numbers(actual)
    written = NUMBER.findall(expected)
    if expected_words != actual_words or len(written) != len(actual_numbers):
        return [f"第 {line_number} 行文字不同：文档“{expected.strip()}”，脚本“{actual.strip()}”"]
    problems = []
    for index, (a, b) in enumerate(zip(written, actual_numbers), start=1):
        if not tolerances.allows(line_number, index, a, b):
            rtol, atol = tolerances.for_number(line_number, index, a)
            problems.append(f"第 {line_number} 行第 {index} 个数：文档 {a}，脚本 {b:g}（容差 rtol={rtol:g}、atol={atol:g}）")
    return problems


def compare_excerpt(expected_lines, actual, tolerances):
    """期望的行（可含 `……`）与实际输出比较，返回不一致之处的说明。

    没有 `……` 时两边逐行对应、行数相同；`……` 把期望的行分成几段，第一段从输出的开头对起，
    之后每一段在上一段之后找第一个文字相同、数在容差内的位置，最后一段之后不能再有输出，
    除非代码块以 `……` 结尾。
    """
    actual_lines = [line for line in actual.rstrip("\n").split("\n") if line.strip()]
    chunks, current = [], []
    for line_number, line in expected_lines:
        if line.strip() == ELLIPSIS:
            chunks.append(current)
            current = []
        else:
            current.append((line_number, line))
    chunks.append(current)
    problems, position = [], 0
    for chunk_index, chunk in enumerate(chunks):
        if not chunk:
            continue
        if chunk_index == 0:
            start = 0
        else:
            words = [split_numbers(line)[0] for _, line in chunk]
            candidates = [i for i in range(position, len(actual_lines) - len(chunk) + 1)
                          if [split_numbers(a)[0] for a in actual_lines[i:i + len(chunk)]] == words]
            # 文字相同的行可能有好几处（每一轮一行）：取数也对得上的第一处，都对不上时按第一处报告
            matching = [i for i in candidates
                        if not any(line_problems(n, line, a, tolerances)
                                   for (n, line), a in zip(chunk, actual_lines[i:i + len(chunk)]))]
            start = (matching or candidates or [None])[0]
            if start is None:
                return problems + [f"找不到与第 {chunk[0][0]} 行起的这几行相符的输出：" + " / ".join(l for _, l in chunk)]
        if start + len(chunk) > len(actual_lines):
            return problems + [f"输出只有 {len(actual_lines)} 行，比文档少"]
        for (line_number, line), actual_line in zip(chunk, actual_lines[start:start + len(chunk)]):
            problems += line_problems(line_number, line, actual_line, tolerances)
        position = start + len(chunk)
    if chunks[-1] and position != len(actual_lines):
        problems.append(f"输出比文档多出 {len(actual_lines) - position} 行：{actual_lines[position:][:3]}")
    return problems


FULL_RUNS = [pytest.param(path, options, body, id=block_id) for block_id, path, options, body in blocks("full-run")]


def test_excerpt_comparison_on_examples():
    tolerances = Tolerances({"L3:rtol": "0.01"})
    block = "python a.py --x 1\n第 1 轮 损失 0.5\n……\n第 9 轮 损失 0.250\n"
    runs = commands("a.py", block)
    assert runs == [(["a.py", "--x", "1"], [(2, "第 1 轮 损失 0.5"), (3, "……"), (4, "第 9 轮 损失 0.250")])]
    log = "第 1 轮 损失 0.5\n第 2 轮 损失 0.4\n第 9 轮 损失 0.2520\n"
    assert compare_excerpt(runs[0][1], log, Tolerances({"L4:rtol": "0.01"})) == []
    assert compare_excerpt(runs[0][1], log, tolerances)  # 第 4 行没有放宽的容差：0.2520 与 0.250 差了最后一位的 2
    assert compare_excerpt(runs[0][1], log + "多出的一行\n", Tolerances({"L4:rtol": "0.01"}))
    assert compare_excerpt([(1, "损失 0.5")], "损失 0.5\n", tolerances) == []
    assert compare_excerpt([(1, "损失 0.5")], "精度 0.5\n", tolerances)
    assert commands("a.py", "损失 0.5\n") == [(["a.py"], [(1, "损失 0.5")])]
    assert NUMBER.findall("用时 19.1 分钟") == ["19.1"]


@pytest.mark.parametrize("path, options, body", FULL_RUNS)
def test_full_run_block_matches_itself(path, options, body):
    """每个 full-run 块都能按上面的规则读懂：命令可以解析，块里的输出与“去掉省略号的自己”比较时一致。

    重跑要几分钟，默认的测试只检查比较的逻辑放在真实的代码块上不出错（例如 GRU 那次 19 分钟的训练无法在测试里重跑）。
    """
    for args, expected_lines in commands(path, body):
        assert args and args[0].endswith(".py"), f"{path} 的 full-run 块里的命令应是 python 脚本：{args}"
        printed = "\n".join(line for _, line in expected_lines if line.strip() != ELLIPSIS)
        assert compare_excerpt(expected_lines, printed, Tolerances(options)) == []
        # 省略号处换成几行别的输出（完整运行的日志就是这样），仍然对得上
        filled = "\n".join("第 99 轮：被省略的一行\n第 100 轮：又一行" if line.strip() == ELLIPSIS else line
                           for _, line in expected_lines)
        assert compare_excerpt(expected_lines, filled, Tolerances(options)) == []


@pytest.mark.fullrun
@pytest.mark.slow
@pytest.mark.parametrize("path, options, body", FULL_RUNS)
def test_full_run_reproduces(path, options, body):
    tolerances = Tolerances(options)
    problems = []
    for args, expected_lines in commands(path, body):
        actual = run_script(args[0], {}, args=args[1:], timeout=FULL_RUN_TIMEOUT)
        problems += [f"python {shlex.join(args)}：{p}" for p in compare_excerpt(expected_lines, actual, tolerances)]
    assert not problems, f"完整运行 {path} 与文档中的 full-run 代码块不一致：\n" + "\n".join(problems)
