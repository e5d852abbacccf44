"""ch07_pytorch_dl/d2l_linear_baseline.py：照《动手学深度学习》4.10 节重跑的线性模型（第 7 章 7.8 节的参照分数）。"""
import json
import os
import subprocess
import sys

import pytest
import torch
from torch import nn

from common.load_data import load_house_prices
from common.paths import REPO_ROOT
from common.chapters import load

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


@pytest.mark.slow
def test_script_reports_five_folds(tmp_path):
    env = dict(os.environ, DL_QUICK="1", MPLBACKEND="Agg", DL_OUTPUT_DIR=str(tmp_path))
    subprocess.run([sys.executable, str(REPO_ROOT / "ch07_pytorch_dl/d2l_linear_baseline.py")], check=True,
                   env=env, cwd=tmp_path, capture_output=True, timeout=180)
    result = json.loads((tmp_path / "ch07_pytorch_dl/d2l_linear_baseline.json").read_text(encoding="utf-8"))
    assert [fold["fold"] for fold in result["folds"]] == [1, 2, 3, 4, 5]
    assert result["n_features"] == 331
