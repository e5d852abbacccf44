"""第 5～7 章（PyTorch）练习参考答案的补充检查。

答案里 ```text output=…``` 块与脚本输出的逐项比较、正文数字的来源，由 tests/test_solutions.py 对所有章节统一检查。
这里检查那里检查不到的：
- 要跑一分钟上下的答案（```text full-run=…``` 块）：在快速模式（DL_QUICK=1）下运行同一个脚本，检查答案所说的效果方向；
- 答案声称“章节脚本改成这样会怎样”时，真的改了章节脚本（在内存里替换一个函数）再运行，检查它如答案所说地结束；
- 答案脚本重写了章节里的几行时，检查重写的与章节的逐位相同。
"""
import os
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from tests.chapter_files import import_chapter_file
from tests.test_solutions import load_quick


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """快速模式的矩阵都很小，多线程的同步开销比计算本身还大；机器忙时（CI、几个测试进程并行）
    两个线程互相等待，同样的训练会慢几十倍。这里的测试只比较大小关系，与线程数无关，所以只用一个线程，结束后还原。"""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


# ---------------------------------------------------------------- 第 5 章

def test_ex5_6_quick_larger_matrices_reach_more_gflops(monkeypatch):
    """第 5 章练习 6：矩阵越大，每秒完成的浮点运算越多。

    完整运行（512～4096）的数字受机器负载影响，在答案的 full-run 块里；快速模式比较 32 与 512 两种边长：
    32 × 32 的乘法只有约 6.6 万次运算，用时几乎全是调用开销，GFLOPS 比 512 × 512 低一个数量级以上，
    机器再忙也不会颠倒，所以只比较大小关系。
    """
    module = load_quick("ch06_pytorch_base/solutions/ex5_6_matmul_gflops.py", "solution_ex5_6_quick", monkeypatch)
    assert module.gflops(1000, 1.0) == pytest.approx(2.0)  # 2n³ 次运算 / 秒 / 1e9
    cpu = module.solve([torch.device("cpu")])["cpu"]
    assert cpu[512][1] > cpu[32][1]


# ---------------------------------------------------------------- 第 6 章

def test_ex6_4_chapter_script_with_sigmoid_stops_at_the_gradient_check(monkeypatch):
    """第 6 章练习 4：把 10_autograd_vs_backprop.py 的 predict 换成 sigmoid 版，脚本在对照梯度这一步以错误退出，不训练。"""
    solution = import_chapter_file("ch06_pytorch_base/solutions/ex6_4_sigmoid_instead_of_relu.py", "solution_ex6_4")
    monkeypatch.setenv("DL_QUICK", "1")
    script = import_chapter_file("ch06_pytorch_base/10_autograd_vs_backprop.py", "autograd_vs_backprop_ex6_4")
    monkeypatch.setattr(script, "predict", solution.sigmoid_predict)
    monkeypatch.setattr(sys, "argv", ["10_autograd_vs_backprop.py"])
    with pytest.raises(SystemExit) as exit_info:
        script.main()
    message = str(exit_info.value.code)
    assert message.startswith("错误：自动求导与反向传播的梯度相差") and "超过容差" in message
    assert not list(Path(os.environ["DL_OUTPUT_DIR"]).glob("**/10_autograd_vs_backprop.json"))  # 没有训练，也没有写结果


@pytest.mark.slow
def test_ex6_6_quick_forgetting_zero_grad_is_harder_to_see_with_a_small_lr(monkeypatch):
    """第 6 章练习 6：学习率 0.01 时忘了清零，测试损失过了最低点后仍会回升，但精度反而高于正常训练。

    完整运行（60000 张、600 步）的数字在答案的 full-run 块里；快速模式只用 10000 张、100 步，
    在第 10、50、100 步评估，比较大小关系（方向），不比较数值。
    """
    module = load_quick("ch06_pytorch_base/solutions/ex6_6_forgot_zero_grad_small_lr.py", "solution_ex6_6_quick",
                        monkeypatch)
    results = module.solve(seed=0)
    for lr in (0.1, 0.01):
        forgot = results[lr]["忘了清零"]
        losses = [forgot[step][0] for step in module.CHECKPOINTS]
        assert losses[-1] > min(losses), f"学习率 {lr}：忘了清零时测试损失应在最低点之后回升"
    small_lr = results[0.01]
    last = module.CHECKPOINTS[-1]
    assert small_lr["忘了清零"][last][1] > small_lr["正常"][last][1]  # 精度反而更高：只看精度发现不了
    big_lr = results[0.1]
    assert big_lr["忘了清零"][last][0] > big_lr["正常"][last][0]


# ---------------------------------------------------------------- 第 7 章

def test_ex7_3_rewritten_book_adam_is_the_chapter_rule():
    """第 7 章练习 3 的答案用的书中 Adam 就是 7_adam.py 的规则（eps 不换算）：两者逐位相同。"""
    solution = import_chapter_file("ch07_pytorch_dl/solutions/ex7_3_adam_tiny_gradients.py", "solution_ex7_3")
    chapter = import_chapter_file("ch07_pytorch_dl/optimizer/7_adam.py", "adam_ex7_3")
    rng = np.random.default_rng(0)
    gradients = [1e-6 * rng.normal(size=(2, 3)) for _ in range(5)]
    update, state, w = chapter.make_book_adam(map_eps=False), {}, np.zeros((2, 3))
    for grad, expected in zip(gradients, solution.book_adam_steps(gradients)):
        w = update(w, grad, state)
        np.testing.assert_array_equal(w, expected)
