"""第 8、9 章练习参考答案的补充检查。

答案里 ```text output=…``` 块与脚本输出的逐项比较、正文数字的来源，由 tests/test_solutions.py 对所有章节统一检查。
这里检查那里检查不到的：要训练一会儿的答案（```text full-run=…``` 块）在快速模式（DL_QUICK=1）下运行同一个脚本，
检查答案所说的效果方向，不比较数值。
"""
import re

import numpy as np
import pytest
import torch

from common.chapters import load
from tests.test_solutions import SOLUTIONS, load_quick, result_blocks


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """快速模式的批量很小，多线程的同步开销比计算本身还大；这里只比较大小关系，与线程数无关。"""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


# ---------------------------------------------------------------- 第 8 章

def quoted_parameter_counts():
    """第 8 章练习 5 的答案（full-run 块）里写的参数个数：{filter_num: 参数个数}。"""
    bodies = [body for _, _, solution in SOLUTIONS for _, path, _, body in result_blocks(solution)
              if path == "ch08_cnn/solutions/ex8_5_filter_num.py"]
    assert len(bodies) == 1, "第 8 章练习 5 的答案应有一个 ex8_5_filter_num.py 的 full-run 块"
    counts = {int(n): int(count.replace(",", "")) for n, count in re.findall(r"filter_num=(\d+)：参数 ([\d,]+) 个", bodies[0])}
    assert set(counts) == {30, 10}, f"full-run 块里找不到两种 filter_num 的参数个数：{bodies[0]}"
    return counts


def test_ex8_5_fewer_filters_mean_a_third_of_the_parameters_and_work(monkeypatch):
    """第 8 章练习 5：卷积核从 30 个减到 10 个，参数约为三分之一，与 FN 成正比的那部分计算也是三分之一。

    完整运行（完整 MNIST、1 轮）的数字在答案的 full-run 块里。这里不重跑训练：参数个数是确定的，直接与 full-run 块比较；
    每步耗时不在测试里比较——这台 2 核机器忙时，同一个 filter_num=10 的网络算一次梯度测得 0.036 秒到 1.5 秒不等
    （多线程 BLAS 与别的进程抢核），大小关系会颠倒。答案里的耗时比值只来自那次 full-run。
    """
    module = load_quick("ch08_cnn/solutions/ex8_5_filter_num.py", "solution_ex8_5_quick", monkeypatch)
    SimpleConvNet = load("ch08_cnn/simple_conv_net.py").SimpleConvNet
    networks = {filter_num: SimpleConvNet(filter_num=filter_num, filter_init_std=0.01, dtype=np.float32)
                for filter_num in module.FILTER_NUMS}
    counts = {filter_num: sum(p.size for p in net.params.values()) for filter_num, net in networks.items()}
    assert counts == quoted_parameter_counts()  # 与答案 full-run 块中的参数个数相同
    # 卷积层与第一个全连接层的权重（计算量正比于它们）恰好变成三分之一
    for name in ("W1", "W2"):
        assert networks[10].params[name].size * 3 == networks[30].params[name].size


@pytest.mark.slow
def test_ex8_6_quick_augmentation_makes_the_training_data_harder(monkeypatch):
    """第 8 章练习 6：训练很短时，数据增强让训练损失更高（模型还没记住训练集，增强只是让题变难）。

    完整运行（2,000 张、3 轮）的数字在答案的 full-run 块里；快速模式只用 256 张、2 轮，检查同一方向。
    """
    module = load_quick("ch08_cnn/solutions/ex8_6_augmentation_short.py", "solution_ex8_6_quick", monkeypatch)
    results = module.solve()
    assert results["增强"]["train_loss"][-1] > results["不增强"]["train_loss"][-1]


# ---------------------------------------------------------------- 第 9 章

@pytest.mark.slow  # 快速模式也要计时和跑 profiler：2 核 CPU 上约 1.6 秒，机器慢一些就超过快速测试的 2 秒上限
def test_ex9_2_quick_gru_has_three_quarters_of_the_recurrent_weights(monkeypatch):
    """第 9 章练习 2：GRU 每层三组权重，LSTM 四组，循环层的参数恰好是 3/4；整个模型的参数也更少。

    完整的 GRU 训练（2 核 CPU 上约 19 分钟）和每步耗时的比较在答案的 full-run 块里；耗时不在这里比较（机器忙时大小关系会颠倒），
    由 `python -m pytest -m fullrun` 重跑完整运行、按 full-run 块写明的容差比较（tests/test_solutions_fullrun.py）。
    """
    module = load_quick("ch09_rnn/solutions/ex9_2_gru_vs_lstm.py", "solution_ex9_2_quick", monkeypatch)
    results = module.solve()
    lstm, gru = results["lstm"], results["gru"]
    assert gru["rnn_params"] * 4 == lstm["rnn_params"] * 3
    assert lstm["params"] - gru["params"] == lstm["rnn_params"] - gru["rnn_params"]  # 嵌入和输出层完全相同
