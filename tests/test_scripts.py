"""冒烟测试：自动发现每个章节文件夹里的编号脚本（如 ch04_backward/1_xxx.py），
在快速模式（DL_QUICK=1）下从另一个工作目录运行，非零退出或出现 Traceback 即失败。

新加的脚本不用改这里，放进章节文件夹、以数字加下划线开头命名即可被测到。
"""
import os
import re

import pytest

from common.paths import REPO_ROOT
from tests.preloaded import run_python

SCRIPT_NAME = re.compile(r"^\d+_\w+\.py$")
CHAPTER_NAME = re.compile(r"^ch\d\d_\w+$")
SCRIPT_TIMEOUT = 600  # 秒；快速模式下每个脚本应在几秒到几十秒内结束


def find_scripts(root):
    """root 下所有章节文件夹（chXX_*）里的编号脚本，按路径排序。"""
    return sorted(
        path
        for chapter in root.iterdir() if chapter.is_dir() and CHAPTER_NAME.match(chapter.name)
        for path in chapter.rglob("*.py")
        if SCRIPT_NAME.match(path.name) and ".ipynb_checkpoints" not in path.parts
    )


def quick_env(output_dir):
    # 冒烟运行的矩阵都很小，单线程 BLAS 更快，也不会在繁忙的 CI 机器上互相争抢 CPU
    env = dict(os.environ, DL_QUICK="1", MPLBACKEND="Agg", DL_OUTPUT_DIR=str(output_dir),
               PYTHONIOENCODING="utf-8", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env.pop("DISPLAY", None)
    return env


def run_script(path, cwd, output_dir):
    """在快速模式下运行一个脚本（一个新的进程；Linux 上从预先导入了 torch 等大库的进程 fork 出来，见 tests/preloaded.py）。"""
    return run_python([path], cwd=cwd, env=quick_env(output_dir), timeout=SCRIPT_TIMEOUT)


def test_discovery_picks_up_a_script_placed_in_any_chapter_folder(tmp_path):
    for name in ("ch02_nn_base/1_a.py", "ch09_rnn/sub/12_b.py", "ch05_optim/helper.py",
                 "docs/1_not_a_chapter.py", "ch03_train/two_layer_net.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("print('hi')\n")
    found = [p.relative_to(tmp_path).as_posix() for p in find_scripts(tmp_path)]
    assert found == ["ch02_nn_base/1_a.py", "ch09_rnn/sub/12_b.py"]


SCRIPTS = find_scripts(REPO_ROOT)
# 这些脚本的快速模式运行已经由一个更具体的测试在子进程里做过（DL_QUICK=1，检查退出码和输出）：
# 冒烟测试直接用那一次运行，不再把同一个脚本重跑一遍（如 4_fashion_category.py，在 2 核 CPU 上一次约 13 秒）
RUN_ELSEWHERE = {
    "ch07_pytorch_dl/3_nn_test.py":
        "tests/test_ch07.py::test_nn_test_survives_a_damaged_ch04_result_and_sequential_uses_its_model",
    "ch07_pytorch_dl/4_nn_sequential.py":
        "tests/test_ch07.py::test_nn_test_survives_a_damaged_ch04_result_and_sequential_uses_its_model",
    "ch08_cnn/4_fashion_category.py":
        "tests/test_ch08.py::test_quick_run_keeps_the_better_published_model_and_evaluate_reads_the_new_one",
}
SMOKE_RUN = [p for p in SCRIPTS if p.relative_to(REPO_ROOT).as_posix() not in RUN_ELSEWHERE]


def test_scripts_run_elsewhere_are_run_by_the_named_test():
    """RUN_ELSEWHERE 里点名的测试确实存在、标记为 slow、并且以快速模式运行了这个脚本（否则冒烟测试就漏掉了它）。"""
    for relative, node in RUN_ELSEWHERE.items():
        path, name = node.split("::")
        source = (REPO_ROOT / path).read_text(encoding="utf-8")
        start = source.index(f"def {name}(")
        body = source[start:source.find("\n\n\n", start)]
        assert "@pytest.mark.slow" in source[max(0, start - 40):start], node
        assert relative.split("/", 1)[1] in body, f"{node} 没有运行 {relative}"


@pytest.mark.slow
@pytest.mark.parametrize("script", SMOKE_RUN, ids=[p.relative_to(REPO_ROOT).as_posix() for p in SMOKE_RUN])
def test_script_runs_in_quick_mode(script, tmp_path):
    workdir = tmp_path / "elsewhere"  # 不是脚本自己的目录，也不是仓库根目录
    workdir.mkdir()
    result = run_script(script, workdir, tmp_path / "output")
    log = f"--- stdout ---\n{result.stdout[-4000:]}\n--- stderr ---\n{result.stderr[-4000:]}"
    assert result.returncode == 0, log
    assert "Traceback" not in result.stderr, log
    assert result.stdout.strip(), "脚本应当打印结果摘要\n" + log


def test_every_chapter_has_numbered_scripts():
    """防止冒烟测试因为找不到脚本而悄悄什么都不测：每个章节文件夹（NumPy 和 PyTorch 两半）都要有编号脚本。"""
    chapters = {p.relative_to(REPO_ROOT).parts[0] for p in SCRIPTS}
    folders = {p.name for p in REPO_ROOT.iterdir() if p.is_dir() and CHAPTER_NAME.match(p.name)}
    expected = {"ch02_nn_base", "ch03_train", "ch04_backward", "ch05_optim",
                "ch06_pytorch_base", "ch07_pytorch_dl", "ch08_cnn", "ch09_rnn"}
    assert expected <= folders, f"章节文件夹不全：{sorted(expected - folders)}"
    assert folders <= chapters, f"这些章节文件夹里没有编号脚本：{sorted(folders - chapters)}"
