"""ExponentialLR：每轮都把学习率乘以 gamma。每轮的学习率与公式相同（断言），并看它对一次短训练的影响。

    python ch07_pytorch_dl/optimizer/4_exp_lr.py

第 e 轮（从 0 开始）的学习率：lr_e = lr · gamma^e，即 StepLR 在 step_size = 1 时的特例，曲线平滑地下降。
正确的顺序：每一批 optimizer.step()，一轮结束后 scheduler.step()。
反过来写（先 scheduler.step()），初始学习率一次都没用上，整条曲线提前了一轮，torch 还会发出警告。
"""
import torch

from schedule_demo import BASE_LR, run_demo

GAMMA = 0.8


def make_scheduler(optimizer):
    return torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=GAMMA)


def formula(epoch):
    """第 epoch 轮（从 0 开始）按公式应有的学习率。"""
    return BASE_LR * GAMMA ** epoch


if __name__ == "__main__":
    # 断言调度器与公式一致、演示错误的调用顺序、与固定学习率做一次短训练对比（流程见 schedule_demo.run_demo）
    run_demo(f"ExponentialLR(gamma={GAMMA})", "optimizer_4_exp_lr", make_scheduler, formula)
