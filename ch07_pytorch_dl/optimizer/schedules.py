"""学习率调度器：2_step_lr.py、3_multistep_lr.py、4_exp_lr.py 和 8_lr_scheduler.py 共用的调度器、公式、
学习率序列、画图，以及 2～4 号脚本共同的命令行和收尾（与公式对照、演示错误的调用顺序、保存）。

训练循环（以及 scheduler.step() 放在哪里）不在这里，写在各个脚本里。

两类调度器：
- 按轮调整（StepLR、MultiStepLR、ExponentialLR）：一轮结束后调用一次 scheduler.step()；
- 按步调整（OneCycleLR、预热 + 余弦）：每个小批量的 optimizer.step() 之后调用一次 scheduler.step()，
  第 8 章的 Fashion-MNIST CNN（OneCycleLR）和第 9 章的诗词 LSTM（前 5% 的步数预热、再按余弦下降）用的就是这一类。

formula(name, i, ...) 给出第 i 次（按轮的调度器：第 i 轮；按步的：第 i 步，都从 0 开始）应有的学习率；
tests/test_ch07.py 断言 torch 的调度器走出的学习率与这些公式相同。
"""
import math
import warnings

import numpy as np
import torch

from common.cli import script_parser
from common.paths import save_json
from common.plotting import plt

BASE_LR = 0.05  # 与第 3 章 MNIST 主训练任务相同的学习率和动量；按步调整的调度器以它为峰值
MOMENTUM = 0.9
STEP_SIZE, STEP_GAMMA = 4, 0.5  # StepLR：每 4 轮乘以 0.5
MILESTONES, MULTISTEP_GAMMA = (6, 9), 0.1  # MultiStepLR：第 6、9 轮开始时各乘以 0.1
EXPONENTIAL_GAMMA = 0.8  # ExponentialLR：每轮乘以 0.8
ONECYCLE_PCT_START = 0.3  # OneCycleLR 的默认值：前 30% 的步数升到峰值（与第 8 章相同）
ONECYCLE_DIV_FACTOR, ONECYCLE_FINAL_DIV_FACTOR = 25.0, 1e4  # 起点 = 峰值 / 25，终点 = 起点 / 1e4（torch 的默认值）
WARMUP_FRACTION = 0.05  # 预热 + 余弦：前 5% 的步数线性升到峰值（与第 9 章相同）
EPOCHS = 12  # 2～4 号脚本：在 f(x, y) 上“训练” 12 轮，每轮 STEPS_PER_EPOCH 步
STEPS_PER_EPOCH = 10

# 名字 -> (图和输出里显示的说明, 是否按步调整)
SCHEDULES = {
    "step": (f"StepLR(step_size={STEP_SIZE}, gamma={STEP_GAMMA})", False),
    "multistep": (f"MultiStepLR(milestones={list(MILESTONES)}, gamma={MULTISTEP_GAMMA})", False),
    "exponential": (f"ExponentialLR(gamma={EXPONENTIAL_GAMMA})", False),
    "onecycle": (f"OneCycleLR(max_lr={BASE_LR}, pct_start={ONECYCLE_PCT_START})", True),
    "warmup_cosine": (f"预热 {WARMUP_FRACTION:.0%} + 余弦（LinearLR → CosineAnnealingLR）", True),
}


def is_per_batch(name):
    """name 这个调度器是否每个小批量调整一次（否则每轮调整一次）。"""
    return SCHEDULES[name][1]


def warmup_steps(total_steps):
    """预热的步数：总步数的 WARMUP_FRACTION，至少 1 步。"""
    return max(1, round(WARMUP_FRACTION * total_steps))


def make_scheduler(name, optimizer, epochs, steps_per_epoch):
    """为 optimizer 建立名为 name 的调度器。optimizer 的初始学习率就是基准（峰值）学习率。"""
    lr = optimizer.param_groups[0]["lr"]
    schedulers = torch.optim.lr_scheduler
    if name == "step":
        return schedulers.StepLR(optimizer, step_size=STEP_SIZE, gamma=STEP_GAMMA)
    if name == "multistep":
        return schedulers.MultiStepLR(optimizer, milestones=list(MILESTONES), gamma=MULTISTEP_GAMMA)
    if name == "exponential":
        return schedulers.ExponentialLR(optimizer, gamma=EXPONENTIAL_GAMMA)
    total = epochs * steps_per_epoch
    if name == "onecycle":
        # cycle_momentum=False：只调学习率，动量保持 0.9，便于与固定学习率对比
        return schedulers.OneCycleLR(optimizer, max_lr=lr, total_steps=total, pct_start=ONECYCLE_PCT_START,
                                     div_factor=ONECYCLE_DIV_FACTOR, final_div_factor=ONECYCLE_FINAL_DIV_FACTOR,
                                     cycle_momentum=False)
    if name == "warmup_cosine":
        warm = warmup_steps(total)
        return schedulers.SequentialLR(optimizer, [
            schedulers.LinearLR(optimizer, start_factor=1 / warm, end_factor=1.0, total_iters=warm),
            schedulers.CosineAnnealingLR(optimizer, T_max=max(1, total - warm)),
        ], milestones=[warm])
    raise ValueError(f"不认识的调度器 {name!r}：可选 {', '.join(SCHEDULES)}")


def _cosine(start, end, fraction):
    """从 start 沿余弦曲线走到 end：fraction = 0 时为 start，1 时为 end。"""
    return end + (start - end) * (1 + math.cos(math.pi * fraction)) / 2


def formula(name, i, epochs, steps_per_epoch, base_lr=BASE_LR):
    """第 i 轮（按轮的调度器）或第 i 步（按步的调度器）按公式应有的学习率，i 从 0 开始。"""
    if name == "step":
        return base_lr * STEP_GAMMA ** (i // STEP_SIZE)
    if name == "multistep":
        return base_lr * MULTISTEP_GAMMA ** sum(i >= m for m in MILESTONES)
    if name == "exponential":
        return base_lr * EXPONENTIAL_GAMMA ** i
    total = epochs * steps_per_epoch
    if name == "onecycle":
        start = base_lr / ONECYCLE_DIV_FACTOR
        peak_step = ONECYCLE_PCT_START * total - 1  # 升到峰值的那一步（torch 的定义，可以不是整数）
        if i <= peak_step:
            return _cosine(start, base_lr, i / peak_step)
        return _cosine(base_lr, start / ONECYCLE_FINAL_DIV_FACTOR, (i - peak_step) / (total - 1 - peak_step))
    if name == "warmup_cosine":
        warm = warmup_steps(total)
        if i < warm:  # 线性预热：从 base_lr / warm 升到 base_lr
            return base_lr * (1 / warm + (1 - 1 / warm) * i / warm)
        return _cosine(base_lr, 0.0, (i - warm) / max(1, total - warm))
    raise ValueError(f"不认识的调度器 {name!r}：可选 {', '.join(SCHEDULES)}")


def _dummy_optimizer(base_lr):
    return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr, momentum=MOMENTUM)


def lr_sequence(name, epochs, steps_per_epoch, base_lr=BASE_LR):
    """按正确的顺序（先 optimizer.step()，再 scheduler.step()）走一遍，记录每次更新用的学习率。

    按轮的调度器返回 epochs 个数（每轮一个），按步的返回 epochs × steps_per_epoch 个数（每步一个）。
    """
    optimizer = _dummy_optimizer(base_lr)
    scheduler = make_scheduler(name, optimizer, epochs, steps_per_epoch)
    n = epochs * steps_per_epoch if is_per_batch(name) else epochs
    lrs = []
    for i in range(n):
        lrs.append(optimizer.param_groups[0]["lr"])  # 这一轮（或这一步）的 optimizer.step() 用的学习率
        optimizer.step()
        if i < n - 1:  # OneCycleLR 走完 total_steps 之后不能再 step
            scheduler.step()
    return lrs


def lrs_wrong_order(name, epochs, steps_per_epoch=1, base_lr=BASE_LR):
    """错误顺序（每轮先 scheduler.step() 再 optimizer.step()）下每轮实际用的学习率，以及 torch 发出的警告。"""
    optimizer = _dummy_optimizer(base_lr)
    scheduler = make_scheduler(name, optimizer, epochs, steps_per_epoch)
    lrs = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(epochs):
            scheduler.step()  # 错：还没用初始学习率更新过一次，就先把它调掉了
            lrs.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
    messages = [str(w.message) for w in caught if "lr_scheduler.step()" in str(w.message)]
    return lrs, messages


def plot_schedules(histories, steps_per_epoch, title):
    """左：每次更新用的学习率（横轴按轮，按步的调度器画成连续曲线）；右：每轮的测试精度。返回 fig。

    histories: {说明: {"lrs": [...每步的学习率...], "test_acc": [...每轮...]}}，第一个是固定学习率。
    """
    fig, (ax_lr, ax_acc) = plt.subplots(1, 2, figsize=(13, 4.8))
    for label, history in histories.items():
        lrs = np.asarray(history["lrs"])
        ax_lr.plot(np.arange(len(lrs)) / steps_per_epoch, lrs, linewidth=1.5, label=label)
        epochs = np.arange(1, len(history["test_acc"]) + 1)
        ax_acc.plot(epochs, history["test_acc"], "o-", markersize=3, label=label)
    ax_lr.set_xlabel("轮数（epoch，从 0 开始）")
    ax_lr.set_ylabel("学习率")
    ax_lr.set_title("每次更新用的学习率")
    ax_lr.grid(alpha=0.3)
    ax_lr.legend(fontsize=7)
    ax_acc.set_xlabel("轮数（epoch）")
    ax_acc.set_ylabel("测试精度")
    ax_acc.set_title(title)
    ax_acc.grid(alpha=0.3)
    ax_acc.legend(fontsize=7)
    fig.tight_layout()
    return fig


def parse_epoch_args(description):
    """2～4 号脚本（按轮调整的调度器）共同的命令行。"""
    return script_parser(description, epochs=EPOCHS, lr=BASE_LR, help={"lr": "初始学习率"}).parse_args()


def finish_epoch_schedule(name, lrs, losses, args):
    """2～4 号脚本共同的收尾。

    lrs：训练循环里每轮用的学习率；losses：每轮结束时的 f(x, y)。断言 lrs 与公式相同，打印每一轮；
    再按错误的顺序（每轮先 scheduler.step()）走一遍，断言整条曲线正好提前一轮，并数出初始学习率用了几轮。
    """
    expected = [formula(name, epoch, args.epochs, 1, args.lr) for epoch in range(args.epochs)]
    np.testing.assert_allclose(lrs, expected, rtol=1e-9, atol=1e-15, err_msg=f"{name}：调度器与公式不一致")
    print(f"{SCHEDULES[name][0]}，初始学习率 {args.lr}，每轮 {STEPS_PER_EPOCH} 步 SGD，f(x, y) = x²/20 + y²：")
    print("  轮   学习率      这一轮结束时的 f(x, y)")
    for epoch, (lr, loss) in enumerate(zip(lrs, losses)):
        print(f"  {epoch:2d}   {lr:<10.4g}  {loss:.4f}")
    print("  每轮的学习率与公式相同（断言通过）")
    wrong, messages = lrs_wrong_order(name, args.epochs, 1, args.lr)
    assert wrong[:-1] == lrs[1:], "错误顺序下的学习率应当正好提前一轮"
    right_uses, wrong_uses = lrs.count(lrs[0]), wrong.count(lrs[0])
    print(f"错误的顺序（每轮先 scheduler.step() 再 optimizer.step()）：整条曲线提前一轮，"
          f"初始学习率 {lrs[0]} 只用了 {wrong_uses} 轮（正确顺序 {right_uses} 轮）")
    print("  错误顺序每轮的学习率：" + "  ".join(f"{lr:.3g}" for lr in wrong))
    print(f"  torch 的警告：{messages[0][:90]}…" if messages else "  （torch 没有发出警告）")
    tag = {"step": "2_step_lr", "multistep": "3_multistep_lr", "exponential": "4_exp_lr"}[name]
    save_json(f"ch07_pytorch_dl/optimizer_{tag}.json", {
        "scheduler": SCHEDULES[name][0], "lrs": lrs, "f_after_epoch": losses, "wrong_order_lrs": wrong,
        "initial_lr_epochs": right_uses, "initial_lr_epochs_wrong_order": wrong_uses,
        "settings": vars(args) | {"steps_per_epoch": STEPS_PER_EPOCH}})
