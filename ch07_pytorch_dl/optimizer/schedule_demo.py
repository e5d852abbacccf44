"""学习率调度器脚本（2_step_lr.py、3_multistep_lr.py、4_exp_lr.py）共用的小工具。

- lrs_per_epoch：按正确的顺序（每轮先 optimizer.step()，轮末再 scheduler.step()）记录每轮用的学习率；
- lrs_wrong_order：把 scheduler.step() 放在 optimizer.step() 之前，记录每轮实际用的学习率和 torch 的警告；
- train_mnist：一次短的真实训练（MNIST 的 784-100-10 网络，SGD + Momentum），可选地带一个调度器；
- plot_schedule：左图每轮的学习率，右图有无调度器时的测试精度；
- run_demo：三个脚本共同的流程——断言调度器与公式一致、演示错误的调用顺序、短训练对比、保存图和 JSON。
"""
import warnings

import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from common.device import get_device
from common.load_data import get_data
from common.paths import output_dir, save_json
from common.plotting import plt, save_figure, show
from common.quick import pick
from common.seed import set_seed
from common.trainer import check_finite_loss

BASE_LR = 0.05  # 与第 3 章 MNIST 主训练任务相同的学习率和动量
MOMENTUM = 0.9
EPOCHS = pick(real=12, quick=2)
N_TRAIN = pick(real=20000, quick=2000)  # 短训练：只用前 20,000 张训练图像
N_TEST = pick(real=None, quick=1000)
BATCH_SIZE = 100


def _dummy_optimizer():
    return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=BASE_LR, momentum=MOMENTUM)


def lrs_per_epoch(make_scheduler, epochs):
    """正确顺序下每轮（第 0 轮起）用的学习率。make_scheduler(optimizer) -> 调度器。"""
    optimizer = _dummy_optimizer()
    scheduler = make_scheduler(optimizer)
    lrs = []
    for _ in range(epochs):
        lrs.append(optimizer.param_groups[0]["lr"])  # 这一轮所有 optimizer.step() 用的学习率
        optimizer.step()  # （这里代表一整轮的更新）
        scheduler.step()  # 一轮结束后才调整学习率
    return lrs


def lrs_wrong_order(make_scheduler, epochs):
    """错误顺序（每轮先 scheduler.step() 再 optimizer.step()）下每轮实际用的学习率，以及 torch 发出的警告。"""
    optimizer = _dummy_optimizer()
    scheduler = make_scheduler(optimizer)
    lrs = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(epochs):
            scheduler.step()  # 错：还没用初始学习率更新过一次，就先把它调掉了
            lrs.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
    messages = [str(w.message) for w in caught if "lr_scheduler.step()" in str(w.message)]
    return lrs, messages


def train_mnist(make_scheduler=None, seed=42, desc="训练", device=None):
    """在 N_TRAIN 张 MNIST 图像上训练 784-100-10 网络 EPOCHS 轮，返回每轮的学习率、平均损失和测试精度。

    device: torch.device；None 时用 get_device() 自动选择。数据量小，整个数据集一次搬到设备上。
    """
    device = get_device() if device is None else device
    x_train, x_test, y_train, y_test = get_data("mnist", n_train=N_TRAIN, n_test=N_TEST)
    x_train, y_train = torch.from_numpy(x_train).to(device), torch.from_numpy(y_train).to(device)
    x_test, y_test = torch.from_numpy(x_test).to(device), torch.from_numpy(y_test).to(device)
    set_seed(seed)
    model = nn.Sequential(nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 10)).to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=BASE_LR, momentum=MOMENTUM)
    scheduler = make_scheduler(optimizer) if make_scheduler is not None else None
    generator = torch.Generator().manual_seed(seed)
    history = {"lr": [], "loss": [], "test_acc": []}
    for epoch in tqdm(range(1, EPOCHS + 1), desc=desc, leave=False):
        history["lr"].append(optimizer.param_groups[0]["lr"])
        model.train()
        total = 0.0
        for index in torch.randperm(len(x_train), generator=generator).to(device).split(BATCH_SIZE):
            x, y = x_train[index], y_train[index]
            pred = model(x)
            loss = loss_fn(pred, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += check_finite_loss(loss.item(), where=f"{desc}第 {epoch} 轮") * len(index)
        if scheduler is not None:
            scheduler.step()  # 每轮结束后调整一次学习率：在这一轮所有的 optimizer.step() 之后
        history["loss"].append(total / len(x_train))
        model.eval()
        with torch.no_grad():
            history["test_acc"].append((model(x_test).argmax(dim=1) == y_test).float().mean().item())
    return history


def plot_schedule(name, right_lrs, wrong_lrs, constant, scheduled):
    """左：每轮的学习率（正确与错误顺序）；右：固定学习率与调度器下每轮的测试精度。返回 fig。"""
    fig, (ax_lr, ax_acc) = plt.subplots(1, 2, figsize=(12, 4.5))
    epochs = np.arange(len(right_lrs))
    ax_lr.step(epochs, right_lrs, where="post", marker="o", label="正确：optimizer.step() 之后 scheduler.step()")
    ax_lr.step(epochs, wrong_lrs, where="post", marker="x", linestyle="--", label="错误：先 scheduler.step()")
    ax_lr.set_xlabel("轮数（从 0 开始）")
    ax_lr.set_ylabel("学习率")
    ax_lr.set_title(f"{name} 每轮的学习率")
    ax_lr.grid(alpha=0.3)
    ax_lr.legend()
    run_epochs = np.arange(1, len(constant["test_acc"]) + 1)
    ax_acc.plot(run_epochs, constant["test_acc"], "o-", label=f"固定学习率 {BASE_LR}")
    ax_acc.plot(run_epochs, scheduled["test_acc"], "s-", label=name)
    ax_acc.set_xlabel("轮数（epoch）")
    ax_acc.set_ylabel("测试精度")
    ax_acc.set_title(f"MNIST 784-100-10（{N_TRAIN} 张训练图像）")
    ax_acc.grid(alpha=0.3)
    ax_acc.legend()
    fig.tight_layout()
    return fig


def run_demo(name, tag, make_scheduler, formula):
    """调度器脚本的主流程。

    name: 图和输出里显示的调度器名，如 "StepLR(step_size=4, gamma=0.5)"；tag: 输出文件名，如 "optimizer_2_step_lr"；
    make_scheduler(optimizer) -> 调度器；formula(e) -> 第 e 轮（从 0 开始）按公式应有的学习率。
    """
    output_dir()  # 输出目录不可写时在训练之前就报错
    device = get_device(verbose=True)
    n_epochs = max(EPOCHS, 12)
    right = lrs_per_epoch(make_scheduler, n_epochs)
    # 调度器就是这个公式（逐轮连乘与直接乘方只差舍入误差）
    np.testing.assert_allclose(right, [formula(e) for e in range(n_epochs)], rtol=1e-12)
    print(f"{name}，每轮的学习率（与公式相同）：")
    print("  " + "  ".join(f"{lr:.4g}" for lr in right))

    wrong, messages = lrs_wrong_order(make_scheduler, n_epochs)
    assert wrong[:-1] == right[1:], "错误顺序下的学习率应当正好提前一轮"
    print("先 scheduler.step() 再 optimizer.step() 时每轮实际用的学习率（提前了一轮，第 0 轮的初始学习率没用上）：")
    print("  " + "  ".join(f"{lr:.4g}" for lr in wrong))
    print(f"  torch 的警告：{messages[0][:90]}…" if messages else "  （torch 没有发出警告）")

    short_name = name.split("(")[0]
    constant = train_mnist(None, desc="固定学习率", device=device)
    scheduled = train_mnist(make_scheduler, desc=short_name, device=device)
    print(f"短训练（{len(constant['loss'])} 轮）：固定学习率 {BASE_LR} 测试精度 {constant['test_acc'][-1]:.4f}、"
          f"最后一轮损失 {constant['loss'][-1]:.4f}；{short_name} 测试精度 {scheduled['test_acc'][-1]:.4f}、"
          f"最后一轮损失 {scheduled['loss'][-1]:.4f}")
    fig = plot_schedule(name, right, wrong, constant, scheduled)
    save_figure(fig, f"ch07_pytorch_dl/{tag}.png")
    save_json(f"ch07_pytorch_dl/{tag}.json", {
        "lrs": right, "lrs_wrong_order": wrong, "constant": constant, "scheduled": scheduled})
    print(f"完成：{short_name} 与公式一致；测试精度 固定 {constant['test_acc'][-1]:.4f} / "
          f"{short_name} {scheduled['test_acc'][-1]:.4f}")
    show()
