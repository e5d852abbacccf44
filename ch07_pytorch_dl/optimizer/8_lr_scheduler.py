"""学习率调度：同一个 MNIST 短训练，固定学习率与五种调度器并排比较，训练循环里看清 scheduler.step() 放在哪里。

    python ch07_pytorch_dl/optimizer/8_lr_scheduler.py              # 完整运行（6 次短训练）
    DL_QUICK=1 python ch07_pytorch_dl/optimizer/8_lr_scheduler.py   # 快速模式，几秒钟
    python ch07_pytorch_dl/optimizer/8_lr_scheduler.py --schedules step onecycle   # 只跑其中几种

（StepLR、MultiStepLR、ExponentialLR 各自的训练循环、公式和错误顺序，分别见 2_step_lr.py、3_multistep_lr.py、4_exp_lr.py；
这里把它们与按步调整的 OneCycleLR、预热 + 余弦放进同一个训练循环，在 MNIST 上并排比较。）

1. 公式：每个调度器走出的学习率与 schedules.py 里的公式相同（断言）：
   StepLR      lr_e = lr · γ^floor(e / step_size)
   MultiStepLR lr_e = lr · γ^(不超过 e 的里程碑个数)
   ExponentialLR lr_e = lr · γ^e
   OneCycleLR  前 30% 的步数沿余弦从 lr/25 升到 lr，再沿余弦降到 lr/25/1e4（第 8 章的 CNN 用它）
   预热 + 余弦 前 5% 的步数线性升到 lr，再沿余弦降到 0（第 9 章的 LSTM 用这种形状）
2. 顺序：按轮调整的调度器，一轮里所有的 optimizer.step() 之后才 scheduler.step()；
   反过来写，整条曲线提前一轮：StepLR 的初始学习率少用一轮，ExponentialLR 的则一次也没用上；
   torch 还会发出警告（演示一次）。
   按步调整的调度器（OneCycleLR、预热 + 余弦）在每个小批量的 optimizer.step() 之后 scheduler.step()。
3. 训练：20,000 张 MNIST 训练图像上的 784-100-10 网络，SGD + Momentum（lr = 0.05，μ = 0.9），
   固定学习率只训练一次，作为所有调度器的对照；每次训练的初始参数和打乱顺序都相同（同一个种子）。
   训练一轮、评估用的是 3_nn_test.py 的 train、test（按步调整的调度器作为参数交给 train）。
"""
import time

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from tqdm import tqdm

from common.chapters import load
from common.cli import positive_int, run, script_parser
from common.device import get_device
from common.divergence import DivergenceGuard
from common.load_data import get_data
from common.paths import save_json
from common.plotting import save_figure, show
from common.quick import is_quick, pick
from common.seed import set_seed
from schedules import (BASE_LR, MOMENTUM, SCHEDULES, formula, is_per_batch, lr_sequence, lrs_wrong_order,
                       make_scheduler, plot_schedules)

# 训练一轮的 train 和评估的 test 就是 3_nn_test.py 里的那两个函数（它的 train 接受按步调整的调度器）
nn_test = load("ch07_pytorch_dl/3_nn_test.py")


def parse_args():
    parser = script_parser("固定学习率与 StepLR、MultiStepLR、ExponentialLR、OneCycleLR、"
                           "预热 + 余弦在同一个 MNIST 短训练上的对比",
                           epochs=pick(real=12, quick=2), batch_size=100, lr=BASE_LR, device=True, seed=42,
                           help={"epochs": "每次训练的轮数",
                                 "lr": "固定学习率，也是各调度器的初始（按步调整的调度器：峰值）学习率",
                                 "seed": "随机种子（初始参数与打乱顺序）"})
    parser.add_argument("--n-train", type=positive_int, default=pick(real=20000, quick=2000),
                        help="用前这么多张 MNIST 训练图像")
    parser.add_argument("--schedules", nargs="+", choices=list(SCHEDULES), default=list(SCHEDULES),
                        help="要训练的调度器（固定学习率的对照总会训练）")
    return parser.parse_args()


def short_name(name):
    """调度器的短名字，如 "StepLR"、"预热 5% + 余弦"（进度条和摘要里用）。"""
    return SCHEDULES[name][0].split("(")[0].split("（")[0]


def train_with_schedule(name, args, device, train_loader, test_loader):
    """训练一个 784-100-10 网络 args.epochs 轮；name 为 None 时用固定学习率。返回 history（每轮一项的列表）。"""
    set_seed(args.seed)  # 每次训练的初始参数相同
    train_loader.generator.manual_seed(args.seed)  # 打乱顺序也相同
    model = nn.Sequential(nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 10)).to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=MOMENTUM)
    scheduler = None if name is None else make_scheduler(name, optimizer, args.epochs, len(train_loader))
    per_batch = name is not None and is_per_batch(name)
    label = "固定学习率" if name is None else short_name(name)
    guard = DivergenceGuard()
    history = {"lr": [], "train_loss": [], "train_acc": [], "test_loss": [], "test_acc": [], "lrs": []}
    for epoch in tqdm(range(1, args.epochs + 1), desc=label, leave=False):
        history["lr"].append(optimizer.param_groups[0]["lr"])  # 这一轮开始时的学习率
        train_loss, train_acc = nn_test.train(model, device, train_loader, optimizer, epoch, loss_fn, guard,
                                              scheduler if per_batch else None, history["lrs"], desc=f"{label} ")
        if scheduler is not None and not per_batch:
            scheduler.step()  # 按轮调整：这一轮所有的 optimizer.step() 之后，每轮一次
        test_loss, test_acc = nn_test.test(model, device, test_loader, loss_fn)
        for key, value in (("train_loss", train_loss), ("train_acc", train_acc),
                           ("test_loss", test_loss), ("test_acc", test_acc)):
            history[key].append(value)
    return history


def check_formulas(names, epochs, steps_per_epoch, base_lr):
    """每个调度器走出的学习率与公式相同（断言）；打印按轮的学习率。"""
    for name in names:
        lrs = lr_sequence(name, epochs, steps_per_epoch, base_lr)
        expected = [formula(name, i, epochs, steps_per_epoch, base_lr) for i in range(len(lrs))]
        np.testing.assert_allclose(lrs, expected, rtol=1e-9, atol=1e-15,
                                   err_msg=f"{name}：调度器与 schedules.formula 不一致")
        per_epoch = lrs[::steps_per_epoch] if is_per_batch(name) else lrs
        unit = "每轮第一步" if is_per_batch(name) else "每轮"
        print(f"  {SCHEDULES[name][0]}（{unit}，与公式相同）：" + "  ".join(f"{lr:.3g}" for lr in per_epoch))


def main():
    args = parse_args()
    device = get_device(args.device, verbose=True)
    set_seed(args.seed)
    start = time.perf_counter()

    x_train, x_test, y_train, y_test = get_data("mnist", n_train=args.n_train, n_test=pick(real=None, quick=1000))
    generator = torch.Generator().manual_seed(args.seed)
    train_loader = DataLoader(TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train)),
                              batch_size=args.batch_size, shuffle=True, generator=generator, num_workers=0)
    test_loader = DataLoader(TensorDataset(torch.from_numpy(x_test), torch.from_numpy(y_test)),
                             batch_size=1000, num_workers=0)
    steps_per_epoch = len(train_loader)
    print(f"MNIST：训练 {len(x_train)} 张、测试 {len(x_test)} 张；{args.epochs} 轮 × {steps_per_epoch} 步")

    # ------------------------------------------------------------ 1. 调度器 = 公式
    print("学习率与公式对照：")
    check_formulas(args.schedules, args.epochs, steps_per_epoch, args.lr)

    # ------------------------------------------------------------ 2. 错误的调用顺序（以 StepLR 为例）
    right = lr_sequence("step", max(args.epochs, 12), 1, args.lr)
    wrong, messages = lrs_wrong_order("step", max(args.epochs, 12), 1, args.lr)
    assert wrong[:-1] == right[1:], "错误顺序下的学习率应当正好提前一轮"
    print("StepLR 先 scheduler.step() 再 optimizer.step() 时每轮实际用的学习率（提前了一轮，初始学习率少用一轮）：")
    print("  正确：" + "  ".join(f"{lr:.3g}" for lr in right))
    print("  错误：" + "  ".join(f"{lr:.3g}" for lr in wrong))
    print(f"  torch 的警告：{messages[0][:90]}…" if messages else "  （torch 没有发出警告）")

    # ------------------------------------------------------------ 3. 短训练：固定学习率一次，每个调度器一次
    train_start = time.perf_counter()
    histories, seconds = {}, {}
    for name in [None, *args.schedules]:
        run_start = time.perf_counter()
        histories[name] = train_with_schedule(name, args, device, train_loader, test_loader)
        seconds[name] = time.perf_counter() - run_start
    train_seconds = time.perf_counter() - train_start

    print(f"\n{'学习率':<44}{'最后一轮训练损失':>10}{'测试损失':>10}{'测试精度':>10}{'用时（秒）':>10}")
    for name, history in histories.items():
        label = f"固定 {args.lr}" if name is None else SCHEDULES[name][0]
        print(f"{label:<48}{history['train_loss'][-1]:>12.4f}{history['test_loss'][-1]:>12.4f}"
              f"{history['test_acc'][-1]:>12.4f}{seconds[name]:>12.1f}")

    labels = {name: (f"固定学习率 {args.lr}" if name is None else SCHEDULES[name][0]) for name in histories}
    fig = plot_schedules({labels[name]: history for name, history in histories.items()}, steps_per_epoch,
                         f"MNIST 784-100-10（{len(x_train)} 张训练图像）每轮的测试精度")
    save_figure(fig, "ch07_pytorch_dl/optimizer_8_lr_scheduler.png")
    total_seconds = time.perf_counter() - start
    save_json("ch07_pytorch_dl/optimizer_8_lr_scheduler.json", {
        "constant": {key: value for key, value in histories[None].items() if key != "lrs"},
        "schedules": {name: {"label": SCHEDULES[name][0], "per_batch": is_per_batch(name),
                             **{key: value for key, value in histories[name].items() if key != "lrs"},
                             "train_seconds": round(seconds[name], 2)} for name in args.schedules},
        "steplr_wrong_order": wrong, "steplr_right_order": right,
        "seconds": round(total_seconds, 1), "train_seconds": round(train_seconds, 1),
        "quick_mode": is_quick(), "settings": vars(args) | {"device": str(device), "steps_per_epoch": steps_per_epoch,
                                                           "momentum": MOMENTUM},
    })
    best = max(args.schedules, key=lambda name: histories[name]["test_acc"][-1])
    print(f"完成：{len(args.schedules)} 个调度器与公式一致；测试精度 固定学习率 {histories[None]['test_acc'][-1]:.4f}，"
          f"最好的调度器 {short_name(best)} {histories[best]['test_acc'][-1]:.4f}；"
          f"训练 {train_seconds:.1f} 秒，全程 {total_seconds:.1f} 秒")
    show()


if __name__ == "__main__":
    run(main)
