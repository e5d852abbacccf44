"""StepLR：每 step_size 轮把学习率乘以 γ。看清训练循环里 scheduler.step() 放在哪里。

    python ch07_pytorch_dl/optimizer/2_step_lr.py

    lr_e = lr · γ^floor(e / step_size)      （e 是轮数，从 0 开始；这里 step_size = 4，γ = 0.5）

“训练”是在第 4 章的函数 f(x, y) = x²/20 + y² 上做 SGD（梯度由 autograd 求），每轮走 10 步。
按轮调整的调度器在一轮里所有的 optimizer.step() 之后调用一次 scheduler.step()，一轮之内学习率不变。
顺序写反（每轮开头先 scheduler.step()），整条曲线提前一轮：初始学习率只用了 3 轮而不是 4 轮，torch 会发出警告。
与公式对照、错误顺序的演示和保存结果在 schedules.py；MNIST 上几种调度器的并排比较见 8_lr_scheduler.py。
"""
import torch

from common.cli import run
from quadratic import START_POINT, f
from schedules import STEP_GAMMA, STEP_SIZE, STEPS_PER_EPOCH, finish_epoch_schedule, parse_epoch_args


def main():
    args = parse_epoch_args(f"StepLR(step_size={STEP_SIZE}, gamma={STEP_GAMMA})：训练循环里 scheduler.step() 的位置")
    point = torch.tensor(START_POINT, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([point], lr=args.lr)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=STEP_SIZE, gamma=STEP_GAMMA)
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
    finish_epoch_schedule("step", lrs, losses, args)


if __name__ == "__main__":
    run(main)
