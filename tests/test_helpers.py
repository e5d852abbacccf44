"""公共辅助工具：中文绘图、快速模式开关、随机种子、设备选择、输出目录。"""
import random
import subprocess
import sys
import warnings

import numpy as np
import pytest

from common.device import get_device
from common.paths import REPO_ROOT
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


def test_device_is_cpu_without_an_accelerator():
    import torch

    device = get_device()
    if torch.cuda.is_available():
        assert device.type == "cuda"
    else:
        assert device.type in ("cpu", "mps")
        if not torch.backends.mps.is_available():
            assert device.type == "cpu"


def test_numpy_chapters_do_not_import_torch():
    code = ("import sys, common.load_data, common.plotting, common.seed, common.quick, common.device; "
            "common.seed.set_seed(0); assert 'torch' not in sys.modules, 'torch 被导入了'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT.parent)


def test_common_imports_from_any_working_directory(tmp_path):
    code = "import common.paths as p; print(p.DATA_DIR.is_dir())"
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "True"
