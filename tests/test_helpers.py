"""公共辅助工具：中文绘图、快速模式开关、随机种子、设备选择、输出目录与结果 JSON、pytest 的设置，
以及训练脚本遇到写不进的输出目录、发散的训练时怎样结束。"""
import json
import os
import random
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import common
from common.device import get_device
from common.paths import OUTPUT_ENV, REPO_ROOT, output_dir, save_json
from common.quick import QUICK_ENV, is_quick, pick
from common.seed import set_seed


def test_chinese_text_renders_without_missing_glyph_warnings(tmp_path, monkeypatch):
    monkeypatch.setenv("DL_OUTPUT_DIR", str(tmp_path))
    from common.plotting import CHINESE_FONT, plt, save_figure

    assert CHINESE_FONT is not None, "应当找到 pip 安装的中文字体（zhplot 自带 Noto Sans SC）"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 缺字（Glyph missing）警告会变成异常
        fig, ax = plt.subplots()
        ax.plot([-1, 0, 1], [1, 0, 1], label="损失函数")
        ax.set_title("反向传播：梯度确认（−1 到 1）")
        ax.set_xlabel("权重 $w$")
        ax.set_ylabel("损失")
        ax.legend()
        path = save_figure(fig, "测试/中文.png")
        plt.close(fig)
    assert path == tmp_path / "测试" / "中文.png" and path.stat().st_size > 1000


def test_quick_switch_reads_the_environment_each_time(monkeypatch):
    monkeypatch.delenv(QUICK_ENV, raising=False)
    assert not is_quick() and pick(real=20, quick=1) == 20
    monkeypatch.setenv(QUICK_ENV, "1")
    assert is_quick() and pick(real=20, quick=1) == 1
    for off in ("0", "false", "", "off"):
        monkeypatch.setenv(QUICK_ENV, off)
        assert not is_quick()


def _draws():
    import torch

    return random.random(), np.random.rand(3).tolist(), torch.rand(3).tolist()


def test_same_seed_gives_identical_draws():
    import torch  # noqa: F401  set_seed 只为已导入的 torch 设种子

    set_seed(7)
    first = _draws()
    set_seed(7)
    assert _draws() == first
    set_seed(8)
    assert _draws() != first


def test_set_seed_rejects_bad_values():
    with pytest.raises(ValueError, match="seed"):
        set_seed(-1)


@pytest.mark.parametrize("cuda, mps, expected", [
    (True, True, "cuda"), (True, False, "cuda"), (False, True, "mps"), (False, False, "cpu"),
])
def test_device_prefers_cuda_then_mps_then_cpu(cuda, mps, expected, monkeypatch, capsys):
    """把 torch 报告的 CUDA、MPS 是否可用换成给定的值，看 get_device 选了什么（在任何机器上都测得到每种情况）。"""
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
    assert get_device().type == expected
    assert capsys.readouterr().out == ""
    assert get_device(verbose=True) == torch.device(expected)
    assert expected in capsys.readouterr().out


def test_device_given_on_the_command_line_is_used_when_available(monkeypatch, capsys):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)  # 假装有两块 GPU：cuda:1 存在
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert get_device("cpu") == torch.device("cpu")  # 有 GPU 时也可以强制用 CPU
    assert get_device("cuda:1", verbose=True) == torch.device("cuda", 1)
    assert "cuda:1（命令行指定）" in capsys.readouterr().out


@pytest.mark.parametrize("requested, message", [
    ("cuda", "不能用 cuda.*--device cpu"), ("mps", "不能用 mps"), ("gpu", "不认识的设备 'gpu'"),
])
def test_device_that_this_machine_lacks_is_a_clear_error(requested, message, monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    with pytest.raises(ValueError, match=message):
        get_device(requested)


@pytest.mark.slow
def test_numpy_chapters_do_not_import_torch():
    code = ("import sys, common.load_data, common.plotting, common.seed, common.quick, common.device; "
            "common.seed.set_seed(0); assert 'torch' not in sys.modules, 'torch 被导入了'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT.parent)


@pytest.mark.slow
def test_common_imports_from_any_working_directory(tmp_path):
    code = "import common.paths as p; print(p.DATA_DIR.is_dir())"
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "True"


# ---------------------------------------------------------------- 输出目录与结果 JSON

def test_save_json_writes_standard_json_with_null_for_nan_and_inf(tmp_path, monkeypatch):
    monkeypatch.setenv(OUTPUT_ENV, str(tmp_path))
    data = {"loss": [1.5, float("nan"), float("inf")], "acc": np.float32(0.5), "n": np.int64(3),
            "curve": np.array([0.25, -np.inf]), "nested": {"x": (np.nan, "中文")}}
    path = save_json("结果/a.json", data)

    def reject(token):  # 标准 JSON 里没有 NaN、Infinity：出现就说明写出的文件别的程序读不了
        raise AssertionError(f"JSON 中出现了 {token}")

    loaded = json.loads(path.read_text(encoding="utf-8"), parse_constant=reject)
    assert loaded == {"loss": [1.5, None, None], "acc": 0.5, "n": 3, "curve": [0.25, None],
                      "nested": {"x": [None, "中文"]}}


def test_unwritable_output_dir_names_it_and_the_environment_variable(tmp_path, monkeypatch):
    blocker = tmp_path / "a_file"
    blocker.write_text("不是目录")
    bad = blocker / "output"  # 父路径是一个文件：以任何用户身份（包括 root）都无法创建
    monkeypatch.setenv(OUTPUT_ENV, str(bad))
    with pytest.raises(OSError) as info:
        output_dir()
    assert str(bad) in str(info.value) and OUTPUT_ENV in str(info.value)
    monkeypatch.setenv(OUTPUT_ENV, str(tmp_path / "ok"))
    assert output_dir() == tmp_path / "ok" and (tmp_path / "ok").is_dir()


def test_output_dir_that_exists_but_refuses_writes_is_reported(tmp_path, monkeypatch):
    """目录存在、却写不进文件（只读挂载、没有权限）：要真的试写一次才知道（root 用户下 os.access 总说可写）。"""
    import common.paths

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setenv(OUTPUT_ENV, str(tmp_path))
    monkeypatch.setattr(common.paths.tempfile, "TemporaryFile", refuse)
    with pytest.raises(OSError, match="Permission denied") as info:
        output_dir()
    assert str(tmp_path) in str(info.value) and OUTPUT_ENV in str(info.value)


# ---------------------------------------------------------------- pytest 的设置

def test_tests_import_common_from_this_checkout():
    """pyproject.toml 的 pythonpath = ["."]：测的是这份仓库，而不是 pip install -e 登记的另一份检出。

    python -m pytest 会把当前目录放进 sys.path，直接运行 pytest 则不会——那时靠的就是这项设置。
    """
    assert Path(common.__file__).resolve().parent == Path(__file__).resolve().parent.parent / "common"


def test_an_empty_parameter_list_fails_instead_of_being_skipped(request):
    assert request.config.getini("empty_parameter_set_mark") == "fail_at_collect"


# ---------------------------------------------------------------- 训练脚本的失败方式

TRAINING_SCRIPTS = [
    "ch02_nn_base/train_nn_sample.py",
    "ch03_train/4_digit_recognizer_nn_train.py",
    "ch04_backward/1_digit_recognizer_nn_train.py",
    *sorted(p.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / "ch05_optim").glob("[0-9]_*.py")),
]


def _run_quick(script, tmp_path, output, prelude=""):
    """在快速模式下从临时目录运行脚本；prelude 是运行脚本之前在同一进程里执行的代码（例如替换数据）。"""
    path = REPO_ROOT / script
    code = (f"import runpy, sys\n{prelude}\n"
            f"sys.argv = [{str(path)!r}]\nsys.path.insert(0, {str(path.parent)!r})\n"
            f"runpy.run_path({str(path)!r}, run_name='__main__')\n")
    env = dict(os.environ, DL_QUICK="1", MPLBACKEND="Agg", DL_OUTPUT_DIR=str(output), PYTHONIOENCODING="utf-8",
               OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONPATH=str(REPO_ROOT))  # 子进程也用这一份仓库里的 common/
    return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=300)


def test_training_scripts_are_all_listed():
    assert len(TRAINING_SCRIPTS) >= 10 and "ch05_optim/3_batch_norm.py" in TRAINING_SCRIPTS  # 防止 glob 悄悄什么都没找到


@pytest.mark.slow
@pytest.mark.parametrize("script", TRAINING_SCRIPTS)
def test_training_script_stops_before_any_work_when_output_dir_is_unwritable(script, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("不是目录")
    result = _run_quick(script, tmp_path, blocker / "output")
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert str(blocker / "output") in last_line and OUTPUT_ENV in last_line, result.stderr[-2000:]
    assert result.stdout == "", "应当在读数据、训练之前就报错：\n" + result.stdout[-2000:]


# 把训练数据换成 nan：第一次迭代的损失就是 nan，相当于一次必然发散的训练
POISON_TRAINING_DATA = """
import numpy as np
import common.load_data as load_data
real_get_data = load_data.get_data
def poisoned_get_data(*args, **kwargs):
    x_train, x_test, t_train, t_test = real_get_data(*args, **kwargs)
    return np.full_like(x_train, np.nan), x_test, t_train, t_test
load_data.get_data = poisoned_get_data
"""


@pytest.mark.slow
@pytest.mark.parametrize("script", [s for s in TRAINING_SCRIPTS if s != "ch05_optim/3_batch_norm.py"])
def test_training_script_ends_with_an_explanation_when_training_diverges(script, tmp_path):
    result = _run_quick(script, tmp_path, tmp_path / "output", prelude=POISON_TRAINING_DATA)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    last_line = result.stderr.strip().splitlines()[-1]  # common.cli.run 打印的一行说明
    assert last_line.startswith("错误：") and "nan" in last_line and "学习率调小" in last_line, result.stderr[-2000:]


@pytest.mark.slow
def test_batch_norm_sweep_records_diverged_runs_and_goes_on(tmp_path):
    result = _run_quick("ch05_optim/3_batch_norm.py", tmp_path, tmp_path / "output", prelude=POISON_TRAINING_DATA)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "发散" in result.stdout
    data = json.loads((tmp_path / "output" / "ch05_optim" / "3_batch_norm.json").read_text(encoding="utf-8"))
    assert data["bn_diverged_count"] == data["no_bn_diverged_count"] == data["num_scales"]
    for run in data["results"]:
        for key in ("bn", "no_bn"):
            assert run[key]["diverged"] and run[key]["diverged_at_iteration"] == 1
            assert run[key]["final_train_acc"] is None
    assert (tmp_path / "output" / "ch05_optim" / "batch_norm_train_acc.png").is_file()
