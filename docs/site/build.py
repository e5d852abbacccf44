"""把整本教程建成一个可以离线阅读、可以全文搜索的网站。

用法（在仓库根目录，已安装 requirements.txt）：

    python docs/site/build.py                 # 网站写到 output/site/，打开 output/site/index.html
    python docs/site/build.py --output DIR    # 写到别的目录

内容全部来自仓库里现有的文件，不另存一份文字：
- 仓库首页 README.md（网站首页）、docs/ 下的理论章节和术语表、各章文件夹的 README、data/README.md；
- 每个 notebook，显示仓库里保存的输出（建站时不重新运行）；
- 每个 Python 脚本（各章文件夹、common/、tests/）生成一页带行号和语法高亮的源代码，
  正文里指向脚本的链接（如 ../ch04_backward/1_digit_recognizer_nn_train.py）和写在行内代码里的脚本路径都链接到这一页；
- 没有 README 的文件夹（common/、solutions/ 等）生成一页文件目录。

做法：在输出目录旁的工作目录（默认 output/site_build/）里按仓库的目录结构摆好这些文件——文档和 notebook
是复制过去的（只在建站时用），源代码页和目录页是生成的几行 Markdown——再用 docs/site/conf.py 的配置运行 Sphinx。
仓库里不会多出任何文件。
"""
import argparse
import ast
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from common.paths import output_dir, relative_to_repo

SITE_DIR = Path(__file__).resolve().parent
REPO_ROOT = SITE_DIR.parent.parent

# 生成源代码页的文件：这些文件夹里的 .py，以及根目录下几个被文档链接的文本文件
CODE_FOLDERS = ("common", "tests")
CODE_ROOT_FILES = ("requirements.txt", "pyproject.toml")
CHAPTER_FOLDER = re.compile(r"^ch\d\d_[^/]+/")
# Markdown 里的相对链接 [文字](目标)，用来找出被链接的数据文件（它们作为下载文件放进网站）
MARKDOWN_LINK = re.compile(r"\]\(([^()\s]+)\)")
TOC_FILE = "_book_toc.json"  # 工作目录里的目录树说明，由扩展 book_site.py 读取
SEARCH_DICT_FILE = "_search_words.txt"  # jieba 的用户词典（术语表里的词），让“交叉熵误差”这样的术语整词进入索引


def repo_files(root):
    """仓库里的文件（相对路径，/ 分隔）：优先用 git 列出已跟踪和未被忽略的文件，没有 git 时遍历目录。"""
    try:
        listing = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root, capture_output=True, check=True,
        ).stdout.decode("utf-8")
        files = [name for name in listing.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        files = []
        for folder, subfolders, names in os.walk(root):
            subfolders[:] = [d for d in subfolders if not d.startswith(".") and d not in {"output", "build", "__pycache__"}
                             and not d.endswith(".egg-info")]
            files += [Path(folder, name).relative_to(root).as_posix() for name in names]
    return sorted(name for name in files if (root / name).is_file())  # 已删除但未提交的文件不算


def natural_key(name):
    """按文件名里的编号排序：2_x 在 10_x 前面，带编号的在不带编号的前面。"""
    base = name.rsplit("/", 1)[-1]
    match = re.match(r"(?:ex)?(\d+)(?:_(\d+))?", base)
    if match:
        return (0, int(match.group(1)), int(match.group(2) or 0), base)
    return (1, 0, 0, base)


def select_sources(files):
    """把仓库文件分成：页面（Markdown、notebook）、源代码页、资源文件（图片），返回三个列表。"""
    pages, code, assets = [], [], []
    for name in files:
        in_chapter = bool(CHAPTER_FOLDER.match(name))
        if name == "README.md" or name == "data/README.md" or (name.startswith("docs/") and name.endswith(".md")):
            pages.append(name)
        elif in_chapter and name.endswith((".md", ".ipynb")):
            pages.append(name)
        elif name.endswith(".py") and (in_chapter or name.split("/", 1)[0] in CODE_FOLDERS):
            code.append(name)
        elif name in CODE_ROOT_FILES:
            code.append(name)
        elif name.startswith("docs/images/") and not name.endswith(".md"):
            assets.append(name)
    return pages, code, assets


def linked_files(root, pages, known):
    """文档链接到、但既不是页面也不是源代码的仓库文件（如 data/poems/pingshui_rhyme.json），作为下载文件。"""
    found = set()
    for page in pages:
        text = (root / page).read_text(encoding="utf-8")
        folder = Path(page).parent
        for target in MARKDOWN_LINK.findall(text):
            target = target.split("#", 1)[0]
            if not target or "://" in target or target.startswith(("mailto:", "/")):
                continue
            path = os.path.normpath(folder / target).replace(os.sep, "/")
            if path not in known and not path.startswith("..") and (root / path).is_file():
                found.add(path)
    return sorted(found)


def docname(name):
    """仓库文件对应的网站页面名：README.md 是首页 index，其余去掉 .md/.ipynb；源代码页保留 .py 后缀。"""
    if name == "README.md":
        return "index"
    for suffix in (".md", ".ipynb"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def place(source, target):
    """把仓库文件复制进工作目录（保留修改时间，再次建站时 Sphinx 只重建变了的页面）。

    不用符号链接：Sphinx 和 MyST 会顺着链接找到仓库里的原文件，把页面之间的相对链接算到工作目录外面去。
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)


def write_stub(path, text, mtime=None):
    """写一个生成的页面；mtime 设为它所展示的源文件的修改时间，这样再次建站时 Sphinx 只重建变了的页面。"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if mtime is not None:
        os.utime(path, (mtime, mtime))


def escape_markdown(text):
    """把普通文字里的 Markdown 符号转义（反引号保留，让文档字符串里的 `代码` 照常显示）。"""
    return re.sub(r"([\\*_{}\[\]<>()#+\-.!|$~])", r"\\\1", text)


def code_summary(path):
    """Python 文件的文档字符串的第一段（说明这个文件做什么），没有则返回空字符串。"""
    if path.suffix != ".py":
        return ""
    try:
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    except SyntaxError:
        return ""
    return docstring.strip().split("\n\n", 1)[0].strip()


def code_page(name, root):
    """一个文件的源代码页：标题是仓库里的路径，然后是文档字符串的第一段和带行号的全文。"""
    path = root / name
    lines = [f"# `{name}`", ""]
    summary = code_summary(path)
    if summary:
        lines += [escape_markdown(summary), ""]
    language = {".py": "python", ".toml": "toml"}.get(path.suffix, "text")
    lines += [f"```{{literalinclude}} {path.name}", f":language: {language}", ":linenos:", "```", ""]
    return "\n".join(lines)


def folder_page(folder, entries):
    """没有 README 的文件夹的目录页：列出其中的页面和子文件夹。"""
    lines = [f"# `{folder}/`", "", "这个文件夹里的文件：", "", "```{toctree}", ":maxdepth: 1", ""]
    lines += [f"/{entry}" for entry in entries]
    lines += ["```", ""]
    return "\n".join(lines)


def search_words(glossary):
    """从术语表的第一列取出中文术语（如 交叉熵误差、平水韵），写成 jieba 的用户词典：每行一个词。"""
    words = set()
    for line in glossary.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| ") or line.startswith(("| 中文", "| ---")):
            continue
        cell = re.sub(r"（[^）]*）", "", line.split("|")[1])
        words.update(word.strip() for word in cell.split("、"))
    return sorted(word for word in words if re.fullmatch(r"[\u4e00-\u9fff]{2,}", word))


def stage(root, source_dir):
    """在 source_dir 里摆好建站用的全部文件，返回 (页面数, 目录树)。"""
    if source_dir.exists():
        shutil.rmtree(source_dir)
    source_dir.mkdir(parents=True)
    files = repo_files(root)
    pages, code, assets = select_sources(files)
    downloads = linked_files(root, pages, set(pages) | set(code) | set(assets))

    for name in pages:
        place(root / name, source_dir / ("index.md" if name == "README.md" else name))
    for name in code:
        place(root / name, source_dir / name)  # 源代码页用 literalinclude 读取它
        write_stub(source_dir / f"{name}.md", code_page(name, root), mtime=(root / name).stat().st_mtime)
    for name in assets + downloads:
        place(root / name, source_dir / name)

    # 每个文件夹的入口页：有 README 用 README，否则生成目录页；文件夹里的页面挂在入口页下面
    docnames = {docname(name) for name in pages} | set(code)
    members = {}
    for name in pages + code:
        folder = str(Path(name).parent.as_posix())
        if folder != "." and docname(name) != f"{folder}/README":
            members.setdefault(folder, []).append(name)
    folders = set(members)
    for folder in list(folders):  # 上层文件夹也要有入口页（如 ch07_pytorch_dl/ 之于 ch07_pytorch_dl/optimizer/）
        parent = Path(folder).parent.as_posix()
        while parent != ".":
            folders.add(parent)
            parent = Path(parent).parent.as_posix()

    def entry(folder):
        return f"{folder}/README" if f"{folder}/README" in docnames else f"{folder}/index"

    toc = {}
    for folder in sorted(folders):
        notebooks = sorted((n for n in members.get(folder, []) if n.endswith(".ipynb")), key=natural_key)
        others = sorted((n for n in members.get(folder, []) if not n.endswith(".ipynb")), key=natural_key)
        children = [docname(n) for n in notebooks + others if docname(n) != entry(folder)]
        children += [entry(sub) for sub in sorted(folders) if Path(sub).parent.as_posix() == folder]
        if entry(folder).endswith("/index"):
            write_stub(source_dir / f"{entry(folder)}.md", folder_page(folder, children))
        else:
            toc[entry(folder)] = [[None, children]]

    chapters = sorted(d for d in docnames if re.fullmatch(r"docs/\d\d_.+", d))
    code_folders = sorted(f for f in folders if "/" not in f and CHAPTER_FOLDER.match(f + "/"))
    toc["index"] = [
        ["理论章节", ["docs/README"] + chapters + ["docs/术语表"]],
        ["代码、notebook 与练习答案", [entry(f) for f in code_folders]],
        ["共用代码、数据与测试", [entry(f) for f in ("common", "tests") if f in folders]
         + ["data/README", "docs/images/README"] + [n for n in CODE_ROOT_FILES if n in docnames]],
    ]
    # docs/ 的入口就是 docs/README，它的章节已在首页的目录里列出，不再重复
    toc.pop("docs/README", None)
    (source_dir / TOC_FILE).write_text(json.dumps(toc, ensure_ascii=False, indent=1), encoding="utf-8")
    return len(docnames) + sum(1 for f in folders if entry(f).endswith("/index")), toc


def build(out, work, jobs=1, quiet=True):
    """建站：摆好工作目录、运行 Sphinx，返回 (页面数, 警告文字)。"""
    from sphinx.application import Sphinx  # 推迟导入：--help 不必加载 Sphinx

    source_dir = work / "src"
    _forget_stale_cache(work)
    n_pages, _ = stage(REPO_ROOT, source_dir)
    dictionary = work / SEARCH_DICT_FILE
    dictionary.write_text("\n".join(search_words(REPO_ROOT / "docs" / "术语表.md")) + "\n", encoding="utf-8")

    warnings = _WarningLog()
    app = Sphinx(
        srcdir=source_dir, confdir=SITE_DIR, outdir=out, doctreedir=work / "doctrees", buildername="html",
        confoverrides={"html_search_options": {"dict": str(dictionary)}},
        status=None if quiet else sys.stdout, warning=warnings, parallel=jobs, keep_going=True,
    )
    app.build()
    return n_pages, warnings.text()


def _forget_stale_cache(work):
    """建站代码（本文件夹的 .py）或 Sphinx 相关包的版本变了，就丢掉上次读入的缓存，全部重建。

    Sphinx 只凭源文件的修改时间判断哪些页面要重读，看不出我们的扩展改了写法。
    """
    import myst_nb
    import sphinx

    fingerprint = hashlib.sha256()
    for path in sorted(SITE_DIR.glob("*.py")):
        fingerprint.update(path.read_bytes())
    fingerprint.update(f"{sphinx.__version__} {myst_nb.__version__}".encode())
    stamp = work / "_code_fingerprint.txt"
    if not stamp.is_file() or stamp.read_text() != fingerprint.hexdigest():
        shutil.rmtree(work / "doctrees", ignore_errors=True)
        work.mkdir(parents=True, exist_ok=True)
        stamp.write_text(fingerprint.hexdigest())


class _WarningLog:
    """收集 Sphinx 的警告（同时打印到标准错误），建完以后报告有几条。"""

    def __init__(self):
        self.parts = []

    def write(self, text):
        self.parts.append(text)
        sys.stderr.write(text)

    def flush(self):
        sys.stderr.flush()

    def text(self):
        return "".join(self.parts)


def main():
    parser = argparse.ArgumentParser(description="把教程建成离线网站（Sphinx + MyST-NB）")
    parser.add_argument("--output", type=Path, default=None,
                        help="网站的输出目录（默认 output/site/；工作目录是它旁边的 <名字>_build/）")
    parser.add_argument("--jobs", type=int, default=1, help="Sphinx 并行读取的进程数（默认 1）")
    parser.add_argument("--verbose", action="store_true", help="打印 Sphinx 的进度")
    args = parser.parse_args()
    out = (args.output or output_dir() / "site").resolve()
    work = out.parent / f"{out.name}_build"
    start = time.perf_counter()
    n_pages, warnings = build(out, work, jobs=args.jobs, quiet=not args.verbose)
    seconds = time.perf_counter() - start
    n_warnings = warnings.count("WARNING")
    print(f"网站已建好：{relative_to_repo(out / 'index.html')}（{n_pages} 页，{seconds:.0f} 秒，警告 {n_warnings} 条）")
    print(f"用浏览器打开这个文件，或运行 python -m http.server -d {relative_to_repo(out)} 后访问 http://localhost:8000/")
    if n_warnings:
        raise SystemExit(f"建站时有 {n_warnings} 条警告（见上面的输出），请修正后重新运行")


if __name__ == "__main__":
    main()
