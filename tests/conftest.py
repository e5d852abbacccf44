"""pytest 的公共设置。"""
import os

import pytest

# 测试中从不弹出窗口
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(autouse=True)
def _output_to_temporary_folder(tmp_path_factory, monkeypatch):
    """每个测试的运行输出（图、JSON、模型）都写到临时目录，不碰仓库里的 output/。

    测试跑完以后，仓库的 `git status` 仍是干净的；测试之间也不会因为共用 output/ 而互相影响。
    需要特定输出目录的测试照常用 monkeypatch.setenv("DL_OUTPUT_DIR", ...) 改写它。
    """
    monkeypatch.setenv("DL_OUTPUT_DIR", str(tmp_path_factory.mktemp("output")))
