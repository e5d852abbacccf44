"""StepLR：每隔 step_size 轮把学习率乘以 gamma。每轮的学习率与公式相同（断言），并看它对一次短训练的影响。

    python ch07_pytorch_dl/optimizer/2_step_lr.py

第 e 轮（从 0 开始）的学习率：lr_e = lr · gamma^floor(e / step_size)。
正确的顺序：每一批 optimizer.step()，一轮结束后 scheduler.step()。
反过来写（先 scheduler.step()），初始学习率一次都没用上，整条曲线提前了一轮，torch 还会发出警告。
"""
import numpy as np
import torch

from common.device import get_device
from common.paths import save_json
from common.plotting import save_figure, show
from schedule_demo import BASE_LR, EPOCHS, lrs_per_epoch, lrs_wrong_order, plot_schedule, train_mnist

STEP_SIZE, GAMMA = 4, 0.5


def make_scheduler(optimizer):
    return torch.optim.lr_scheduler.StepLR(optimizer, step_size=STEP_SIZE, gamma=GAMMA)


def main():
    device = get_device(verbose=True)
    n_epochs = max(EPOCHS, 12)
    right = lrs_per_epoch(make_scheduler, n_epochs)
    formula = [BASE_LR * GAMMA ** (e // STEP_SIZE) for e in range(n_epochs)]
    np.testing.assert_allclose(right, formula, rtol=1e-12)  # 调度器就是这个公式
    print(f"StepLR(step_size={STEP_SIZE}, gamma={GAMMA})，每轮的学习率（与公式 lr·gamma^(e // step_size) 相同）：")
    print("  " + "  ".join(f"{lr:.4g}" for lr in right))

    wrong, messages = lrs_wrong_order(make_scheduler, n_epochs)
    assert wrong[:-1] == right[1:], "错误顺序下的学习率应当正好提前一轮"
    print("先 scheduler.step() 再 optimizer.step() 时每轮实际用的学习率（提前了一轮，第 0 轮的初始学习率没用上）：")
    print("  " + "  ".join(f"{lr:.4g}" for lr in wrong))
    print(f"  torch 的警告：{messages[0][:90]}…" if messages else "  （torch 没有发出警告）")

    constant = train_mnist(None, desc="固定学习率", device=device)
    scheduled = train_mnist(make_scheduler, desc="StepLR", device=device)
    print(f"短训练（{len(constant['loss'])} 轮）：固定学习率 {BASE_LR} 测试精度 {constant['test_acc'][-1]:.4f}、"
          f"最后一轮损失 {constant['loss'][-1]:.4f}；StepLR 测试精度 {scheduled['test_acc'][-1]:.4f}、"
          f"最后一轮损失 {scheduled['loss'][-1]:.4f}")
    fig = plot_schedule(f"StepLR(step_size={STEP_SIZE}, gamma={GAMMA})", right, wrong, constant, scheduled)
    save_figure(fig, "ch07_pytorch_dl/optimizer_2_step_lr.png")
    save_json("ch07_pytorch_dl/optimizer_2_step_lr.json", {
        "lrs": right, "lrs_wrong_order": wrong, "constant": constant, "scheduled": scheduled})
    print(f"完成：StepLR 与公式一致；测试精度 固定 {constant['test_acc'][-1]:.4f} / StepLR {scheduled['test_acc'][-1]:.4f}")
    show()


if __name__ == "__main__":
    main()
