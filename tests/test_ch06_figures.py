"""ch06_pytorch_base/figures.py：第 5、6 章示意图里的数字是真的。"""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from common.paths import REPO_ROOT
from common.chapters import load

figures = load("ch06_pytorch_base/figures.py")


def test_hessian_matches_numerical_second_derivatives():
    rng = np.random.default_rng(0)
    x, y = rng.normal(1.5, 0.5, size=50), rng.normal(12, 0.3, size=50)

    def loss(w, b):
        return np.mean((w * x + b - y) ** 2)

    # 二次函数的二阶差分没有截断误差，只有舍入误差；步长 1e-3 时 1e-6 的容差足够
    step = 1e-3
    numerical = np.array([
        [(loss(step, 0) - 2 * loss(0, 0) + loss(-step, 0)) / step ** 2,
         (loss(step, step) - loss(step, -step) - loss(-step, step) + loss(-step, -step)) / (4 * step ** 2)],
        [0.0, (loss(0, step) - 2 * loss(0, 0) + loss(0, -step)) / step ** 2],
    ])
    numerical[1, 0] = numerical[0, 1]
    np.testing.assert_allclose(figures.hessian(x), numerical, rtol=1e-6)


def test_standardized_feature_gives_condition_number_one():
    x = np.random.default_rng(1).normal(1.5, 0.5, size=200)
    z = (x - x.mean()) / x.std()
    eigenvalues = np.linalg.eigvalsh(figures.hessian(z))
    assert eigenvalues[-1] / eigenvalues[0] == pytest.approx(1.0, abs=1e-9)
    assert eigenvalues[-1] / eigenvalues[0] < np.linalg.cond(figures.hessian(x))


@pytest.mark.slow
def test_figures_script_runs_and_reports_the_numbers(tmp_path):
    env = dict(os.environ, DL_QUICK="1", MPLBACKEND="Agg", DL_OUTPUT_DIR=str(tmp_path))
    subprocess.run([sys.executable, str(REPO_ROOT / "ch06_pytorch_base/figures.py")], check=True, env=env,
                   cwd=tmp_path, capture_output=True, timeout=120)
    result = json.loads((tmp_path / "ch06_pytorch_base/figures.json").read_text(encoding="utf-8"))
    assert (tmp_path / "ch06_pytorch_base/strides_broadcast.png").is_file()
    assert (tmp_path / "ch06_pytorch_base/loss_contours.png").is_file()
    assert result["strides_broadcast"]["tT_stride"] == [1, 4]
    assert result["strides_broadcast"]["tT_contiguous"] is False
    raw, standardized = result["loss_contours"]["raw_area"], result["loss_contours"]["standardized_area"]
    assert raw["condition_number"] > 10  # 原始面积：曲面是一条细长的山谷
    assert standardized["condition_number"] == pytest.approx(1.0)
    assert raw["curvature_ratio_w_to_b"] < raw["condition_number"]  # 坐标方向的曲率比远小于条件数
