"""ch07_pytorch_dl/d2l_linear_baseline.py：照《动手学深度学习》4.10 节重跑的线性模型（第 7 章 7.8 节的参照分数）。"""
import json

import pytest
import torch
from torch import nn

from common.load_data import load_house_prices
from common.chapters import load
from tests.in_process import run_script

baseline = load("ch07_pytorch_dl/d2l_linear_baseline.py")


def test_features_follow_the_book():
    train_df, test_df = load_house_prices()
    x, y = baseline.d2l_features(train_df, test_df)
    assert tuple(x.shape) == (1460, 331)  # 原书：one-hot 之后 331 个特征
    assert x.dtype == torch.float32 and tuple(y.shape) == (1460, 1)
    assert torch.isfinite(x).all()  # 缺失值都填成了 0


def test_log_rmse_clips_predictions_below_one():
    model = nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.fill_(-5.0)  # 负的预测截断到 1，log 为 0
    y = torch.full((4, 1), torch.e)
    assert baseline.log_rmse(model, torch.zeros(4, 1), y) == pytest.approx(1.0, rel=1e-6)


@pytest.mark.slow  # 本进程内 5 折 × 5 轮：2 核 CPU 上约 1.5 秒，贴着快速测试的 2 秒上限
def test_script_reports_five_folds(tmp_path, monkeypatch, capsys):
    """整个脚本（快速模式、本进程内，经 common.cli.run）：五折各一个分数，特征数与原书相同。"""
    monkeypatch.setenv("DL_OUTPUT_DIR", str(tmp_path))
    finished = run_script("ch07_pytorch_dl/d2l_linear_baseline.py", monkeypatch=monkeypatch, capsys=capsys)
    assert finished.code == 0, finished
    result = json.loads((tmp_path / "ch07_pytorch_dl/d2l_linear_baseline.json").read_text(encoding="utf-8"))
    assert [fold["fold"] for fold in result["folds"]] == [1, 2, 3, 4, 5]
    assert result["n_features"] == 331
