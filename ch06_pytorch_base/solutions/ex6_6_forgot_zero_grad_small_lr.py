"""第 6 章练习 6 的参考答案：忘了清零梯度时把学习率改成 0.01，测试损失还会上升吗？

与 8_gradient_management.ipynb 相同的实验（MNIST，nn.Linear(784, 10)，SGD，批量大小 100，一轮 600 步，
同一个种子、同样的打乱顺序），学习率取 0.1（notebook 的设置）和 0.01，各训练两次：正常清零、删掉 zero_grad()。

    python ch06_pytorch_base/solutions/ex6_6_forgot_zero_grad_small_lr.py   # 2 核 CPU 上用 1 个线程约 7 秒 CPU 时间
"""

import torch
from torch import nn

from common.cli import script_parser
from common.load_data import get_data
from common.quick import pick
from common.seed import set_seed

LRS = [0.1, 0.01]
N_TRAIN = pick(real=60000, quick=10000)
N_TEST = pick(real=10000, quick=2000)
CHECKPOINTS = pick(real=[10, 50, 100, 200, 400, 600], quick=[10, 50, 100])


def parse_args(argv):
    parser = script_parser("忘了 zero_grad() 时，学习率 0.1 与 0.01 的测试损失", seed=0,
                           help={"seed": "随机种子（初始参数与打乱顺序），与 notebook 相同"})
    return parser.parse_args(argv)


def train_one_epoch(data, lr, zero_grad, seed):
    """训练一轮（每步 100 个样本），在 CHECKPOINTS 指定的步数后评估。

    返回 {步数: (测试损失, 测试精度, 权重的范数 ‖W‖, 这一步所用“梯度”的范数 ‖G‖)}：
    不清零时 G 是到这一步为止所有小批量梯度的和，‖W‖ 看权重是不是越摆越大。
    """
    x_train, x_test, t_train, t_test = data
    set_seed(seed)
    model = nn.Linear(784, 10)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    order = torch.randperm(len(x_train), generator=torch.Generator().manual_seed(seed))
    records = {}
    for step, index in enumerate(order.split(100), start=1):
        pred = model(x_train[index])
        loss = loss_fn(pred, t_train[index])
        if zero_grad:
            optimizer.zero_grad()
        loss.backward()  # 不清零时，.grad 是到目前为止所有梯度的和
        optimizer.step()
        if step in CHECKPOINTS:
            model.eval()
            with torch.no_grad():
                scores = model(x_test)
                records[step] = (loss_fn(scores, t_test).item(), (scores.argmax(dim=1) == t_test).float().mean().item(),
                                 model.weight.norm().item(), model.weight.grad.norm().item())
            model.train()
    return records


def solve(seed=0):
    """返回 {学习率: {"正常": {步数: (损失, 精度, ‖W‖, ‖G‖)}, "忘了清零": {...}}}。"""
    data = tuple(map(torch.from_numpy, get_data("mnist", n_train=N_TRAIN, n_test=N_TEST)))
    return {lr: {"正常": train_one_epoch(data, lr, True, seed), "忘了清零": train_one_epoch(data, lr, False, seed)}
            for lr in LRS}


def main(argv=()):
    args = parse_args(argv)
    results = solve(args.seed)
    for lr, runs in results.items():
        print(f"学习率 {lr}：")
        print("  步数   正常：测试损失  精度    ‖W‖     忘了清零：测试损失  精度    ‖W‖     ‖G‖")
        for step in CHECKPOINTS:
            (ok_loss, ok_acc, ok_w, _), (bad_loss, bad_acc, bad_w, bad_g) = runs["正常"][step], runs["忘了清零"][step]
            print(f"  {step:4d}   {ok_loss:10.3f} {ok_acc:7.4f} {ok_w:6.2f}   {bad_loss:14.3f} {bad_acc:7.4f} {bad_w:6.2f} {bad_g:7.2f}")
        bad = [runs["忘了清零"][step][0] for step in CHECKPOINTS]
        lowest = CHECKPOINTS[bad.index(min(bad))]
        print(f"  忘了清零时，测试损失在第 {lowest} 步最低（{min(bad):.3f}），第 {CHECKPOINTS[-1]} 步为 {bad[-1]:.3f}")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
