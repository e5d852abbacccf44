r"""练习的参考答案：每道练习都有答案，答案里的每个数都由仓库里的代码算出，而且与代码现在打印的一致。

各章 `## 练习` 一节的写法（docs/README.md 的“练习与参考答案”一节面向读者说明）：

    1. 练习题目……

    <details><summary>参考答案</summary>

    讲解（推导、为什么）……

    ```python from=../ch04_backward/solutions/ex3_4_float32.py     ← 可选：代码摘录，test_docs.py 核对
    ...
    ```

    ```text output=../ch04_backward/solutions/ex3_4_float32.py      ← 这个脚本打印出的全部内容
    ...
    ```

    </details>

    2. 下一道练习……

检查的内容：
1. 每道练习（`## 练习` 中行首的 `N. `）后面紧跟一个折叠的参考答案；`<details><summary>参考答案</summary>`
   之后、`</details>` 之前各有一个空行（GitHub 只有这样才会按 Markdown 渲染折叠块里的内容和公式）。
   PENDING_CHAPTERS 中的章节还没有写答案，暂不要求；不在其中的章节必须完整。
2. 信息串为 ```text output=脚本``` 的代码块：导入该脚本、调用 main()（正常模式，不设 DL_QUICK），
   把打印出的内容与代码块逐项比较：文字（去掉多余空白后）必须相同，数按 DEFAULT_RTOL 比较
   （代码块的信息串可以写 rtol=…、atol=… 放宽，用于只打印数量级的数值误差之类）。
3. 信息串为 ```text full-run=脚本``` 的代码块是几分钟的完整运行的结果，测试里不重跑；
   对应的 test_*_quick 测试在快速模式（DL_QUICK=1）下运行同一个脚本，检查答案所说的效果方向。
4. 答案正文（代码块、公式、行内代码之外）里带小数点或指数的数，都必须出现在同一个答案的
   output / full-run 代码块中：正文只能引用代码打印出来的数，不能自己写一个。
"""
import contextlib
import io
import math
import os
import re

import pytest

from common.paths import REPO_ROOT
from tests.chapter_files import import_chapter_file
from tests.test_docs import DISPLAY_MATH, INLINE_MATH, code_blocks, mask_code_spans, without_fences

DOCS_DIR = REPO_ROOT / "docs"
CHAPTERS = sorted(DOCS_DIR.glob("0[1-9]_*.md"))

# 参考答案还不全的章节。现在所有章节都写完了，列表是空的：每一章的每道练习都必须有答案。
# 以后新加一章、答案还没写时，可以暂时把它列在这里；列在这里却已经写完的章节会报错，提醒删掉它。
PENDING_CHAPTERS = []

# 打印出的数与代码块中的数的相对误差上限：文档里的数一般打印 4 位有效数字，换一台机器（BLAS、CPU 指令集不同）
# 最后一位偶尔会变；差得更多，说明代码或设置变了，答案要跟着更新
DEFAULT_RTOL = 1e-3

SUMMARY_OPEN = "<details><summary>参考答案</summary>"
SUMMARY_CLOSE = "</details>"
ITEM = re.compile(r"^(\d+)\. ", re.MULTILINE)
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
# 正文里的小数（“3.5 节”这样的节号除外）
PROSE_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d+(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+)(?![\w.])(?!\s*节)")
BLOCK_INFO = re.compile(r"text\s+(?P<kind>output|full-run)=(?P<path>\S+)(?P<options>(?:\s+\w+=\S+)*)\s*$")


def chapter_id(path):
    return path.name[:2]


def exercise_section(text):
    """`## 练习` 一节的文字（到下一个二级标题或文件末尾）；没有这一节时返回 None。"""
    m = re.search(r"^## 练习[^\n]*\n(?P<body>.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    return m.group("body") if m else None


def exercises(text):
    """[(题号, 题目与答案的全部文字)]：每一段从行首的 `N. ` 到下一道题之前。"""
    section = exercise_section(text) or ""
    lines = section.split("\n")
    # 找题号时跳过代码块（代码块换成同样行数的空行），再按行号切开原文
    starts = [(i, int(m.group(1))) for i, line in enumerate(without_fences(section).split("\n"))
              for m in [ITEM.match(line)] if m]
    ends = [i for i, _ in starts[1:]] + [len(lines)]
    return [(number, "\n".join(lines[start:end]) + "\n") for (start, number), end in zip(starts, ends)]


def solution_problems(item):
    """一道题的参考答案有什么问题：[说明]；没有问题时返回空列表。"""
    lines = item.rstrip("\n").split("\n")
    opens = [i for i, line in enumerate(lines) if line.strip() == SUMMARY_OPEN]
    closes = [i for i, line in enumerate(lines) if line.strip() == SUMMARY_CLOSE]
    if not opens:
        return ["没有参考答案（缺少 <details><summary>参考答案</summary>）"]
    if len(opens) > 1 or len(closes) != 1 or closes[0] < opens[0]:
        return ["应恰好有一个 <details><summary>参考答案</summary> … </details>"]
    problems = []
    start, end = opens[0], closes[0]
    if lines[start] != SUMMARY_OPEN or lines[end] != SUMMARY_CLOSE:
        problems.append("<details> 与 </details> 应顶格写（缩进后 GitHub 可能把它当作代码）")
    if start + 1 >= len(lines) or lines[start + 1].strip():
        problems.append("<details><summary>参考答案</summary> 后面要空一行，否则 GitHub 不渲染其中的 Markdown")
    if lines[end - 1].strip():
        problems.append("</details> 前面要空一行，否则最后一段的 Markdown 不会渲染")
    if not "".join(lines[start + 1: end]).strip():
        problems.append("参考答案是空的")
    if any(line.strip() for line in lines[end + 1:]):
        problems.append("</details> 之后、下一道题之前不应再有文字")
    return problems


def solution_text(item):
    """一道题的参考答案（<details> 与 </details> 之间的文字）。"""
    return item.split(SUMMARY_OPEN, 1)[1].rsplit(SUMMARY_CLOSE, 1)[0]


def all_solutions():
    """[(章节文件, 题号, 答案文字)]：全部章节中已经写了答案的练习。"""
    found = []
    for chapter in CHAPTERS:
        for number, item in exercises(chapter.read_text(encoding="utf-8")):
            if SUMMARY_OPEN in item and not solution_problems(item):
                found.append((chapter, number, solution_text(item)))
    return found


def result_blocks(solution):
    """答案中的 output / full-run 代码块：[(种类, 仓库中的相对路径, 选项字典, 内容)]。"""
    blocks = []
    for info, body, _ in code_blocks(solution):
        m = BLOCK_INFO.fullmatch(info)
        if m:
            options = dict(option.split("=", 1) for option in m.group("options").split())
            path = (DOCS_DIR / m.group("path")).resolve().relative_to(REPO_ROOT).as_posix()
            blocks.append((m.group("kind"), path, options, body))
    return blocks


SOLUTIONS = all_solutions()
SOLUTION_IDS = [f"{chapter_id(chapter)}-{number}" for chapter, number, _ in SOLUTIONS]
OUTPUT_BLOCKS = [pytest.param(path, options, body, id=f"{chapter_id(chapter)}-{number}:{path.rsplit('/', 1)[1]}")
                 for chapter, number, solution in SOLUTIONS
                 for kind, path, options, body in result_blocks(solution) if kind == "output"]


# ---------------------------------------------------------------- 比较打印出的内容

def split_numbers(text):
    """把文字拆成（去掉空白的文字，[数]）：文字部分里的数换成 #。"""
    numbers = [float(m.group(0)) for m in NUMBER.finditer(text)]
    words = re.sub(r"\s+", "", NUMBER.sub("#", text))
    return words, numbers


def compare_output(expected, actual, rtol=DEFAULT_RTOL, atol=0.0):
    """逐项比较文档里的输出与脚本实际打印的输出；返回不一致之处的说明，一致时返回空列表。"""
    expected_words, expected_numbers = split_numbers(expected)
    actual_words, actual_numbers = split_numbers(actual)
    if expected_words != actual_words or len(expected_numbers) != len(actual_numbers):
        return [f"文字不同：\n--- 文档 ---\n{expected}\n--- 脚本现在打印 ---\n{actual}"]
    return [f"第 {i + 1} 个数：文档 {a:g}，脚本 {b:g}" for i, (a, b) in enumerate(zip(expected_numbers, actual_numbers))
            if not math.isclose(a, b, rel_tol=rtol, abs_tol=atol)]


def run_main(path, module_name):
    """导入仓库里的脚本 path 并调用 main()，返回它打印的内容（输出目录换写成 output，与文档里一致）。"""
    module = import_chapter_file(path, module_name)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        module.main()
    return buffer.getvalue().replace(os.environ["DL_OUTPUT_DIR"].rstrip("/"), "output")


def load_quick(path, module_name, monkeypatch):
    """在快速模式下导入脚本（模块顶部的 pick(...) 在导入时取值，所以要先设好 DL_QUICK）。"""
    monkeypatch.setenv("DL_QUICK", "1")
    return import_chapter_file(path, module_name)


# ---------------------------------------------------------------- 检查器本身

def test_checkers_on_examples():
    good = f"1. 题目\n\n{SUMMARY_OPEN}\n\n答案 $x$。\n\n{SUMMARY_CLOSE}\n\n"
    assert solution_problems(good) == []
    assert solution_problems("1. 题目\n\n") == ["没有参考答案（缺少 <details><summary>参考答案</summary>）"]
    assert solution_problems(f"1. 题目\n\n{SUMMARY_OPEN}\n答案\n\n{SUMMARY_CLOSE}\n")  # 缺空行
    assert solution_problems(f"1. 题目\n\n{SUMMARY_OPEN}\n\n答案\n{SUMMARY_CLOSE}\n")
    text = f"# 章\n\n## 练习\n\n1. 甲\n   续行\n\n{SUMMARY_OPEN}\n\n```text\n2. 不是题\n```\n\n{SUMMARY_CLOSE}\n\n2. 乙\n\n## 附录\n3. 不算\n"
    assert [number for number, _ in exercises(text)] == [1, 2]

    assert compare_output("损失 0.1234，第 2 轮", "损失  0.12341，第 2 轮") == []
    assert compare_output("损失 0.1234", "损失 0.1250")
    assert compare_output("误差 3e-10", "误差 5e-10", atol=1e-9) == []
    assert compare_output("误差 3e-10", "误差 5e-10")
    assert compare_output("精度 0.9", "准确率 0.9")
    assert [m.group(0) for m in PROSE_NUMBER.finditer("第 2 层，0.25 倍，1e-4，ex1_2.py 与 v1.5，见 3.5 节")] == ["0.25", "1e-4"]

    solution = "说明\n\n```text output=../ch02_nn_base/solutions/ex1_1_nand.py rtol=0.5\n1\n```\n"
    assert result_blocks(solution) == [("output", "ch02_nn_base/solutions/ex1_1_nand.py", {"rtol": "0.5"}, "1\n")]


# ---------------------------------------------------------------- 每道练习都有答案

def test_pending_chapters_exist():
    ids = {chapter_id(chapter) for chapter in CHAPTERS}
    assert set(PENDING_CHAPTERS) <= ids, f"PENDING_CHAPTERS 中有不存在的章节：{sorted(set(PENDING_CHAPTERS) - ids)}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[chapter_id(p) for p in CHAPTERS])
def test_every_exercise_has_a_solution(chapter):
    items = exercises(chapter.read_text(encoding="utf-8"))
    assert items, f"{chapter.name} 没有 `## 练习` 一节，或其中没有编号的练习"
    problems = [f"练习 {number}：{why}" for number, item in items for why in solution_problems(item)]
    if chapter_id(chapter) in PENDING_CHAPTERS:
        if not problems:
            pytest.fail(f"{chapter.name} 的参考答案已经写完，请把 {chapter_id(chapter)} 从 PENDING_CHAPTERS 中删掉")
        pytest.skip(f"{chapter.name} 的参考答案还没有写（PENDING_CHAPTERS）")
    assert not problems, f"{chapter.name} 的练习：\n" + "\n".join(problems)


@pytest.mark.parametrize("chapter, number, solution", SOLUTIONS, ids=SOLUTION_IDS)
def test_prose_numbers_come_from_code(chapter, number, solution):
    """答案正文里的小数只能引用同一个答案中代码打印出的数。"""
    printed = {float(m.group(0)) for _, _, _, body in result_blocks(solution) for m in NUMBER.finditer(body)}
    prose = mask_code_spans(without_fences(solution))
    for pattern in (DISPLAY_MATH, INLINE_MATH):
        prose = pattern.sub(" ", prose)
    unsourced = [m.group(0) for m in PROSE_NUMBER.finditer(prose) if float(m.group(0)) not in printed]
    assert not unsourced, (f"{chapter.name} 练习 {number} 的答案正文中，这些数没有出现在它的 output/full-run 代码块里："
                           f"{unsourced}。请让脚本打印它们，或写进公式（手算的推导）或行内代码（设置的值）")


def test_result_blocks_name_existing_scripts():
    missing = [f"{chapter.name} 练习 {number}：{path}" for chapter, number, solution in SOLUTIONS
               for _, path, _, _ in result_blocks(solution) if not (REPO_ROOT / path).is_file()]
    assert not missing, "这些 output/full-run 代码块指向不存在的脚本：\n" + "\n".join(missing)


@pytest.mark.parametrize("path, options, expected", OUTPUT_BLOCKS)
def test_output_block_matches_script(path, options, expected, monkeypatch):
    monkeypatch.delenv("DL_QUICK", raising=False)  # 文档里的输出是正常模式的
    actual = run_main(path, "solution_" + re.sub(r"\W", "_", path))
    problems = compare_output(expected, actual, rtol=float(options.get("rtol", DEFAULT_RTOL)),
                              atol=float(options.get("atol", 0.0)))
    assert not problems, f"docs 中 {path} 的输出与脚本现在打印的不一致（改了代码就要同步更新答案）：\n" + "\n".join(problems)


# ---------------------------------------------------------------- 要跑几分钟的题：快速模式下检查效果的方向

@pytest.mark.slow
def test_ex4_4_quick_run_shows_the_same_direction(monkeypatch):
    """第 4 章练习 4：初始学习率 0.1 时衰减只会拖慢学习，0.4 时衰减让损失降得更低。

    完整运行（4 轮完整 MNIST）的数字在答案的 full-run 块里；快速模式只训练 2 轮、1000 个样本，
    精度还很低，所以这里只比较最后一轮的平均损失的大小关系（方向），不比较数值。
    """
    module = load_quick("ch05_optim/solutions/ex4_4_lr_decay_small_lr.py", "solution_ex4_4_quick", monkeypatch)
    results = module.solve()
    assert results[0.1]["恒定"]["final_loss"] < results[0.1]["余弦退火"]["final_loss"]
    assert results[0.4]["余弦退火"]["final_loss"] < results[0.4]["恒定"]["final_loss"]


@pytest.mark.slow
def test_ex4_6_quick_run_shows_the_same_direction(monkeypatch):
    """第 4 章练习 6：训练样本从 300 个增加到 1000 个，（不用权重衰减时）测试精度更高，训练与测试精度的差距更小。

    完整运行（200 轮、6 个 λ）的数字在答案的 full-run 块里；快速模式只训练 10 轮，权重衰减的效果还看不出来，
    所以只检查“更多的数据减轻过拟合”这一方向。
    """
    module = load_quick("ch05_optim/solutions/ex4_6_weight_decay_more_data.py", "solution_ex4_6_quick", monkeypatch)
    summary = module.solve()
    plain_300, plain_1000 = summary[300]["results"][0], summary[1000]["results"][0]
    assert plain_300["lambda"] == plain_1000["lambda"] == 0.0
    assert plain_1000["test_acc"] > plain_300["test_acc"]
    assert plain_1000["gap"] < plain_300["gap"]
