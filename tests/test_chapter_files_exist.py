"""章节 README 和理论文档许诺的文件都在：命令里的脚本（`python ch07_pytorch_dl/optimizer/2_step_lr.py`）、
反引号里的文件名（`1_bce.ipynb`、`optimizer/quadratic.py`），以及原课程的文件名。

Markdown 链接是否指向存在的文件由 tests/test_docs.py 检查；这里补上不是链接、只写在反引号里的文件名——
改名以后最容易忘掉的就是它们。
"""
import re
import subprocess

import pytest

from common.paths import REPO_ROOT

CHAPTER_READMES = sorted(REPO_ROOT.glob("ch0*_*/README.md"))
CHAPTER_DOCS = sorted((REPO_ROOT / "docs").glob("0*_*.md"))
# 反引号里的一个文件名或相对路径，如 `2_step_lr.py`、`optimizer/schedules.py`、`python ch07_pytorch_dl/3_nn_test.py`
FILE_NAME = re.compile(r"`(?:python |jupyter notebook |jupyter nbconvert [^`]* )?([\w./-]+\.(?:py|ipynb))(?: [^`]*)?`")
# 原课程 ch07_pytorch_dl/optimizer/ 里的七个脚本：跟着原课程学的人按这些名字找
ORIGINAL_OPTIMIZER_SCRIPTS = ["1_momentum.py", "2_step_lr.py", "3_multistep_lr.py", "4_exp_lr.py", "5_adagrad.py",
                              "6_rmsprop.py", "7_adam.py"]


def repository_files():
    """git 跟踪的和新加而未忽略的文件（相对仓库根目录的 posix 路径）。"""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=REPO_ROOT,
                            capture_output=True, text=True, check=True).stdout.split("\n")
    return {name for name in listed if name and (REPO_ROOT / name).exists()}


FILES = repository_files() if (REPO_ROOT / ".git").exists() else {
    p.relative_to(REPO_ROOT).as_posix() for p in REPO_ROOT.rglob("*") if p.is_file()}


def missing_names(markdown):
    """markdown 里反引号中的文件名，在仓库里找不到的那些。

    写成完整路径的（以 chXX_ 开头）必须正好存在；只写文件名或部分路径的，仓库里须有以它结尾的文件
    （本章的表格常写 `optimizer/quadratic.py`、`1_bce.ipynb`）。说到“原课程”里的名字的那一行不算许诺。
    """
    lines = markdown.read_text(encoding="utf-8").splitlines()
    names = {name for line in lines if "原课程" not in line for name in FILE_NAME.findall(line)}
    missing = []
    for name in sorted(names):
        if re.match(r"ch\d\d_", name):
            found = name in FILES
        else:
            found = any(path == name or path.endswith("/" + name) for path in FILES)
        if not found:
            missing.append(name)
    return missing


@pytest.mark.parametrize("markdown", CHAPTER_READMES + CHAPTER_DOCS,
                         ids=[p.relative_to(REPO_ROOT).as_posix() for p in CHAPTER_READMES + CHAPTER_DOCS])
def test_files_named_in_chapter_readmes_and_docs_exist(markdown):
    assert missing_names(markdown) == [], f"{markdown.relative_to(REPO_ROOT)} 提到了仓库里没有的文件"


def test_the_original_course_optimizer_scripts_exist_and_are_listed():
    folder = REPO_ROOT / "ch07_pytorch_dl" / "optimizer"
    readme = (REPO_ROOT / "ch07_pytorch_dl" / "README.md").read_text(encoding="utf-8")
    for name in ORIGINAL_OPTIMIZER_SCRIPTS:
        assert (folder / name).is_file(), f"ch07_pytorch_dl/optimizer/{name} 不见了（原课程的文件名）"
        assert f"optimizer/{name}" in readme, f"ch07_pytorch_dl/README.md 没有列出 optimizer/{name}"


def test_chapter_readmes_list_every_numbered_script():
    """反过来：章节文件夹里的每个编号脚本和 notebook，README 里都有一行（新加的文件不会被漏掉）。"""
    unlisted = []
    for readme in CHAPTER_READMES:
        text = readme.read_text(encoding="utf-8")
        for path in sorted(readme.parent.rglob("[0-9]*_*")):
            relative = path.relative_to(readme.parent).as_posix()
            if path.suffix in (".py", ".ipynb") and "solutions" not in path.parts and ".ipynb_checkpoints" not in relative:
                if relative not in text:
                    unlisted.append(f"{readme.parent.name}/{relative}")
    assert unlisted == []


def test_the_check_finds_a_missing_file(tmp_path):
    page = tmp_path / "README.md"
    page.write_text("运行 `python ch07_pytorch_dl/optimizer/2_adagrad.py`；另见 `quadratic.py` 和 `no_such_file.ipynb`。\n"
                    "原课程中这个文件叫 `4.fashion_category.py`。\n", encoding="utf-8")
    assert missing_names(page) == ["ch07_pytorch_dl/optimizer/2_adagrad.py", "no_such_file.ipynb"]
