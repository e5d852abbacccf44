r"""让文档保持真实：链接、代码引用、可运行的代码块、摘录和术语都与仓库一致。

检查的 Markdown 文件：仓库里的全部 .md（docs/、根目录和各章节文件夹的 README.md、data/README.md……；
不含 .venv、.git 等点开头的目录和 output/）。新写的章节自动纳入检查。

1. 每个相对链接和图片路径都指向存在的文件或目录（去掉 #锚点；忽略 http(s)、mailto 和纯锚点）。
2. 文档提到的 `common.模块`、`common.模块.名字`、`common/模块.py`、`from common.模块 import 名字`，
   以及链接形式的 [`名字`](../common/模块.py)，都必须在代码里存在（导入模块后用 hasattr 逐级检查）；
   链接到章节文件夹里的辅助模块（如 [`TwoLayerNet`](../ch04_backward/two_layer_net.py)）时，
   用 ast 解析该文件检查名字（不执行它）。
3. 信息串为 ```python run 的代码块在一个新的进程里执行（DL_QUICK=1、MPLBACKEND=Agg、
   DL_OUTPUT_DIR=临时目录、工作目录为临时目录），出错即失败。GitHub 仍按 python 高亮它。
4. 信息串为 ```python from=相对路径 的代码块是代码摘录：块中每一行代码（去掉首尾空白和注释，
   跳过空行和 `# ...` 省略行）都必须按顺序出现在该文件里，代码改了而文档没改时测试会失败。
5. 术语表 docs/术语表.md 的“不用的译法”一列中的词不出现在其他 Markdown 文件、各章 notebook 的 Markdown 单元格，
   以及 common/ 和各章文件夹里 .py 文件的注释和字符串中（少数合理的用法逐条列在 ALLOWED_TERM_USES 里）。
   光靠“不出现某个词”查不出来的几条术语规则（交叉熵误差、轮、logits、精度）用正则表达式检查正文（PROSE_RULES）；
   术语表的每一行都必须真的出现在它所写的“首次出现”的那一章里。
6. docs/images/ 中的每张图都不超过 300 KB、列在 docs/images/README.md 中，并且被某一章用到。
7. 公式在 GitHub 上能正确显示：$…$、$$…$$ 中不出现“反斜杠 + ASCII 标点”（\\、\,、\{、\} 等），
   GitHub 会先把它们当作 Markdown 转义处理掉；这样的公式要写在 ```math 围栏里（行内写成 $`…`$）。
8. 粗体在 GitHub 上能正确显示：按 CommonMark 的左右侧规则（flanking）匹配 **，
   不允许有配不上对、原样显示的 **，也不允许粗体套粗体（某个 ** 没能结束粗体时的症状）。
"""
import ast
import importlib
import json
import os
import re
import tokenize
import unicodedata
from urllib.parse import unquote

import pytest

from common.paths import REPO_ROOT
from tests.in_process import run_script
from tests.preloaded import run_python

DOCS_DIR = REPO_ROOT / "docs"
GLOSSARY = DOCS_DIR / "术语表.md"
BLOCK_TIMEOUT = 120  # 秒；文档里的可运行代码块都应在几秒内结束


SKIPPED_DIRS = {"output", "build", "venv", "node_modules", "__pycache__"}  # 以及 .venv、.git 等点开头的目录


def _in_skipped_dir(path, root):
    parts = path.relative_to(root).parts[:-1]
    return any(p.startswith(".") or p in SKIPPED_DIRS or p.endswith(".egg-info") for p in parts)


def markdown_files(root=REPO_ROOT):
    """仓库里的全部 Markdown 文件（不含虚拟环境、缓存和 output/），按路径排序。"""
    return sorted(p for p in root.rglob("*.md") if p.is_file() and not _in_skipped_dir(p, root))


def notebook_markdown(root=REPO_ROOT):
    """各章 notebook 的 Markdown 单元格：[(notebook 路径, 单元格序号, 文字)]。"""
    cells = []
    for notebook in sorted(root.glob("ch*_*/**/*.ipynb")):
        if _in_skipped_dir(notebook, root):
            continue
        for index, cell in enumerate(json.loads(notebook.read_text(encoding="utf-8"))["cells"]):
            if cell["cell_type"] == "markdown":
                cells.append((notebook, index, "".join(cell["source"])))
    return cells


def rel(path):
    """相对仓库根目录的路径（报错信息里用）；不在仓库里时原样返回。"""
    try:
        return path.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return str(path)


# ---------------------------------------------------------------- 解析 Markdown

FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>```+|~~~+)(?P<info>[^\n]*)\n(?P<body>.*?)^(?P=indent)(?P=fence)[ \t]*$",
                   re.MULTILINE | re.DOTALL)
DISPLAY_MATH = re.compile(r"\$\$.*?\$\$", re.DOTALL)
INLINE_MATH = re.compile(r"(?<![\\$])\$[^$\n]+\$")
INLINE_LINK = re.compile(r"!?\[(?P<text>(?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?(?P<target>[^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(?P<target>\S+?)>?(?:\s+\"[^\"]*\")?\s*$", re.MULTILINE)
HTML_SRC = re.compile(r"<(?:img|a)\b[^>]*?\b(?:src|href)=\"(?P<target>[^\"]+)\"", re.IGNORECASE)


def code_blocks(text):
    """所有围栏代码块：[(信息串, 代码, 起始行号)]。"""
    return [(m.group("info").strip(), m.group("body"), text.count("\n", 0, m.start()) + 1)
            for m in FENCE.finditer(text)]


def prose(text):
    """去掉围栏代码块和 LaTeX 公式后的正文（公式里的方括号、圆括号会被误认成链接）。"""
    text = FENCE.sub("", text)
    text = DISPLAY_MATH.sub("", text)
    return INLINE_MATH.sub("", text)


def links(text):
    """正文中的链接与图片：[(链接文字或 None, 目标)]。"""
    body = prose(text)
    found = [(m.group("text"), m.group("target")) for m in INLINE_LINK.finditer(body)]
    found += [(None, m.group("target")) for m in REFERENCE_LINK.finditer(body)]
    found += [(None, m.group("target")) for m in HTML_SRC.finditer(body)]
    return found


def is_external(target):
    return re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target) is not None or target.startswith("#")


def resolve(md_file, target):
    """把相对链接解析成仓库里的路径（去掉锚点和查询串，解开 %xx 编码）。"""
    target = unquote(target.split("#", 1)[0].split("?", 1)[0])
    if target.startswith("/"):
        return REPO_ROOT / target.lstrip("/")
    return (md_file.parent / target).resolve()


# ---------------------------------------------------------------- 代码引用

IDENT = r"[A-Za-z_]\w*"
DOTTED_COMMON = re.compile(rf"(?<![\w./])common((?:\.{IDENT})+)")
COMMON_FILE = re.compile(r"(?<![\w.])common/(\w+)\.py\b")
FROM_IMPORT = re.compile(rf"^\s*from\s+common((?:\.{IDENT})*)\s+import\s+\(?([^)\n#]+)", re.MULTILINE)
LINKED_SYMBOL = re.compile(rf"\[`(?P<name>{IDENT}(?:\.{IDENT})*)(?:\([^`]*\))?`\]\((?P<target>[^)\s#]+\.py)(?:#[^)]*)?\)")
FILE_SUFFIX = re.compile(r"\.(py|md|json|png|txt|csv|ipynb|pkl|npz)$")


def code_references(text, md_file):
    """文档里对代码的引用：[(描述, 模块或文件, [属性链])]。

    模块为 "common.xxx" 时导入检查；为 Path 时（章节文件夹里的 .py）用 ast 检查。
    """
    refs = []
    for m in DOTTED_COMMON.finditer(text):
        parts = m.group(1).lstrip(".").split(".")
        refs.append((m.group(0), "common", parts))
    for m in COMMON_FILE.finditer(text):
        refs.append((m.group(0), "common", [m.group(1)]))
    for m in FROM_IMPORT.finditer(text):
        module_parts = m.group(1).lstrip(".").split(".") if m.group(1) else []
        for name in m.group(2).split(","):
            name = name.strip().split(" as ")[0].strip()
            if re.fullmatch(IDENT, name):
                refs.append((f"from common{m.group(1)} import {name}", "common", module_parts + [name]))
    for m in LINKED_SYMBOL.finditer(prose(text)):
        name, target = m.group("name"), m.group("target")
        if FILE_SUFFIX.search(name) or is_external(target):
            continue
        path = resolve(md_file, target)
        try:
            inside = path.relative_to(REPO_ROOT / "common")
        except ValueError:
            refs.append((m.group(0), path, name.split(".")))
        else:
            module = inside.with_suffix("").as_posix().split("/")
            refs.append((m.group(0), "common", module + name.split(".")))
    return refs


def missing_in_common(parts):
    """按 common.a.b.c 逐级导入/取属性；返回出错说明，找到时返回 None。"""
    obj = importlib.import_module("common")
    path = "common"
    for part in parts:
        if hasattr(obj, part):
            obj = getattr(obj, part)
        else:
            try:  # 子模块（如 common.layers）在导入之前不是属性
                obj = importlib.import_module(f"{path}.{part}")
            except ModuleNotFoundError:
                return f"{path} 中没有 {part}"
        path = f"{path}.{part}"
    return None


def _defined_names(nodes):
    """ast 节点列表中（模块或类的顶层）定义的名字。"""
    names = set()
    for node in nodes:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


def _instance_attributes(class_node):
    """类的方法里以 self.xxx = ... 赋值的属性名。"""
    names = set()
    for node in ast.walk(class_node):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) \
                and isinstance(node.value, ast.Name) and node.value.id == "self":
            names.add(node.attr)
    return names


def missing_in_file(path, parts):
    """不执行文件，用 ast 检查 名字[.方法或属性] 是否在该文件里定义。"""
    if not path.is_file():
        return f"文件 {path} 不存在"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    if parts[0] not in _defined_names(tree.body):
        return f"{rel(path)} 中没有定义 {parts[0]}"
    if len(parts) > 1:
        classes = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == parts[0]]
        if not classes or parts[1] not in _defined_names(classes[0].body) | _instance_attributes(classes[0]):
            return f"{rel(path)} 的 {parts[0]} 中没有 {parts[1]}"
    return None


# ---------------------------------------------------------------- 术语表

def avoided_terms(glossary_text):
    """术语表中“不用的译法”一列里的词。表头必须含有“不用的译法”这一列。"""
    terms = []
    column = None
    for line in glossary_text.splitlines():
        if not line.startswith("|"):
            column = None if not line.strip() else column
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if "不用的译法" in cells:
            column = cells.index("不用的译法")
            continue
        if column is None or set("".join(cells)) <= set("-: ") or column >= len(cells):
            continue
        terms += [t.strip() for t in re.split(r"[、,，]", cells[column]) if t.strip() not in ("", "—", "-")]
    return terms


# ---------------------------------------------------------------- GitHub 渲染的两个陷阱
#
# GitHub 先按 CommonMark 处理 Markdown，再把 $…$、$$…$$ 交给 MathJax。两件事会因此出错：
# 1. 反斜杠转义：CommonMark 中“\ + ASCII 标点”是转义，公式里的 \\ 变成 \、\, 变成 ,、\{ 变成 {，
#    矩阵和 cases 的各行并成一行。这类公式要放进 ```math 围栏（原样交给 MathJax），行内用 $`…`$。
# 2. 粗体的左右侧规则（flanking）：紧跟在 Unicode 标点后面的 ** 只有在后面是空白、标点或行尾时才能结束粗体。
#    **权重对称（weight symmetry）**问题 中第二个 ** 前面是“）”、后面是汉字，不能结束粗体，页面上会留下 **。

ASCII_PUNCTUATION = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
MATH_ESCAPE = re.compile(r"\\[!-/:-@\[-`{-~]")  # 反斜杠 + ASCII 标点，如 \\ \, \{ \} \; \!


def without_fences(text):
    """把围栏代码块（包括 ```math）换成同样行数的空行，行号保持不变。"""
    return FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def mask_code_spans(text):
    """把行内代码 `…` 的内容换成 x（保留反引号和换行），使其中的 $、*、\\ 不再被当作公式或粗体。"""
    return CODE_SPAN.sub(lambda m: m.group(1) + re.sub(r"[^\n]", "x", m.group(2)) + m.group(1), text)


def line_of(text, position):
    return text.count("\n", 0, position) + 1


def math_escape_hazards(text):
    """$$…$$ 和 $…$ 公式中 GitHub 会当作 Markdown 转义的序列：[(行号, 公式)]。```math 与 $`…`$ 不受影响。"""
    text = mask_code_spans(without_fences(text))
    found = []
    for pattern in (DISPLAY_MATH, INLINE_MATH):
        for m in pattern.finditer(text):
            if MATH_ESCAPE.search(m.group(0)):
                found.append((line_of(text, m.start()), m.group(0)))
        text = pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)  # 行内公式不再匹配到行间公式里
    return sorted(found)


def is_whitespace(char):
    return char.isspace() or unicodedata.category(char) == "Zs"


def is_punctuation(char, with_symbols):
    """CommonMark 的“Unicode 标点”：cmark-gfm（GitHub）用 P 类；CommonMark 0.31 起还包括 S 类（符号）。"""
    category = unicodedata.category(char)
    return char in ASCII_PUNCTUATION or category.startswith("P") or (with_symbols and category.startswith("S"))


LIST_MARKER = re.compile(r"^\s*(?:>\s?)*(?:[-+*]|\d+[.)])\s+")
BLOCKQUOTE = re.compile(r"^\s*(?:>\s?)+")
THEMATIC_BREAK = re.compile(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")
HEADING = re.compile(r"^\s{0,3}#{1,6}\s")


def inline_units(text):
    """按 GitHub 的块结构切出各自独立解析行内格式的片段：[(起始行号, 文字)]。

    段落与列表项（可以跨行）、标题、表格的每个单元格各是一段；代码块不算。
    """
    units, current, start = [], [], 0

    def flush():
        if current:
            units.append((start, "\n".join(current)))
            current.clear()

    for number, line in enumerate(without_fences(text).split("\n"), start=1):
        if not line.strip() or THEMATIC_BREAK.match(line):
            flush()
        elif line.lstrip().startswith("|"):
            flush()
            cells = re.split(r"(?<!\\)\|", mask_code_spans(line).strip().strip("|"))
            units += [(number, cell) for cell in cells]
        elif HEADING.match(line):
            flush()
            units.append((number, line))
        else:
            marker = LIST_MARKER.match(line)
            if marker:
                flush()
                line = line[marker.end():]
            if not current:
                start = number
            current.append(BLOCKQUOTE.sub("", line))
    flush()
    return units


def _delimiter_runs(unit, with_symbols):
    """片段中的每个 * 分隔符串：[起点, 长度, 剩余长度, 能开始, 能结束]（CommonMark 6.2 的左右侧规则）。"""
    unit = mask_code_spans(unit).replace("\\*", "\\x")
    unit = INLINE_MATH.sub(lambda m: "$" + "x" * (len(m.group(0)) - 2) + "$", unit)
    runs = []
    for m in re.finditer(r"\*+", unit):
        before = unit[m.start() - 1] if m.start() > 0 else " "
        after = unit[m.end()] if m.end() < len(unit) else " "
        left = not is_whitespace(after) and (not is_punctuation(after, with_symbols) or is_whitespace(before)
                                            or is_punctuation(before, with_symbols))
        right = not is_whitespace(before) and (not is_punctuation(before, with_symbols) or is_whitespace(after)
                                              or is_punctuation(after, with_symbols))
        runs.append([m.start(), len(m.group(0)), len(m.group(0)), left, right])
    return runs


def _match_emphasis(runs):
    """CommonMark 的强调匹配（“process emphasis”）：从左到右为每个能结束的串找最近的能开始的串。

    改写各串的剩余长度，返回配成的粗体（一次用掉两个 *）：[(开始串的位置, 结束串的位置)]。
    """
    stack, strong = [], []
    for closer in runs:
        while closer[4] and closer[2] > 0:
            for index in range(len(stack) - 1, -1, -1):
                opener = stack[index]
                both = opener[4] or closer[3]
                if opener[2] > 0 and not (both and (opener[1] + closer[1]) % 3 == 0
                                          and not (opener[1] % 3 == 0 and closer[1] % 3 == 0)):
                    used = 2 if opener[2] >= 2 and closer[2] >= 2 else 1
                    opener[2] -= used
                    closer[2] -= used
                    if used == 2:
                        strong.append((opener[0], closer[0]))
                    del stack[index + 1:]  # 夹在中间的分隔符不再参与匹配，留作普通字符
                    if opener[2] == 0:
                        stack.pop()
                    break
            else:
                break
        if closer[3] and closer[2] > 0:
            stack.append(closer)
    return strong


def bold_hazards(text):
    """GitHub 上粗体会出错的地方：[(行号, 说明, 所在片段的开头)]。两种“标点”定义都要通过。

    - ** 没有配上对，页面上原样显示 **；
    - 粗体里套着粗体：多半是某个本该结束粗体的 ** 没能结束，反而开始了新的粗体，与后面的 ** 配对，
      粗体一直延续到下一处粗体（如 **权重对称（weight symmetry）**问题。……必须**随机**）。
    """
    found = set()
    for start, unit in inline_units(text):
        lines = unit.split("\n")

        def report(position, why):
            index = unit.count("\n", 0, position)
            found.add((start + index, why, lines[index].strip()[:80]))

        for with_symbols in (False, True):
            runs = _delimiter_runs(unit, with_symbols)
            strong = _match_emphasis(runs)
            for position, length, left_over, _, _ in runs:
                if length >= 2 and left_over > 0:
                    report(position, "** 没有配对，会原样显示")
            for outer_start, outer_end in strong:
                for inner_start, inner_end in strong:
                    if outer_start < inner_start and inner_end < outer_end:
                        report(inner_start, "粗体套粗体：有一处 ** 没能结束粗体")
    return sorted(found)


# ---------------------------------------------------------------- 先测检查器本身

def test_checkers_find_what_they_should(tmp_path):
    text = (
        "见 [`Affine`](../common/layers.py) 与 [`numerical_gradient()`](../common/gradient.py#L10)，"
        "还有 `common.functions.softmax`、[`common/optimizer.py`](../common/optimizer.py) 和"
        " ![图](images/a.png) [外部](https://example.com) [锚点](#小结)。\n"
        "公式 $[a](b)$ 不是链接。\n\n"
        "```python\nfrom common.layers import Relu, NoSuchLayer\n[x](not_a_link)\n```\n"
    )
    md_file = REPO_ROOT / "docs" / "x.md"
    targets = [t for _, t in links(text)]
    assert targets == ["../common/layers.py", "../common/gradient.py#L10", "../common/optimizer.py",
                       "images/a.png", "https://example.com", "#小结"]
    refs = {desc: parts for desc, _, parts in code_references(text, md_file)}
    assert refs["[`Affine`](../common/layers.py)"] == ["layers", "Affine"]
    assert refs["[`numerical_gradient()`](../common/gradient.py#L10)"] == ["gradient", "numerical_gradient"]
    assert refs["common.functions.softmax"] == ["functions", "softmax"]
    assert refs["common/optimizer.py"] == ["optimizer"]
    assert refs["from common.layers import NoSuchLayer"] == ["layers", "NoSuchLayer"]
    assert missing_in_common(["layers", "Affine"]) is None
    assert missing_in_common(["layers", "NoSuchLayer"]) == "common.layers 中没有 NoSuchLayer"
    assert missing_in_common(["no_such_module"]) is not None

    helper = tmp_path / "net.py"
    helper.write_text("class Net:\n    def __init__(self):\n        self.params = {}\n    def loss(self):\n        pass\n")
    assert missing_in_file(helper, ["Net", "loss"]) is None
    assert missing_in_file(helper, ["Net", "params"]) is None
    assert missing_in_file(helper, ["Net", "gradient"]) is not None
    assert missing_in_file(helper, ["Other"]) is not None

    blocks = code_blocks("正文\n\n```python run\nprint(1)\n```\n\n```python from=../common/layers.py\nclass Relu:\n```\n")
    assert [(info, line) for info, _, line in blocks] == [("python run", 3), ("python from=../common/layers.py", 7)]

    glossary = ("| 中文 | English | 不用的译法 |\n| --- | --- | --- |\n"
                "| 反向传播 | backpropagation | 误差反向传播法、反向传递 |\n| 权重 | weight | — |\n")
    assert avoided_terms(glossary) == ["误差反向传播法", "反向传递"]


def test_math_checker_finds_escapes_outside_math_fences():
    hazards = [
        "$$\ny = \\begin{cases} 1, & x > 0 \\\\ 0, & x \\le 0 \\end{cases}\n$$\n",   # \\ 换行符被吃掉一个
        "速度 $v \\leftarrow 0.9\\,v$ 不变\n",                                        # \, 变成 ,
        "集合 $\\{x_1, \\dots, x_m\\}$\n",                                            # \{ \} 变成 { }
        "正文\n\n$$\\frac{a}{b} \\; c$$\n",                                           # 其他“反斜杠 + 标点”同理
    ]
    for text in hazards:
        assert len(math_escape_hazards(text)) == 1, text
    assert [line for line, _ in math_escape_hazards("第一行\n\n$$\na \\\\ b\n$$\n")] == [3]
    safe = [
        "```math\ny = \\begin{cases} 1, & x > 0 \\\\ 0, & x \\le 0 \\end{cases}\n```\n",  # ```math 原样交给 MathJax
        "集合 $`\\{x_1, \\dots, x_m\\}`$ 与 $`a\\,b`$\n",                                   # 行内：$`…`$
        "代码 `\"a\\\\b\"` 不是公式；$\\lbrace x \\rbrace$、$a \\cdot b$ 也没问题\n",
        "```python\nprint(\"$a\\\\b$\")\n```\n",
        "价格 \\$5 和 \\$6\n",
    ]
    for text in safe:
        assert math_escape_hazards(text) == [], text


def test_bold_checker_applies_the_flanking_rule():
    broken = [
        "NumPy 的**广播（broadcasting）**把同一个偏置加到每一行上。\n",   # ）** 后面紧跟汉字：不能结束粗体
        "- **为什么有效**：每一批都不同。推理时是**集成学习（ensemble learning）**的一种廉价实现。\n",
        "用 **`softmax`**的输出。\n",                                         # ` 也是标点
        "这叫**权重对称（weight symmetry）**问题。\n所以权重必须**随机**初始化。\n",  # 全部配上了对，但粗体延续到“随机”
        "| 表头 |\n| --- |\n| 一个**单元格（cell）**里 |\n",
    ]
    for text in broken:
        assert bold_hazards(text), text
    assert [line for line, _, _ in bold_hazards("第一行\n\n第三行\n这里**有（括号）**问题\n")] == [4]
    fine = [
        "这叫**权重对称**（weight symmetry）问题。所以权重必须**随机**初始化。\n",   # 粗体在括号前结束
        "- **输入层（input layer）**：接收数据。\n",                                   # ）** 后面是标点
        "**快速模式**：设置环境变量。它**不是**默认的。\n",
        "粗体可以\n**跨行（line）**，后面是标点就行。\n",
        "反向传播（**backpropagation**）是本章的主角。\n",
        "行内代码 `a ** 2` 与公式 $a^{**}$ 里的星号不算，转义的 \\*\\* 也不算。\n",
        "```python\nx = a ** 2  # **粗体（不是）**问题\n```\n",
        "*图 1-1　激活函数（实线）。重新生成：`python x.py`。*\n",
        "***\n\n* 列表项 **加粗（bold）**。\n",
    ]
    for text in fine:
        assert bold_hazards(text) == [], text


# ---------------------------------------------------------------- 对仓库里的文档运行检查

MD_FILES = markdown_files()
MD_IDS = [rel(p) for p in MD_FILES]


def test_docs_exist():
    expected = ["README.md", "01_神经网络基础.md", "02_神经网络的学习.md", "03_反向传播算法.md",
                "04_学习的技巧.md", "05_PyTorch简介.md", "06_PyTorch核心概念详解.md", "07_PyTorch深度学习实践.md",
                "08_卷积神经网络.md", "09_循环神经网络.md", "术语表.md", "images/README.md"]
    missing = [name for name in expected if not (DOCS_DIR / name).is_file()]
    assert not missing, f"docs/ 中缺少这些文件：{missing}"


@pytest.mark.parametrize("md_file", MD_FILES, ids=MD_IDS)
def test_relative_links_resolve(md_file):
    text = md_file.read_text(encoding="utf-8")
    broken = [target for _, target in links(text)
              if not is_external(target) and not resolve(md_file, target).exists()]
    assert not broken, f"{rel(md_file)} 中这些链接指向不存在的文件：{broken}"


@pytest.mark.parametrize("md_file", MD_FILES, ids=MD_IDS)
def test_code_references_exist(md_file):
    text = md_file.read_text(encoding="utf-8")
    problems = []
    for description, where, parts in code_references(text, md_file):
        problem = missing_in_common(parts) if where == "common" else missing_in_file(where, parts)
        if problem:
            problems.append(f"{description}：{problem}")
    assert not problems, f"{rel(md_file)} 提到了代码里不存在的名字：\n" + "\n".join(problems)


def math_problems(text):
    return [f"第 {line} 行：{formula[:100]}" for line, formula in math_escape_hazards(text)]


def bold_problems(text):
    return [f"第 {line} 行（{why}）：{snippet}" for line, why, snippet in bold_hazards(text)]


# GitHub 渲染 Markdown 时的两个陷阱：找出问题的函数，和告诉作者怎么改的说明
RENDERING_CHECKS = {
    "math": (math_problems,
             "的 $…$ / $$…$$ 公式中有“反斜杠 + 标点”（如 \\\\、\\,、\\{），GitHub 会把它当作 Markdown 转义吃掉。"
             "请把整个公式放进 ```math 围栏代码块（行内写成 $`…`$），或换用 \\lbrace 这类写法"),
    "bold": (bold_problems,
             "中有 GitHub 不会渲染成粗体的 **：紧跟在标点（如“）”、`）后面的 ** 只有在后面是空白或标点时"
             "才能结束粗体。请把粗体移到括号之前结束（**权重对称**（weight symmetry）问题），或在后面接标点"),
}


@pytest.mark.parametrize("check", RENDERING_CHECKS)
@pytest.mark.parametrize("md_file", MD_FILES, ids=MD_IDS)
def test_markdown_renders_on_github(md_file, check):
    find_problems, advice = RENDERING_CHECKS[check]
    problems = find_problems(md_file.read_text(encoding="utf-8"))
    assert not problems, f"{rel(md_file)} {advice}：\n" + "\n".join(problems)


NOTEBOOKS = sorted({notebook for notebook, _, _ in notebook_markdown()})


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[rel(p) for p in NOTEBOOKS])
def test_notebook_bold_renders(notebook):
    """notebook 的 Markdown 单元格同样按 CommonMark 的规则处理粗体。"""
    hazards = [f"第 {index} 个单元格第 {line} 行（{why}）：{snippet}"
               for path, index, source in notebook_markdown() if path == notebook
               for line, why, snippet in bold_hazards(source)]
    assert not hazards, f"{rel(notebook)} 中有不会渲染成粗体的 **（见 RENDERING_CHECKS 里 bold 的说明）：\n" + "\n".join(hazards)


GITHUB_ONLY_MATH = re.compile(r"^```math\s*$|\$`[^`\n]+`\$", re.MULTILINE)


def test_github_only_math_is_caught():
    assert GITHUB_ONLY_MATH.search("公式：\n```math\na \\\\ b\n```\n")
    assert GITHUB_ONLY_MATH.search("行内 $`\\{x\\}`$ 公式")
    assert not GITHUB_ONLY_MATH.search("行内 $\\sigma$，独立 $$\\begin{aligned} a \\\\ b \\end{aligned}$$")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[rel(p) for p in NOTEBOOKS])
def test_notebook_math_uses_jupyter_syntax(notebook):
    """Jupyter 把 ```math 围栏显示成代码、把 $`…`$ 中的反引号原样显示；notebook 里的公式用 $…$ 和 $$…$$。

    （Jupyter 先取出公式再处理 Markdown，所以 notebook 的 $$ 公式里可以放心写 \\\\ 换行；.md 文件则相反，见上面的检查。）
    """
    found = [f"第 {index} 个单元格：{m.group(0)[:40]}" for path, index, source in notebook_markdown() if path == notebook
             for m in GITHUB_ONLY_MATH.finditer(source)]
    assert not found, f"{rel(notebook)} 的公式用了只有 GitHub 的 Markdown 才认识的写法，请改成 $…$ 或 $$…$$：\n" + "\n".join(found)


def _blocks_with(info_pattern):
    found = []
    for md_file in MD_FILES:
        text = md_file.read_text(encoding="utf-8")
        for info, body, line in code_blocks(text):
            m = re.fullmatch(info_pattern, info)
            if m:
                found.append(pytest.param(md_file, body, m, id=f"{rel(md_file)}:{line}"))
    return found


RUNNABLE = _blocks_with(r"python\s+run")


@pytest.fixture
def restore_global_state():
    """在本进程内运行的脚本改动的全局状态（随机数、默认 dtype、线程数、打开的图）在测试结束后复原，不影响别的测试。"""
    import random

    import matplotlib.pyplot as plt
    import numpy as np
    import torch

    saved = (random.getstate(), np.random.get_state(), torch.random.get_rng_state(), torch.get_default_dtype(),
             torch.get_num_threads())
    yield
    random.setstate(saved[0])
    np.random.set_state(saved[1])
    torch.random.set_rng_state(saved[2])
    torch.set_default_dtype(saved[3])
    torch.set_num_threads(saved[4])
    plt.close("all")


def block_env(output_dir):
    """与 tests/test_scripts.py 相同的快速模式环境。"""
    env = dict(os.environ, DL_QUICK="1", MPLBACKEND="Agg", DL_OUTPUT_DIR=str(output_dir),
               PYTHONIOENCODING="utf-8")
    env.pop("DISPLAY", None)
    return env


def test_every_chapter_has_runnable_blocks():
    chapters = sorted(DOCS_DIR.glob("0*_*.md"))
    counts = {p.name: sum(1 for param in RUNNABLE if param.values[0] == p) for p in chapters}
    assert chapters and all(n >= 2 for n in counts.values()), f"每章至少应有 2 个 ```python run 代码块：{counts}"


# 每块在一个新的进程里运行（由已经导入 torch 等库的进程 fork 出来，见 tests/preloaded.py）：
# 每块约 1 秒，50 多块合起来近一分钟（2 核 CPU），放在 slow 里，日常跑的快速部分保持在 45 秒以内
@pytest.mark.slow
@pytest.mark.parametrize("md_file, code, match", RUNNABLE)
def test_runnable_block_executes(md_file, code, match, tmp_path):
    """代码块照原样作为一个文件运行：快速模式（DL_QUICK=1）、在另一个工作目录、一个新的进程。"""
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    script = tmp_path / "block.py"
    script.write_text(code, encoding="utf-8")
    result = run_python([script], cwd=workdir, env=block_env(tmp_path / "output"), timeout=BLOCK_TIMEOUT)
    log = f"--- 代码 ---\n{code}\n--- stdout ---\n{result.stdout[-3000:]}\n--- stderr ---\n{result.stderr[-3000:]}"
    assert result.returncode == 0 and "Traceback" not in result.stderr, log


EXCERPTS = _blocks_with(r"python\s+from=(\S+)")
ELLIPSIS_LINE = re.compile(r"^(#\s*)?(\.\.\.|…+)$")
TRAILING_COMMENT = re.compile(r"\s+#.*$|^#.*$")


def code_only(line):
    """一行代码去掉首尾空白和注释（摘录可以省略或改写注释，代码本身必须一致）。"""
    return TRAILING_COMMENT.sub("", line.strip()).strip()


@pytest.mark.parametrize("md_file, code, match", EXCERPTS)
def test_excerpt_matches_source(md_file, code, match):
    source_file = resolve(md_file, match.group(1))
    assert source_file.is_file(), f"摘录的来源文件不存在：{match.group(1)}"
    source = [code_only(line) for line in source_file.read_text(encoding="utf-8").splitlines()]
    wanted = [code_only(line) for line in code.splitlines() if not ELLIPSIS_LINE.match(line.strip())]
    wanted = [line for line in wanted if line]
    position = 0
    for line in wanted:
        try:
            position = source.index(line, position) + 1
        except ValueError:
            pytest.fail(f"{rel(md_file)} 摘录中的这一行没有（按顺序）出现在 {rel(source_file)} 里：\n{line}")


PROSE_TOKENS = {tokenize.COMMENT, tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}


def python_prose(path):
    """一个 .py 文件中的注释和字符串（中文说明都在这里）：[(行号, 文字)]。"""
    with tokenize.open(path) as source:
        return [(token.start[0], token.string) for token in tokenize.generate_tokens(source.readline)
                if token.type in PROSE_TOKENS]


def glossary_texts(root=REPO_ROOT):
    """术语表要管到的全部中文：[(位置, 起始行号, 文字)]。

    全部 Markdown 文件（术语表自己除外）、notebook 的 Markdown 单元格、common/ 和各章文件夹里 .py 的注释与字符串。
    """
    texts = [(rel(p), 1, p.read_text(encoding="utf-8")) for p in markdown_files(root) if p != root / "docs" / "术语表.md"]
    texts += [(f"{rel(notebook)} 第 {index} 个单元格", 1, source) for notebook, index, source in notebook_markdown(root)]
    for py_file in sorted(root.glob("common/**/*.py")) + sorted(root.glob("ch*_*/**/*.py")):
        if not _in_skipped_dir(py_file, root):
            texts += [(rel(py_file), line, text) for line, text in python_prose(py_file)]
    return texts


# 术语表“不用的译法”里的词，在少数地方是合理的：例如定义卷积核时顺带说明“也叫滤波器”，读者在别的书里会遇到这个说法。
# 每条是 位置（文件路径，notebook 写路径）→ 允许原样出现的几段文字；检查前先把这些文字从该位置的文本里去掉。
ALLOWED_TERM_USES = {
    "docs/08_卷积神经网络.md": ["也叫滤波器，filter"],  # 8.2 节定义卷积核时注明别名
}


def _without_allowed(where, text):
    for path, snippets in ALLOWED_TERM_USES.items():
        if where == path or where.startswith(path + " "):
            for snippet in snippets:
                text = text.replace(snippet, "")
    return text


def test_glossary_terms_are_followed():
    if not GLOSSARY.is_file():
        pytest.fail("缺少 docs/术语表.md")
    terms = avoided_terms(GLOSSARY.read_text(encoding="utf-8"))
    for chosen_over in ("本地导数", "上游导数", "移动平均", "RMSProp", "前向传播",
                        "降采样", "批大小", "叶子张量", "字向量", "滤波器", "交叉熵损失"):
        assert chosen_over in terms, f"术语表的“不用的译法”一列应包含 {chosen_over}"
    problems = []
    for where, first_line, text in glossary_texts():
        text = _without_allowed(where, text)
        for term in terms:
            if term in text:
                problems.append(f"{where}:{first_line + text.count(chr(10), 0, text.index(term))}：{term}")
    assert not problems, "这些地方用了术语表中“不用的译法”，请换成术语表里的译法：\n" + "\n".join(problems)


# 正文（Markdown 与 notebook 的文字单元格；代码块和行内代码除外）里的几条术语规则：(正则, 问题, 改法)。
PROSE_RULES = [
    (re.compile(r"(?<!二元)交叉熵(?!误差)"), "交叉熵",
     "损失函数叫“交叉熵误差”（二分类的叫“二元交叉熵”），不要只写“交叉熵”"),
    (re.compile(r"(?<!轮（)(?<!轮数（)(?<!per-)(?<![A-Za-z_])[Ee]pochs?(?![A-Za-z_])"), "epoch",  # per-epoch：术语的英文注释
     "正文里写“轮”；英文只在第一次出现时写成“轮（epoch）”，代码里的名字放进 `…`"),
    (re.compile(r"(?<!部)分数"), "分数",
     "softmax/sigmoid 之前的输出叫 logits；比赛、交叉验证的评分叫“得分”"),
    (re.compile(r"(?:低|高|机器|任意|数值|浮点|计算|有效|全)精度|精度(?:损失|不够|不足|有限)"
                r"|(?:float|bfloat)\d+`?\s*(?:的\s*)?精度"), "精度",
     "“精度”只指识别精度（accuracy）；数值的精确程度说“数值精确度”“有效数字”，格式名说“单精度/双精度/半精度/混合精度”"),
]


def prose_texts(root=REPO_ROOT):
    """正文：[(位置, 文字)]，围栏代码块换成空行、行内代码换成 x（行号不变）。术语表自己除外。"""
    texts = [(rel(p), p.read_text(encoding="utf-8")) for p in markdown_files(root) if p != root / "docs" / "术语表.md"]
    texts += [(f"{rel(notebook)} 第 {index} 个单元格", source) for notebook, index, source in notebook_markdown(root)]
    return [(where, mask_code_spans(without_fences(_without_allowed(where, text)))) for where, text in texts]


def prose_rule_problems(texts):
    return [f"{where}:{line_of(text, m.start())}：“{m.group(0)}”——{advice}"
            for where, text in texts for pattern, _, advice in PROSE_RULES for m in pattern.finditer(text)]


def test_prose_rules_find_what_they_should():
    texts = [("a.md", "训练 5 个 epoch，交叉熵下降；softmax 之前的分数。\n数值精度不够。float32 的精度；半精度格式的精度有限。\n"),
             ("b.md", "一轮（epoch）；交叉熵误差、二元交叉熵；部分数据；测试精度 0.99；单精度、混合精度。`--epochs 5` 与\n"
                      "```python\nfor epoch in range(3):  # 交叉熵\n```\n")]
    masked = [(where, mask_code_spans(without_fences(text))) for where, text in texts]
    found = prose_rule_problems(masked)
    assert [f.split("：")[1].split("——")[0] for f in found] == [
        "“交叉熵”", "“epoch”", "“分数”", "“数值精度”", "“float32 的精度”", "“精度有限”"], found
    assert all(f.startswith("a.md:") for f in found)


def test_prose_follows_term_rules():
    problems = prose_rule_problems(prose_texts())
    assert not problems, "正文里的术语与术语表的约定不一致：\n" + "\n".join(problems)


CHAPTER_OF_ROW = re.compile(r"第 (\d+) 章")


def glossary_rows(glossary_text):
    """术语表各行：[(中文的各个说法, 章号)]。“首次出现”一列写“第 N 章”（可带链接）。"""
    rows = []
    for line in glossary_text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if len(cells) < 3 or cells[0] == "中文" or set("".join(cells)) <= set("-: "):
            continue
        chapter = CHAPTER_OF_ROW.search(cells[2])
        if chapter:
            names = [re.sub(r"（[^）]*）", "", n).strip() for n in re.split(r"[、,，]", cells[0])]
            rows.append(([n for n in names if n], int(chapter.group(1))))
    return rows


def test_glossary_rows_appear_in_their_chapter():
    """术语表的每个词都要在它写的那一章里真的出现（词里的括号说明，如“冻结（参数）”，不算在内）。"""
    chapters = {int(p.name[:2]): p.read_text(encoding="utf-8") for p in DOCS_DIR.glob("0*_*.md")}
    rows = glossary_rows(GLOSSARY.read_text(encoding="utf-8"))
    assert len(rows) > 100, "没有读到术语表的行，表格的格式变了吗？"
    missing = [f"{name}（第 {chapter} 章）" for names, chapter in rows for name in names
               if name not in chapters.get(chapter, "")]
    assert not missing, "术语表中的这些词没有出现在所写的章节里，请改正“首次出现”一列，或删掉这一行：\n" + "\n".join(missing)


# ---------------------------------------------------------------- 图片

IMAGES_DIR = DOCS_DIR / "images"
MAX_IMAGE_BYTES = 300 * 1024  # 仓库里的图保持小巧：120 dpi 的 PNG 一般在 50～250 KB


def test_images_are_small_listed_and_used():
    images = sorted(IMAGES_DIR.glob("*.png"))
    assert images, "docs/images/ 中应有各章用到的图"
    too_big = [f"{p.name}（{p.stat().st_size // 1024} KB）" for p in images if p.stat().st_size > MAX_IMAGE_BYTES]
    assert not too_big, f"这些图超过 {MAX_IMAGE_BYTES // 1024} KB，请降低 dpi 或尺寸后重新生成：{too_big}"

    listing = (IMAGES_DIR / "README.md").read_text(encoding="utf-8")
    unlisted = [p.name for p in images if f"({p.name})" not in listing]
    assert not unlisted, f"这些图没有列在 docs/images/README.md 中（要写明重新生成的命令）：{unlisted}"

    used = set()
    for md_file in DOCS_DIR.glob("*.md"):
        for _, target in links(md_file.read_text(encoding="utf-8")):
            if not is_external(target):
                used.add(resolve(md_file, target))
    unused = [p.name for p in images if p.resolve() not in used]
    assert not unused, f"这些图没有被任何一章使用，请删除或在正文中引用：{unused}"


# ---------------------------------------------------------------- 画示意图的脚本
#
# 编号脚本（1_xxx.py）由 tests/test_scripts.py 做冒烟测试；docs/images/README.md 里还有几张图由不编号的脚本画
# （如 ch08_cnn/figures.py），这里按表中写的命令运行它们，检查表中写的输出文件确实生成了。

FIGURE_ROW = re.compile(r"^\| \[`[^`]+`\]\([^)]+\) \|[^|]*\| `python (?P<script>ch\d\d_\w+/[\w/]+\.py)` \| `output/(?P<output>[^`]+)` \|",
                        re.MULTILINE)


def unnumbered_figure_commands():
    """{脚本: [它画的图（相对于 output/）, …]}：表中每一行是一张图，同一个脚本可以画好几张。"""
    listing = (IMAGES_DIR / "README.md").read_text(encoding="utf-8")
    commands = {}
    for m in FIGURE_ROW.finditer(listing):
        if not re.match(r"\d+_", m.group("script").rsplit("/", 1)[-1]):
            commands.setdefault(m.group("script"), set()).add(m.group("output"))
    return {script: sorted(outputs) for script, outputs in sorted(commands.items())}


def test_figure_listing_is_parsed():
    commands = unnumbered_figure_commands()
    assert {"ch08_cnn/figures.py", "ch09_rnn/figures.py"} <= set(commands), commands
    assert commands["ch08_cnn/figures.py"] == ["ch08_cnn/conv_channels.png", "ch08_cnn/im2col.png",
                                               "ch08_cnn/residual_block.png"]


@pytest.mark.slow  # 本进程内画一个脚本的全部图：2 核 CPU 上 1.7～2.9 秒
@pytest.mark.parametrize("script", unnumbered_figure_commands())
def test_unnumbered_figure_script_writes_its_figures(script, tmp_path, monkeypatch, capsys, restore_global_state):
    """按表中写的命令运行一次脚本（快速模式、本进程内，经 common.cli.run），表中写的每张图都要生成。"""
    monkeypatch.setenv("DL_OUTPUT_DIR", str(tmp_path / "output"))
    finished = run_script(script, monkeypatch=monkeypatch, capsys=capsys)
    assert finished.code == 0, f"{script} 运行失败：\n{finished.out[-2000:]}\n{finished.err[-2000:]}"
    missing = [output for output in unnumbered_figure_commands()[script] if not (tmp_path / "output" / output).is_file()]
    assert not missing, f"{script} 没有生成 docs/images/README.md 中写的这些图：{missing}"
