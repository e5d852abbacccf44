"""冒烟测试：在快速模式（DL_QUICK=1）下执行每个章节里的 notebook，任何单元格出错即失败。

Linux 上内核从一个预先导入了 torch 等大库的进程 fork 出来（tests/preloaded_kernel.py），每个 notebook 省下几秒的导入；
设环境变量 DL_TEST_NO_FORK=1 或在别的系统上，用的是普通的 python3 内核。
"""
import os
import subprocess
import sys

import pytest

from common.paths import REPO_ROOT
from tests import preloaded_kernel
from tests.preloaded import USE_FORK

NOTEBOOKS = sorted(p for p in REPO_ROOT.glob("ch*_*/**/*.ipynb") if ".ipynb_checkpoints" not in p.parts)
CELL_TIMEOUT = 600  # 秒


@pytest.fixture(scope="module")
def python3_kernel(tmp_path_factory):
    """让 python3 内核从预先导入好大库的服务进程 fork 出来（只在 Linux 上）；别处什么也不做。"""
    if not USE_FORK:
        yield
        return
    folder = tmp_path_factory.mktemp("kernel")
    socket_path = str(folder / "server.sock")
    server = subprocess.Popen([sys.executable, preloaded_kernel.__file__, "serve", socket_path],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().strip() == "ready", "tests/preloaded_kernel.py 的服务进程没有启动"
        with pytest.MonkeyPatch.context() as patch:
            spec_folder = preloaded_kernel.kernel_spec(str(folder), socket_path)
            patch.setenv("JUPYTER_PATH", os.pathsep.join(filter(None, [spec_folder, os.environ.get("JUPYTER_PATH")])))
            yield
    finally:
        server.kill()
        server.wait()


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.relative_to(REPO_ROOT).as_posix() for p in NOTEBOOKS])
def test_notebook_runs_in_quick_mode(notebook, tmp_path, monkeypatch, python3_kernel):
    # 内核进程继承这些环境变量
    monkeypatch.setenv("DL_QUICK", "1")
    monkeypatch.setenv("DL_OUTPUT_DIR", str(tmp_path))
    monkeypatch.delenv("MPLBACKEND", raising=False)  # 让内核使用 inline 后端
    # 用到时才导入：nbformat 会导入 jsonschema 和它的格式检查器，约 2.5 秒；放在模块开头时，
    # 连不执行 notebook 的 `pytest -m "not slow"` 在收集阶段也要付这笔时间
    import nbclient
    import nbformat

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
