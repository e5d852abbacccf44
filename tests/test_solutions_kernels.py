r"""换一种计算内核重跑每个 output 块的脚本，数要在代码块写明的容差内：python -m pytest -m kernels

默认的 `python -m pytest` 不运行这些测试（tests/conftest.py 取消选择带 kernels 标记的测试）：
四种设置 × 四十多个脚本，每个都在新进程中运行，2 核 CPU 上要半小时以上。改了答案的脚本或容差之后、
或者升级了 PyTorch / NumPy 之后运行它。设置的含义和逐个数的报告见 tests/kernel_sweep.py
（`python -m tests.kernel_sweep` 打印每个变动了的数，用来定容差）。
"""
import pytest

from tests.kernel_sweep import SETTINGS, blocks, run_script
from tests.test_solutions import Tolerances, compare_output

pytestmark = [pytest.mark.kernels, pytest.mark.slow]

CASES = [pytest.param(setting, path, options, body, id=f"{block_id}[{setting}]")
         for block_id, path, options, body in blocks("output") for setting in SETTINGS]


@pytest.mark.parametrize("setting, path, options, body", CASES)
def test_output_block_under_other_kernels(setting, path, options, body):
    actual = run_script(path, SETTINGS[setting])
    problems = compare_output(body, actual, tolerances=Tolerances(options))
    assert not problems, f"{path} 在 {setting}（{SETTINGS[setting]}）下打印的数超出了文档写明的容差：\n" + "\n".join(problems)
