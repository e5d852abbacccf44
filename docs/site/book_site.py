"""本教程网站的 Sphinx 扩展：让按 GitHub 写法写成的文档在网站里同样正确显示，不改动文档本身。

- 链接：文档里的相对链接指向仓库文件（../ch04_backward/1_x.py、../common/、README.md#安装）。
  指向 .md/.ipynb 的链到对应页面，指向脚本的链到它的源代码页，指向文件夹的链到文件夹的 README（或生成的目录页）；
  行内代码里写出的脚本路径（如 `python ch04_backward/2_gradient_check.py`）也链接到源代码页。
- 公式：GitHub 的行内写法 $`…`$ 去掉反引号（```math 代码块由 conf.py 的 myst_fence_as_directive 处理）。
- 目录树：build.py 把每个文件夹入口页下面挂哪些页面写在 _book_toc.json 里，这里在读入时给页面加上隐藏的目录树，
  这样左侧导航按章节展开，README 本身不必写目录。
- MathJax：建站结束时把 pip 包 sphinx-mathjax-offline 里的 MathJax 3 复制进 _static/mathjax，页面不向外请求。
"""
import importlib.metadata
import json
import posixpath
import re
import shutil
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging

logger = logging.getLogger(__name__)

TOC_FILE = "_book_toc.json"
# 行内代码里像仓库路径的片段：ch04_backward/1_x.py、common/layers.py、ch06_pytorch_base/
PATH_TOKEN = re.compile(r"[\w.\-]+(?:/[\w.\-]+)*/?")


def _repo_dir(docname):
    """页面所在的仓库文件夹（首页 index 就是仓库根目录的 README.md）。"""
    return "" if docname == "index" else posixpath.dirname(docname)


def _target_docname(repo_path, docnames):
    """仓库里的路径（文件或文件夹）对应的页面名；没有对应页面时返回 None。"""
    path = repo_path.rstrip("/")
    if path in ("", ".", "README.md", "README"):
        return "index"
    if path.startswith(".."):
        return None
    candidates = [path]  # 源代码页：页面名就是文件路径，如 ch04_backward/1_x.py
    for suffix in (".md", ".ipynb"):
        if path.endswith(suffix):
            candidates.insert(0, path[: -len(suffix)])
    candidates += [f"{path}/README", f"{path}/index"]  # 文件夹
    return next((name for name in candidates if name in docnames), None)


def _reference(docname, target, anchor, explicit, children):
    """一个由 MyST 解析的文档链接（与 MyST 自己对 [文字](页面.md#锚点) 生成的节点相同）。"""
    node = addnodes.pending_xref(
        "", refdomain="doc", reftarget=target, reftargetid=anchor or None, refdoc=docname,
        reftype="myst", refexplicit=explicit,
    )
    node += children
    return node


def resolve_repo_links(app, doctree):
    """把指向仓库文件和文件夹的链接改成指向网站里的页面。"""
    env = app.env
    docname = env.docname
    docnames = env.found_docs
    for node in list(doctree.findall(addnodes.pending_xref)) + list(doctree.findall(addnodes.download_reference)):
        if node.get("reftype") != "myst" or node.get("refdomain") == "doc":
            continue
        path, _, anchor = node["reftarget"].partition("#")
        if not path or "://" in path:
            continue
        repo_path = posixpath.normpath(posixpath.join(_repo_dir(docname), path))
        target = _target_docname(repo_path, docnames)
        if target is None:
            continue  # 数据文件等：保持下载链接；真正不存在的目标由 MyST 报告
        explicit = node.get("refexplicit", True)
        node.replace_self(_reference(docname, target, anchor, explicit, node.children))

    # 行内代码里提到的脚本路径：链接到源代码页（已经在链接里的、标题里的不动）
    for literal in list(doctree.findall(nodes.literal)):
        if isinstance(literal.parent, (nodes.reference, addnodes.pending_xref, addnodes.download_reference,
                                       nodes.title, nodes.literal_block)):
            continue
        target = _literal_target(literal.astext(), docname, docnames)
        if target and target != docname:
            literal.replace_self(_reference(docname, target, None, True, [literal.deepcopy()]))


def _literal_target(text, docname, docnames):
    """行内代码里写出的唯一一个仓库脚本、notebook 或文件夹对应的页面。"""
    found = set()
    for token in PATH_TOKEN.findall(text):
        if "/" not in token and not token.endswith((".py", ".ipynb")):
            continue
        for base in (_repo_dir(docname), ""):  # 先按页面所在文件夹找，再按仓库根目录找
            target = _target_docname(posixpath.normpath(posixpath.join(base, token)), docnames)
            if target and target != "index":
                found.add(target)
                break
    return found.pop() if len(found) == 1 else None


def strip_github_math_backticks(app, doctree):
    """GitHub 的行内公式 $`…`$：MyST 读成内容带反引号的公式，这里去掉反引号。"""
    for math in list(doctree.findall(nodes.math)):
        text = math.astext()
        if len(text) > 2 and text.startswith("`") and text.endswith("`"):
            math.children = [nodes.Text(text[1:-1])]


def add_toctrees(app, docname, source):
    """给文件夹入口页（首页、各章 README）加上隐藏的目录树，内容来自 build.py 写的 _book_toc.json。"""
    toc = _load_toc(app)
    if docname not in toc or not source or source[0].lstrip().startswith("{"):  # notebook 不加
        return
    blocks = []
    for caption, children in toc[docname]:
        lines = ["", "```{toctree}", ":hidden:", ":titlesonly:"]
        if caption:
            lines.append(f":caption: {caption}")
        lines.append("")
        lines += [f"/{child}" for child in children]
        lines.append("```")
        blocks.append("\n".join(lines))
    source[0] = source[0].rstrip("\n") + "\n\n" + "\n".join(blocks) + "\n"


def _load_toc(app):
    if not hasattr(app, "_book_toc"):
        path = Path(app.srcdir, TOC_FILE)
        app._book_toc = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return app._book_toc


def copy_mathjax(app, exception):
    """把 MathJax 3（pip 包 sphinx-mathjax-offline 里的原版文件）复制进网站的 _static/mathjax，离线也能排版公式。"""
    if exception is not None or app.builder.format != "html":
        return
    source = Path(importlib.metadata.distribution("sphinx-mathjax-offline").locate_file(
        "sphinx-mathjax-offline/static/mathjax"))
    if not (source / "tex-svg.js").is_file():
        raise FileNotFoundError(f"找不到 MathJax：{source / 'tex-svg.js'}。请安装依赖：python -m pip install -r requirements.txt")
    target = Path(app.outdir, "_static", "mathjax")
    # 只用 tex-svg.js 和它按需加载的扩展、菜单、无障碍组件；其余组合包（CHTML 输出、MathML 输入等）不复制，网站小 15 MB
    unused = shutil.ignore_patterns("*chtml*", "mml-*.js", "tex-mml-*.js", "tex-svg-full.js", "node-main.js")
    shutil.copytree(source, target, ignore=unused, dirs_exist_ok=True)


def chinese_search_language():
    """中文搜索的语言类。Sphinx 9.0 的中文搜索用英语的词干算法（english-stemmer.js），
    生成的 language_data.js 却引用不存在的 ChineseStemmer，搜索页因此报错、搜不出结果；这里改用正确的名字。"""
    from sphinx.search.zh import SearchChinese

    if SearchChinese.js_stemmer_rawcode != "english-stemmer.js" or SearchChinese.language_name == "English":
        return None

    class SearchChineseWithEnglishStemmer(SearchChinese):
        language_name = "English"  # 只用于拼出 JS 里词干算法的名字 EnglishStemmer

    return SearchChineseWithEnglishStemmer


def setup(app):
    search_language = chinese_search_language()
    if search_language is not None:
        app.add_search_language(search_language)
    app.connect("source-read", add_toctrees)
    # 先于 Sphinx 登记下载文件：改成页面链接的脚本就不会再被当作下载文件复制一份
    app.connect("doctree-read", resolve_repo_links, priority=100)
    app.connect("doctree-read", strip_github_math_backticks)
    app.connect("build-finished", copy_mathjax)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
