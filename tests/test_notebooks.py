"""冒烟测试：在快速模式（DL_QUICK=1）下执行每个章节里的 notebook，任何单元格出错即失败。"""
import nbclient
import nbformat
import pytest

from common.paths import REPO_ROOT

NOTEBOOKS = sorted(p for p in REPO_ROOT.glob("ch*_*/**/*.ipynb") if ".ipynb_checkpoints" not in p.parts)
CELL_TIMEOUT = 600  # 秒


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.relative_to(REPO_ROOT).as_posix() for p in NOTEBOOKS])
def test_notebook_runs_in_quick_mode(notebook, tmp_path, monkeypatch):
    # 内核进程继承这些环境变量
    monkeypatch.setenv("DL_QUICK", "1")
    monkeypatch.setenv("DL_OUTPUT_DIR", str(tmp_path))
    monkeypatch.delenv("MPLBACKEND", raising=False)  # 让内核使用 inline 后端
    nb = nbformat.read(notebook, as_version=4)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3", "notebook 的内核应为 python3"
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(notebook.parent)}})
    client.execute()  # 出错时抛出 CellExecutionError，信息里带有出错的单元格


def test_every_chapter_with_notebooks_is_found():
    """防止 glob 写错以后悄悄一个 notebook 也不执行。"""
    chapters = {p.relative_to(REPO_ROOT).parts[0] for p in NOTEBOOKS}
    folders = {p.name for p in REPO_ROOT.iterdir() if p.is_dir() and p.name.startswith("ch") and p.name[2:4].isdigit()}
    assert folders <= chapters, f"这些章节文件夹里没有 notebook：{sorted(folders - chapters)}"
