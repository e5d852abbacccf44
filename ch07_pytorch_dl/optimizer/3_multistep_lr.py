"""MultiStepLR：到了指定的几轮（里程碑）才把学习率乘以 γ。看清训练循环里 scheduler.step() 放在哪里。

    python ch07_pytorch_dl/optimizer/3_multistep_lr.py

    lr_e = lr · γ^k      （k 是不超过 e 的里程碑个数；这里里程碑是第 6、9 轮，γ = 0.1）

与 StepLR 的区别只在“什么时候降”：StepLR 等间隔地降，MultiStepLR 在你指定的轮次降，
常见的做法是在训练损失不再下降的那几轮降一次。
“训练”是在第 4 章的函数 f(x, y) = x²/20 + y² 上做 SGD，每轮走 10 步；顺序写反时整条曲线提前一轮，
初始学习率只用了 5 轮而不是 6 轮。与公式对照、错误顺序的演示和保存结果在 schedules.py。
"""
import torch

from common.cli import run
from quadratic import START_POINT, f
from schedules import MILESTONES, MULTISTEP_GAMMA, STEPS_PER_EPOCH, finish_epoch_schedule, parse_epoch_args


def main():
    args = parse_epoch_args(f"MultiStepLR(milestones={list(MILESTONES)}, gamma={MULTISTEP_GAMMA})："
                            "训练循环里 scheduler.step() 的位置")
    point = torch.tensor(START_POINT, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([point], lr=args.lr)
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=list(MILESTONES), gamma=MULTISTEP_GAMMA)
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
    finish_epoch_schedule("multistep", lrs, losses, args)


if __name__ == "__main__":
    run(main)
