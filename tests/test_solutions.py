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
   把打印出的内容与代码块逐项比较：文字（去掉多余空白后）必须相同，数默认逐位相同；
   训练、计时得到的数在别的 CPU 上会变，信息串写明测量得到的容差：rtol=…、atol=… 管整个代码块，
   L3:…、L3-5:… 管一行或几行，L3.2:… 管第 3 行的第 2 个数（见 Tolerances）。
   `python -m tests.kernel_sweep`（或 `python -m pytest -m kernels`）换计算内核和线程数重跑，检查这些容差够不够。
3. 信息串为 ```text full-run=脚本``` 的代码块是几分钟的完整运行的结果，默认的测试不重跑；
   对应的 test_*_quick 测试在快速模式（DL_QUICK=1）下运行同一个脚本，检查答案所说的效果方向；
   `python -m pytest -m fullrun`（tests/test_solutions_fullrun.py）重跑完整运行，按代码块写明的容差比较。
4. 答案正文（代码块、公式、行内代码之外）里带小数点或指数的数，都必须出现在同一个答案的
   output / full-run 代码块中：正文只能引用代码打印出来的数，不能自己写一个。
   两位以上的整数和公式里算出的结果也要有出处（test_prose_integers_and_math_results_have_a_source）。
   正文引用的数不能被代码块的容差盖住（atol 不能大到让它变成 0 也不报错）。
5. 每章的练习道数固定（EXERCISE_COUNTS）；答案链接的 solutions/ 脚本都要有它的代码块；
   `## 练习` 一节按 CommonMark 渲染时，没有题目被并进 `</details>` 的 HTML 块。
"""
import contextlib
import io
import math
import os
import re

import pytest
from markdown_it import MarkdownIt

from common.paths import REPO_ROOT
from tests.chapter_files import import_chapter_file
from tests.test_docs import DISPLAY_MATH, INLINE_MATH, code_blocks, mask_code_spans, without_fences

DOCS_DIR = REPO_ROOT / "docs"
CHAPTERS = sorted(DOCS_DIR.glob("0[1-9]_*.md"))

# 参考答案还不全的章节。现在所有章节都写完了，列表是空的：每一章的每道练习都必须有答案。
# 以后新加一章、答案还没写时，可以暂时把它列在这里；列在这里却已经写完的章节会报错，提醒删掉它。
PENDING_CHAPTERS = []

# 每章的练习道数：删掉一整道题（题目连同答案）时，测试会失败，而不是少检查一道
EXERCISE_COUNTS = {"01": 5, "02": 5, "03": 5, "04": 6, "05": 6, "06": 6, "07": 6, "08": 6, "09": 7}

# 打印出的数与代码块中的数怎样比较（docs/README.md 的“数能重复到几位”面向读者说明同一约定）：
# - 默认逐位相同：算术、计数、形状、参数个数、固定数据上的 NumPy（float64）计算，在哪台机器上都打印同样的数。
# - 训练出来的数、计时，在不同的 CPU 指令集（AVX2、AVX-512、ARM）和线程数下会变：代码块的信息串写明容差
#   （可以只管一行、一个数），容差来自 python -m tests.kernel_sweep 在几种内核设置下重跑的测量，不凭猜测。
DEFAULT_RTOL = 0.0
DEFAULT_ATOL = 0.0


SUMMARY_OPEN = "<details><summary>参考答案</summary>"
SUMMARY_CLOSE = "</details>"
ITEM = re.compile(r"^(\d+)\. ", re.MULTILINE)
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
# 正文里的小数（“3.5 节”这样的节号除外）
PROSE_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d+(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+)(?![\w.])(?!\s*节)")
# 正文里的整数：两位以上（“第 2 层”“3 轮”这样的一位数是叙述，不是结果），可以有千位分隔符（3,741）；节号、章号、
# 链接目标、标识符（ex1_2、v1.5、LeNet-5）里的数字除外
PROSE_INTEGER = re.compile(r"(?<![\w.\-/#])(?:\d{1,3}(?:,\d{3})+|\d{2,})(?![\w.]|,\d)(?!\s*[节章])")
# 代码里的数字字面量（设置：种子、步数、样本数……）
CODE_LITERAL = re.compile(r"(?<![\w.])\d[\d_]*(?:\.\d+)?(?:[eE][-+]?\d+)?")
# 公式里“= 结果”“\approx 结果”中的小数结果：前面的算式能算出它，或者它出自代码块
MATH_RESULT = re.compile(r"(?P<lhs>[^=≈$]*?)(?:=|\\approx|≈)\s*(?P<value>-?\d+\.\d+|\d{2,})(?![\d.]|\s*[-+*/×−\\^_{(]|\s*[a-zA-Z])")
BLOCK_INFO = re.compile(r"text\s+(?P<kind>output|full-run)=(?P<path>\S+)(?P<options>(?:\s+[\w.:-]+=\S+)*)\s*$")
# 容差选项：rtol=… / atol=… 作用于整个代码块；L3:rtol=… 只作用于第 3 行，L3-5:… 作用于第 3～5 行，
# L3.2:… 只作用于第 3 行的第 2 个数（行号从代码块的第一行数起）
TOLERANCE_OPTION = re.compile(r"(?:L(?P<first>\d+)(?:-(?P<last>\d+))?(?:\.(?P<index>\d+))?:)?(?P<kind>rtol|atol)")


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


def swallowed_by_html(section):
    """按 CommonMark（GitHub 处理 HTML 块的规则与它相同）渲染一节，返回被并进 HTML 块、会显示成原始文字的行。

    `</details>` 这样的行开始一个 HTML 块（CommonMark 的第 6 类），它一直延续到下一个空行：
    紧跟在 `</details>` 后面的下一道题会原样显示，反引号、链接和公式都不渲染。
    """
    swallowed = []
    for token in MarkdownIt("commonmark").parse(section):
        if token.type == "html_block":
            swallowed += [line for line in token.content.split("\n")
                          if line.strip() and line.strip() not in (SUMMARY_OPEN, SUMMARY_CLOSE)]
    return swallowed


SOLUTION_SCRIPT_LINK = re.compile(r"\]\((?P<path>[^)\s]*/solutions/[\w.]+\.py)\)")


def linked_scripts_without_block(solution):
    """答案里链接到的 solutions/ 脚本中，没有对应 output / full-run 代码块的那些（仓库中的相对路径）。"""
    with_block = {path for _, path, _, _ in result_blocks(solution)}
    linked = {(DOCS_DIR / m.group("path")).resolve().relative_to(REPO_ROOT).as_posix()
              for m in SOLUTION_SCRIPT_LINK.finditer(without_fences(solution))}
    return sorted(linked - with_block)


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
# 脚本要跑两秒以上的 output 块，标记为 slow（`python -m pytest -m "not slow"` 跳过它们）；值是大约的秒数
# （2 核 CPU、1 个线程、机器有其他负载时测得的墙钟时间），并行时长的先开始（tests/conftest.py 的 expected_seconds）
SLOW_OUTPUT_BLOCKS = {
    "06-5:ex6_5_no_standardization.py": 2,
    "07-3:ex7_3_adam_tiny_gradients.py": 2,
    "07-5:ex7_5_bce_flipped_labels.py": 6,
    "07-6:ex7_6_ridge_no_log1p.py": 11,
    "09-1:ex9_1_rnn_hidden_size.py": 11,
    "09-3:ex9_3_temperature.py": 45,
    "09-4:ex9_4_bigram_discount.py": 2.5,
    "09-5:ex9_5_window.py": 21,
    "09-7:ex9_7_blind_rating.py": 3,
}
OUTPUT_BLOCKS = [pytest.param(path, options, body, id=block_id,
                              marks=[pytest.mark.slow(seconds=SLOW_OUTPUT_BLOCKS[block_id])]
                              if block_id in SLOW_OUTPUT_BLOCKS else [])
                 for chapter, number, solution in SOLUTIONS
                 for kind, path, options, body in result_blocks(solution) if kind == "output"
                 for block_id in [f"{chapter_id(chapter)}-{number}:{path.rsplit('/', 1)[1]}"]]


# ---------------------------------------------------------------- 比较打印出的内容

def split_numbers(text):
    """把文字拆成（去掉空白的文字，[数]）：文字部分里的数换成 #。"""
    numbers = [float(m.group(0)) for m in NUMBER.finditer(text)]
    words = re.sub(r"\s+", "", NUMBER.sub("#", text))
    return words, numbers


def numbered_positions(text):
    """每个数在代码块中的位置：[(行号, 行内第几个数)]，都从 1 数起，与 split_numbers 的顺序相同。"""
    return [(line_number, index) for line_number, line in enumerate(text.split("\n"), start=1)
            for index, _ in enumerate(NUMBER.finditer(line), start=1)]


class Tolerances:
    """一个代码块里每个数的容差（相对误差 rtol、绝对误差 atol），由信息串里的选项决定。

    没有选项管到的数按默认比较：与代码块里写的逐位相同。
    选项越具体越优先：只管一个数的（L3.2:）胜过只管一行的（L3: 或 L3-5:），胜过整个代码块的；
    起作用的那一级没写的另一种容差取 0——整个代码块的 atol=1e-5 不会漏到单独写了 L5:rtol=0.5 的第 5 行上，
    那一行的数量级仍然受检查。
    """

    def __init__(self, options=None):
        self.rules = []  # (具体程度, 第一行, 最后一行, 第几个数, 种类, 值)
        for key, value in (options or {}).items():
            m = TOLERANCE_OPTION.fullmatch(key)
            if not m:
                continue
            first = int(m.group("first")) if m.group("first") else None
            last = int(m.group("last")) if m.group("last") else first
            index = int(m.group("index")) if m.group("index") else None
            level = 0 if first is None else (2 if index is not None else 1)
            self.rules.append((level, first, last, index, m.group("kind"), float(value)))

    @staticmethod
    def invalid_options(options):
        """不认识的选项名（拼错的容差会悄悄不起作用，所以要报出来）。"""
        return [key for key in options if not TOLERANCE_OPTION.fullmatch(key)]

    def for_number(self, line_number, index, written="0"):
        """第 line_number 行第 index 个数（代码块里写作 written）的 (rtol, atol)。"""
        matching = [(level, kind, value) for level, first, last, number, kind, value in self.rules
                    if level == 0 or (first <= line_number <= last and number in (None, index))]
        if not matching:
            return DEFAULT_RTOL, DEFAULT_ATOL
        top = max(level for level, _, _ in matching)
        chosen = {kind: value for level, kind, value in matching if level == top}
        return chosen.get("rtol", 0.0), chosen.get("atol", 0.0)

    def allows(self, line_number, index, written, actual):
        """代码块里写作 written 的数，脚本打印 actual 时算不算一致。"""
        rtol, atol = self.for_number(line_number, index, written)
        expected = float(written)
        if expected == actual or math.isinf(rtol) or math.isinf(atol):  # inf：只比较文字（用时这类随机器变的数）
            return True
        return abs(expected - actual) <= max(rtol * max(abs(expected), abs(actual)), atol) * (1 + 1e-9)


def compare_output(expected, actual, rtol=None, atol=None, tolerances=None):
    """逐项比较文档里的输出与脚本实际打印的输出；返回不一致之处的说明，一致时返回空列表。

    容差由 tolerances（Tolerances 对象）逐个数给出；也可以直接给整个代码块的 rtol、atol。
    """
    if tolerances is None:
        options = {key: value for key, value in (("rtol", rtol), ("atol", atol)) if value is not None}
        tolerances = Tolerances(options)
    expected_words, _ = split_numbers(expected)
    actual_words, actual_numbers = split_numbers(actual)
    written = [m.group(0) for m in NUMBER.finditer(expected)]
    if expected_words != actual_words or len(written) != len(actual_numbers):
        return [f"文字不同：\n--- 文档 ---\n{expected}\n--- 脚本现在打印 ---\n{actual}"]
    problems = []
    for (line_number, index), a, b in zip(numbered_positions(expected), written, actual_numbers):
        if not tolerances.allows(line_number, index, a, b):
            number_rtol, number_atol = tolerances.for_number(line_number, index, a)
            problems.append(f"第 {line_number} 行第 {index} 个数：文档 {a}，脚本 {b:g}"
                            f"（容差 rtol={number_rtol:g}、atol={number_atol:g}）")
    return problems


def run_main(path, module_name):
    """导入仓库里的脚本 path 并调用 main()，返回它打印的内容（输出目录换写成 output，与文档里一致）。"""
    return capture_main(import_chapter_file(path, module_name))


def capture_main(module):
    """调用已导入的脚本的 main()，返回它打印的内容（输出目录换写成 output，与文档里一致）。"""
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

    assert compare_output("损失 0.1234，第 2 轮", "损失  0.1234，第 2 轮") == []
    assert compare_output("损失 0.1234", "损失 0.1235")  # 默认逐位相同
    assert compare_output("损失 0.1234", "损失 0.1235", atol=1e-4) == []
    assert compare_output("参数 433,890 个", "参数 433,891 个")  # 整数必须相等
    assert compare_output("误差 5e-07", "误差 1e-10")
    # 越具体的选项越优先，整个代码块的 atol 不会漏到单独写了容差的行上
    tolerances = Tolerances({"atol": "1e-5", "L2:rtol": "0.5", "L3.2:atol": "0.01"})
    assert tolerances.for_number(1, 1, "5e-07") == (0.0, 1e-5)
    assert tolerances.for_number(2, 1, "5e-07") == (0.5, 0.0)
    assert tolerances.for_number(3, 1, "0.5") == (0.0, 1e-5) and tolerances.for_number(3, 2, "0.5") == (0.0, 0.01)
    assert compare_output("a 1\nb 5e-07\n", "a 1\nb 1e-10\n", tolerances=tolerances)
    assert compare_output("a 1\nb 5e-07\n", "a 1\nb 6e-07\n", tolerances=tolerances) == []
    assert Tolerances.invalid_options({"rtol": "1", "L2:atol": "1", "line2:atol": "1"}) == ["line2:atol"]
    assert compare_output("用时 165 秒", "用时 0 秒", tolerances=Tolerances({"L1:rtol": "inf"})) == []
    assert compare_output("误差 3e-10", "误差 5e-10", atol=1e-9) == []
    assert compare_output("误差 3e-10", "误差 5e-10")
    assert compare_output("精度 0.9", "准确率 0.9")
    assert [m.group(0) for m in PROSE_NUMBER.finditer("第 2 层，0.25 倍，1e-4，ex1_2.py 与 v1.5，见 3.5 节")] == ["0.25", "1e-4"]

    assert [m.group(0) for m in PROSE_INTEGER.finditer("第 2 层，12 轮，3,741 个字，见 8.11 节，ex1_23.py，#122602")] == ["12", "3,741"]
    assert evaluate_latex("0.8685 - 0.7734") == pytest.approx(0.0951)
    assert evaluate_latex(r"\frac{1}{4} \times 2^{3}") == 2.0
    assert evaluate_latex(r"\eta \lambda") is None
    assert evaluate_latex(r"|1 - 0.29 \times 6.857|") == pytest.approx(0.98853)
    assert unchecked_math_results(r"$0.8685 - 0.7734 \approx 0.095$", set()) == []
    assert unchecked_math_results(r"$0.8685 - 0.7734 \approx 0.096$", set()) == ["0.096"]
    assert unchecked_math_results(r"$\beta^* = 0.81$", {0.81}) == []
    assert unchecked_math_results(r"$\beta^* = 0.81$", set()) == ["0.81"]
    swallowed = f"{SUMMARY_OPEN}\n\n答案\n\n{SUMMARY_CLOSE}\n2. 用 `x` 做 [y](z.md)\n"
    assert swallowed_by_html(swallowed) == ["2. 用 `x` 做 [y](z.md)"]
    assert swallowed_by_html(swallowed.replace(f"{SUMMARY_CLOSE}\n", f"{SUMMARY_CLOSE}\n\n")) == []
    linked = "见[脚本](../ch02_nn_base/solutions/ex1_1_nand.py)和[另一个](../ch02_nn_base/solutions/ex1_2_derivatives.py)\n"
    block = "```text output=../ch02_nn_base/solutions/ex1_1_nand.py\n1\n```\n"
    assert linked_scripts_without_block(linked + block) == ["ch02_nn_base/solutions/ex1_2_derivatives.py"]

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


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[chapter_id(p) for p in CHAPTERS])
def test_exercise_count_is_pinned(chapter):
    """每章的练习道数固定在 EXERCISE_COUNTS 中，题号从 1 起连续：整道题被删掉会被发现。"""
    numbers = [number for number, _ in exercises(chapter.read_text(encoding="utf-8"))]
    expected = EXERCISE_COUNTS.get(chapter_id(chapter))
    assert expected is not None, f"{chapter.name}：新的一章，请在 EXERCISE_COUNTS 中写上它的练习道数"
    assert numbers == list(range(1, expected + 1)), (
        f"{chapter.name} 的练习题号是 {numbers}，应为 1～{expected}；增删练习时同时改 EXERCISE_COUNTS")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[chapter_id(p) for p in CHAPTERS])
def test_exercise_section_renders_as_markdown(chapter):
    """`## 练习` 一节在 GitHub 上能正常渲染：除 <details> 那几行外，没有文字被并进 HTML 块显示成原始文字。"""
    section = exercise_section(chapter.read_text(encoding="utf-8")) or ""
    swallowed = swallowed_by_html(section)
    assert not swallowed, (f"{chapter.name} 的练习中，这些行紧跟在 </details> 之类的 HTML 行之后，会显示成原始文字"
                           f"（反引号、链接、公式都不渲染）；在 </details> 后面空一行：\n" + "\n".join(swallowed))


@pytest.mark.parametrize("chapter, number, solution", SOLUTIONS, ids=SOLUTION_IDS)
def test_linked_solution_scripts_have_their_output(chapter, number, solution):
    """答案链接到的每个 solutions/ 脚本，都要在答案里有它的 output 或 full-run 代码块：删掉代码块会被发现。"""
    missing = linked_scripts_without_block(solution)
    assert not missing, (f"{chapter.name} 练习 {number} 的答案链接了这些脚本，却没有它们打印的内容"
                         f"（```text output=…``` 或 ```text full-run=…``` 代码块）：{missing}")


def as_number(text):
    return float(text.replace(",", "").replace("_", ""))


def evaluate_latex(expression):
    r"""算出只含数和 + - \times \cdot / ^ \frac \sqrt 括号的 LaTeX 算式；含别的符号时返回 None。"""
    text = expression.replace("−", "-").replace("\\left", "").replace("\\right", "").replace("\\,", "")
    for _ in range(3):
        text = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"((\1)/(\2))", text)
        text = re.sub(r"\\sqrt\{([^{}]*)\}", r"((\1)**0.5)", text)
    text = text.replace("\\times", "*").replace("\\cdot", "*").replace("×", "*").replace("^", "**")
    text = text.replace("{", "(").replace("}", ")")
    text = re.sub(r"\|([^|]*)\|", r"abs(\1)", text)  # |x|：绝对值
    if not text.strip() or not re.fullmatch(r"(?:[\d\s.+\-*/()]|abs)+", text):
        return None
    try:
        return float(eval(text, {"__builtins__": {}, "abs": abs}))  # 只含数字、运算符、括号和 abs（上一行已检查）
    except (SyntaxError, ZeroDivisionError, TypeError, OverflowError):
        return None


def unchecked_math_results(math, known):
    """公式里的小数结果中，既算不出来、也不在 known（代码块打印的数等）里的那些。

    “$0.8685 - 0.7734 \\approx 0.095$”按写出的位数核对算式（0.0951 四舍五入到 3 位是 0.095）；
    算式里有字母（手算推导的符号）时，结果必须出自代码块或题目。
    """
    unchecked = []
    for m in MATH_RESULT.finditer(math):
        value = m.group("value")
        if float(value) in known:
            continue
        lhs = re.split(r"=|\\approx|≈|<|>|\\le|\\ge|:|，|,", m.group("lhs"))[-1]
        result = evaluate_latex(lhs)
        decimals = len(value.split(".")[1]) if "." in value else 0
        if result is None or abs(result - float(value)) > 0.5 * 10 ** -decimals + 1e-12:
            unchecked.append(value)
    return unchecked


def number_sources(chapter, number, solution):
    """答案正文可以引用的数：代码块打印的、题目给出的、答案用到的脚本里写明的设置、章节正文里的。"""
    text = chapter.read_text(encoding="utf-8")
    items = dict(exercises(text))
    question = items.get(number, "").split(SUMMARY_OPEN, 1)[0]
    blocks = result_blocks(solution)
    numbers = {float(m.group(0)) for _, _, _, body in blocks for m in NUMBER.finditer(body)}
    numbers |= {as_number(m.group(0)) for _, _, _, body in blocks for m in PROSE_INTEGER.finditer(body)}
    scripts = {path for _, path, _, _ in blocks} | {
        (DOCS_DIR / m.group("path")).resolve().relative_to(REPO_ROOT).as_posix()
        for m in SOLUTION_SCRIPT_LINK.finditer(solution)}
    for script in scripts:
        if (REPO_ROOT / script).is_file():
            numbers |= {as_number(m.group(0)) for m in CODE_LITERAL.finditer((REPO_ROOT / script).read_text(encoding="utf-8"))}
    body = text.replace(exercise_section(text) or "", "")
    for source in (question, body):
        numbers |= {as_number(m.group(0)) for pattern in (NUMBER, PROSE_INTEGER) for m in pattern.finditer(source)}
    return numbers


@pytest.mark.parametrize("chapter, number, solution", SOLUTIONS, ids=SOLUTION_IDS)
def test_prose_integers_and_math_results_have_a_source(chapter, number, solution):
    """答案正文里两位以上的整数（用时、张数、人数……）和公式里算出的小数结果，都要有出处：

    代码块打印的数、题目给出的数、答案用到的脚本里写明的设置（种子、步数）、章节正文里的数；
    公式里的结果也可以由它前面只含数的算式算出（按写出的位数核对）。
    """
    sources = number_sources(chapter, number, solution)
    prose = mask_code_spans(without_fences(solution))
    math = " $ ".join(m.group(0) for pattern in (DISPLAY_MATH, INLINE_MATH) for m in pattern.finditer(prose))
    for pattern in (DISPLAY_MATH, INLINE_MATH):
        prose = pattern.sub(" ", prose)
    prose = re.sub(r"\]\([^)]*\)", "]", prose)  # 链接目标里的数字是文件名
    integers = [m.group(0) for m in PROSE_INTEGER.finditer(prose) if as_number(m.group(0)) not in sources]
    results = unchecked_math_results(math, sources)
    assert not integers and not results, (
        f"{chapter.name} 练习 {number} 的答案中，这些数没有出处：正文的整数 {integers}，公式的结果 {results}。"
        f"请让脚本打印它们（用时、计数），或写成能核对的算式（如 $0.0011 \\times 10000 = 11$），"
        f"或把设置写进行内代码")


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


@pytest.mark.parametrize("chapter, number, solution", SOLUTIONS, ids=SOLUTION_IDS)
def test_quoted_numbers_are_not_hidden_by_a_tolerance(chapter, number, solution):
    """正文引用的、代码块里的数，它的容差要小于它的一半：数量级变了（例如 5e-07 变成 1e-10）测试就会失败。

    整个代码块的 atol 是给只打印舍入噪声的数用的；正文拿来讲道理的数要在信息串里单独写容差（L行号:…）。
    """
    prose = mask_code_spans(without_fences(solution))
    for pattern in (DISPLAY_MATH, INLINE_MATH):
        prose = pattern.sub(" ", prose)
    quoted = {float(m.group(0)) for m in PROSE_NUMBER.finditer(prose)}
    hidden, unknown = [], []
    for _, path, options, body in result_blocks(solution):
        unknown += Tolerances.invalid_options(options)
        tolerances = Tolerances(options)
        for (line_number, index), m in zip(numbered_positions(body), NUMBER.finditer(body)):
            value = float(m.group(0))
            if value in quoted and value != 0:
                rtol, atol = tolerances.for_number(line_number, index, m.group(0))
                if math.isinf(rtol) or math.isinf(atol):
                    continue  # 用时：写明了只比较文字（随机器和负载变化，正文引用时也说明了是哪台机器）
                if max(rtol * abs(value), atol) > 0.5 * abs(value):
                    hidden.append(f"{path} 第 {line_number} 行的 {m.group(0)}（rtol={rtol:g}、atol={atol:g}）")
    assert not unknown, f"{chapter.name} 练习 {number}：代码块信息串里有不认识的选项 {unknown}（应为 rtol、atol、L3:rtol、L3.2:atol 等）"
    assert not hidden, (f"{chapter.name} 练习 {number}：正文引用的这些数被代码块的容差盖住了，变成 0 也不会报错："
                        f"{hidden}。给这一行单独写容差，如 L5:rtol=0.5")


def test_slow_output_blocks_exist():
    ids = {param.id for param in OUTPUT_BLOCKS}
    missing = sorted(set(SLOW_OUTPUT_BLOCKS) - ids)
    assert not missing, f"SLOW_OUTPUT_BLOCKS 中有不存在的 output 块：{missing}"


def test_result_blocks_name_existing_scripts():
    missing = [f"{chapter.name} 练习 {number}：{path}" for chapter, number, solution in SOLUTIONS
               for _, path, _, _ in result_blocks(solution) if not (REPO_ROOT / path).is_file()]
    assert not missing, "这些 output/full-run 代码块指向不存在的脚本：\n" + "\n".join(missing)


@pytest.fixture
def solution_module(path, monkeypatch):
    """在测试的准备阶段导入答案脚本：第一次导入 torch、sklearn 的开销不算进测试本身的用时（conftest 的上限只量测试本身）。"""
    monkeypatch.delenv("DL_QUICK", raising=False)  # 文档里的输出是正常模式的；模块顶部的 pick(...) 在导入时取值
    return import_chapter_file(path, "solution_" + re.sub(r"\W", "_", path))


@pytest.mark.parametrize("path, options, expected", OUTPUT_BLOCKS)
def test_output_block_matches_script(path, options, expected, solution_module):
    actual = capture_main(solution_module)
    problems = compare_output(expected, actual, tolerances=Tolerances(options))
    assert not problems, f"docs 中 {path} 的输出与脚本现在打印的不一致（改了代码就要同步更新答案）：\n" + "\n".join(problems)


# ---------------------------------------------------------------- 要跑几分钟的题：快速模式下检查效果的方向

@pytest.mark.slow
def test_ex4_4_quick_run_shows_the_same_direction(monkeypatch):
    """第 4 章练习 4：初始学习率 0.1 时衰减只会拖慢学习，0.4 时衰减让损失降得更低。

    完整运行（4 轮完整 MNIST）的数字在答案的 full-run 块里；快速模式只用 512 个样本训练 2 轮，
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
