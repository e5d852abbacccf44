"""ExponentialLR：每轮都把学习率乘以 γ。看清训练循环里 scheduler.step() 放在哪里。

    python ch07_pytorch_dl/optimizer/4_exp_lr.py

    lr_e = lr · γ^e      （这里 γ = 0.8：12 轮后只剩初始学习率的 0.8^11 ≈ 8.6%）

学习率每轮都变，所以顺序写反（每轮开头先 scheduler.step()）的后果最明显：
第 0 轮用的就已经是 lr·γ，初始学习率一次也没用上（StepLR、MultiStepLR 只是少用一轮）。
“训练”是在第 4 章的函数 f(x, y) = x²/20 + y² 上做 SGD，每轮走 10 步。
与公式对照、错误顺序的演示和保存结果在 schedules.py。
"""
import torch

from common.cli import run
from quadratic import START_POINT, f
from schedules import EXPONENTIAL_GAMMA, STEPS_PER_EPOCH, finish_epoch_schedule, parse_epoch_args


def main():
    args = parse_epoch_args(f"ExponentialLR(gamma={EXPONENTIAL_GAMMA})：训练循环里 scheduler.step() 的位置")
    point = torch.tensor(START_POINT, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([point], lr=args.lr)
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=EXPONENTIAL_GAMMA)
    lrs, losses = [], []
    for epoch in range(args.epochs):
        lrs.append(optimizer.param_groups[0]["lr"])  # 这一轮每次 optimizer.step() 用的学习率
        for _ in range(STEPS_PER_EPOCH):
            loss = f(point[0], point[1])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        scheduler.step()  # 按轮调整：这一轮所有的 optimizer.step() 之后，每轮一次
        losses.append(f(point[0], point[1]).item())
    finish_epoch_schedule("exponential", lrs, losses, args)


if __name__ == "__main__":
    run(main)
