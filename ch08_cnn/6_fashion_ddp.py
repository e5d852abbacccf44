"""数据并行：把 4_fashion_category.py 的训练分给多个进程（DistributedDataParallel）。

    torchrun --nproc_per_node=2 ch08_cnn/6_fashion_ddp.py            # 本机 2 个进程（有 2 块 GPU 时每个进程一块）
    torchrun --nproc_per_node=2 ch08_cnn/6_fashion_ddp.py --epochs 1 # 少训练几轮
    python ch08_cnn/6_fashion_ddp.py                                  # 不用 torchrun：只有 1 个进程，流程相同
    DL_QUICK=1 torchrun --nproc_per_node=2 ch08_cnn/6_fashion_ddp.py  # 快速模式，几秒钟

与 4 号脚本逐行对照着读：选项、数据、模型、train/test、按验证精度挑最好的一轮、用它评估测试集、
模型文件的保存与发布都相同（tests/test_ch08.py 检查两个文件的差别不超过 60 行），只多了下面几处（代码里标着“DDP：”）：
1. 每个进程（rank）运行同一份脚本，各自持有一份完整的模型；开头加入进程组（setup），结尾一起退出；
2. DistributedSampler 把训练集切成互不重叠的 N 份，每个进程只看自己那一份；
3. 每步反向传播时，DDP 把各进程的梯度求平均（all-reduce），所以各进程的更新完全相同，模型始终一致；
4. 训练、验证和测试的“损失总和、答对几张、共几张”在各进程之间加起来（all-reduce），所有进程看到同样的数；
5. 只有 0 号进程打印日志、保存模型和结果。
通信后端：CUDA 上用 nccl，CPU 上用 gloo。--batch-size 是每个进程的批量，全局批量 = 它 × 进程数。
某个进程停住时，其他进程在集合通信里最多等 --timeout 秒就报错退出，而不是一直等下去。
第 2、3 点的检验（各进程第 1 轮的样本编号、最终参数的 SHA-256）不在这里，见 ddp_check.py。
"""
import copy
import os
import time
from datetime import timedelta

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, Subset, TensorDataset
from tqdm import tqdm

from common.checkpoint import BestModelFile
from common.cli import positive_float, run, script_parser
from common.device import get_device
from common.divergence import DivergenceGuard
from common.paths import save_json
from common.quick import is_quick, pick
from common.seed import set_seed
from fashion_cnn import FashionCNN, add_training_arguments, augment, check_val_size, load_fashion_mnist, make_checkpoint

MODEL_FILE = "ch08_cnn/fashion_cnn_ddp.pt"
N_TRAIN = pick(real=None, quick=2000)  # 快速模式只训练 2,000 张、测试 1,000 张
N_TEST = pick(real=None, quick=1000)


def parse_args():
    parser = script_parser("Fashion-MNIST 卷积神经网络的数据并行训练（torchrun 启动）")
    add_training_arguments(parser, batch_size_help="每个进程的小批量大小（全局批量 = 它 × 进程数）")
    parser.add_argument("--timeout", type=positive_float, default=300,
                        help="集合通信（all-reduce 等）最多等待的秒数：某个进程停住时，其他进程等这么久就报错退出")
    args = parser.parse_args()
    check_val_size(parser, args.val_size, N_TRAIN)
    return args


def setup(args):
    """DDP：加入进程组，返回 (rank, world_size, device)。

    torchrun 会为每个进程设置 RANK、WORLD_SIZE、LOCAL_RANK、MASTER_ADDR、MASTER_PORT；
    直接 python 运行时这些都没有，就当作只有 1 个进程的进程组（端口 0：由操作系统挑一个空闲端口），代码路径完全相同。
    """
    if "RANK" not in os.environ:
        os.environ.update(RANK="0", WORLD_SIZE="1", LOCAL_RANK="0", MASTER_ADDR="127.0.0.1", MASTER_PORT="0")
    # 有 GPU 时用同一台机器上的第 LOCAL_RANK 块；MPS 不支持多进程通信，退回 CPU
    cuda = get_device(args.device).type == "cuda"
    device = torch.device("cuda", int(os.environ["LOCAL_RANK"])) if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(device)
    # timeout：集合通信等不到其他进程时最多等这么久（PyTorch 默认 10～30 分钟，停住的进程会让别人白等）
    dist.init_process_group(backend="nccl" if cuda else "gloo", timeout=timedelta(seconds=args.timeout))
    if dist.get_rank() == 0:
        print(f"使用设备：{device}（0 号进程），进程数 {dist.get_world_size()}，通信后端 {dist.get_backend()}")
    return dist.get_rank(), dist.get_world_size(), device


def evaluation_shard(dataset, rank, world_size):
    """DDP：评估时本进程负责的那一份：第 rank、rank + world_size、rank + 2 × world_size……张。

    不用 DistributedSampler：张数除不尽进程数时，它会从头补几张，让每个进程一样多
    （3 个进程、1,000 张时补 2 张，一共评估 1,002 张），补上的图就被数了两次。
    这里每张图恰好属于一个进程，加起来正好是整个数据集。
    """
    return Subset(dataset, range(rank, len(dataset), world_size))


def all_reduce_sums(*values, device):
    """DDP：把各进程的几个数分别加起来（all-reduce 求和），所有进程得到同样的总数。"""
    totals = torch.tensor(values, dtype=torch.float64, device=device)
    dist.all_reduce(totals)
    return totals.tolist()


def train(model, device, loader, optimizer, epoch, loss_fn, scheduler, guard, generator, augment=augment):
    """训练一轮，返回这一轮的平均损失和训练精度（在增强后的图像上、训练模式下统计）。

    augment: 对一批图像做数据增强的函数（默认 fashion_cnn.augment）；传 None 时不增强。
    DDP：返回的是所有进程合起来的平均损失和精度；进度条只在 0 号进程显示。
    """
    model.train()
    total_loss, correct, count = 0.0, 0, 0
    for step, (x, y) in enumerate(tqdm(loader, desc=f"第 {epoch} 轮", leave=False, mininterval=2,
                                       disable=dist.get_rank() != 0)):
        if augment is not None:
            x = augment(x, generator=generator)  # 在 CPU 上对整批做增强（每轮都不同），再搬到设备上
        x, y = x.to(device), y.to(device)
        pred = model(x)
        loss = loss_fn(pred, y)
        optimizer.zero_grad()
        loss.backward()  # DDP：在这里把各进程的梯度求平均
        optimizer.step()
        scheduler.step()  # OneCycle 每一步都调整学习率
        loss_value = guard.check(loss.item(), where=f"第 {epoch} 轮第 {step + 1} 步")  # nan/inf 或暴涨时停下
        total_loss += loss_value * len(y)
        correct += (pred.argmax(dim=1) == y).sum().item()
        count += len(y)
    total_loss, correct, count = all_reduce_sums(total_loss, correct, count, device=device)  # DDP
    return total_loss / count, correct / count


def test(model, device, loader, loss_fn, predictions=None):
    """在 loader 的数据上评估，返回 (平均损失, 精度)。评估模式：BN 用滑动平均的统计量，Dropout 关闭。

    predictions: 传入一个列表时，把每一批预测的类别（CPU 上的张量）依次追加进去（画混淆矩阵用）。
    DDP：各进程评估自己那一份，再把损失总和、答对张数、总张数加起来。
    """
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            pred = model(x)
            total_loss += loss_fn(pred, y).item() * len(y)
            predicted = pred.argmax(dim=1)
            correct += (predicted == y).sum().item()
            count += len(y)
            if predictions is not None:
                predictions.append(predicted.cpu())
    total_loss, correct, count = all_reduce_sums(total_loss, correct, count, device=device)  # DDP
    return total_loss / count, correct / count


def main():
    args = parse_args()
    start = time.perf_counter()
    rank, world_size, device = setup(args)  # DDP：代替 4 号脚本里的 get_device
    set_seed(args.seed)  # 各进程同一个种子：初始参数相同（DDP 创建时还会从 0 号进程广播一次）
    loss_fn = nn.CrossEntropyLoss()

    data = load_fashion_mnist(val_size=args.val_size, seed=args.seed, n_train=N_TRAIN, n_test=N_TEST)
    model = FashionCNN().to(device)
    n_params = sum(p.numel() for p in model.parameters())
    if device.type == "cuda":
        model = nn.SyncBatchNorm.convert_sync_batchnorm(model)  # DDP：多 GPU 时批归一化用所有进程的整批统计量
    model = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)

    generator = torch.Generator().manual_seed(args.seed + rank)  # DDP：各进程的增强互不相同
    train_set = TensorDataset(data.x_train, data.y_train)
    # DDP：每个进程只取自己那份；打乱顺序由 seed + 轮数决定，各进程算出的是同一个排列的不同片段
    sampler = DistributedSampler(train_set, num_replicas=world_size, rank=rank, shuffle=True, seed=args.seed)
    loader = DataLoader(train_set, batch_size=args.batch_size, sampler=sampler, num_workers=0)
    val_loader = DataLoader(evaluation_shard(TensorDataset(data.x_val, data.y_val), rank, world_size), batch_size=1000)
    test_loader = DataLoader(evaluation_shard(TensorDataset(data.x_test, data.y_test), rank, world_size), batch_size=1000)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, epochs=args.epochs,
                                                    steps_per_epoch=len(loader))
    guard = DivergenceGuard()  # 损失变成 nan/inf，或涨到开始时的 10 倍以上，就停下
    settings = {"epochs": args.epochs, "batch_size": args.batch_size, "max_lr": args.lr,
                "weight_decay": args.weight_decay, "optimizer": "AdamW", "schedule": "OneCycleLR",
                "augmentation": "左右翻转 + 平移 ±2 像素", "n_train": len(data.y_train), "n_val": len(data.y_val),
                "n_test": len(data.y_test), "parameters": n_params, "seed": args.seed}
    settings.update(world_size=world_size, global_batch_size=args.batch_size * world_size)  # DDP
    if rank == 0:
        print(f"训练 {len(train_set)} 张，每个进程每轮 {len(sampler)} 张；全局批量 {args.batch_size} × {world_size}")

    history = {"train_loss": [], "train_acc": [], "val_loss": [], "val_acc": [], "epoch_seconds": []}
    best_val_acc, best_epoch, best_state = -1.0, 0, None
    train_start = time.perf_counter()
    # 训练途中只写本次运行自己的模型文件（DDP：只有 0 号进程写）；被 Ctrl-C 或发散打断时，它说明以前发布的模型没有动
    with BestModelFile(MODEL_FILE, score_key="best_val_acc", what="验证精度", active=rank == 0) as best_file:
        for epoch in range(1, args.epochs + 1):
            sampler.set_epoch(epoch)  # DDP：每轮换一种打乱方式（所有进程同时换）
            epoch_start = time.perf_counter()
            train_loss, train_acc = train(model, device, loader, optimizer, epoch, loss_fn, scheduler, guard,
                                          generator)
            val_loss, val_acc = test(model, device, val_loader, loss_fn)
            seconds = time.perf_counter() - epoch_start
            for key, value in zip(history, (train_loss, train_acc, val_loss, val_acc, seconds)):
                history[key].append(value)
            marker = ""
            if val_acc > best_val_acc:  # DDP：各进程的 val_acc 相同（加起来算的），所以做出同样的选择
                best_val_acc, best_epoch, best_state = val_acc, epoch, copy.deepcopy(model.module.state_dict())
                best_file.save(make_checkpoint(best_state, data, epoch, val_acc, settings))
                marker = "  ← 目前最好"
            if rank == 0:
                tqdm.write(f"第 {epoch:2d}/{args.epochs} 轮：训练损失 {train_loss:.4f} 精度 {train_acc:.4f}，"
                           f"验证损失 {val_loss:.4f} 精度 {val_acc:.4f}，{seconds:.0f} 秒{marker}")
    train_seconds = time.perf_counter() - train_start

    model.module.load_state_dict(best_state)  # DDP：model.module 是被 DDP 包起来的原模型
    test_loss, test_acc = test(model, device, test_loader, loss_fn)
    if rank == 0:
        print(f"用第 {best_epoch} 轮的模型（验证精度 {best_val_acc:.4f}）评估测试集")
        print(f"测试集 {len(data.y_test)} 张（各进程各评估一份）：损失 {test_loss:.4f}，精度 {test_acc:.4f}")
        best_file.publish()  # 发布为 output/ch08_cnn/fashion_cnn_ddp.pt，但不替换以前验证精度更高的模型
        seconds = time.perf_counter() - start
        print(f"完成：{world_size} 个进程 {args.epochs} 轮，测试精度 {test_acc:.4f}，总用时 {seconds:.0f} 秒")
        save_json("ch08_cnn/6_fashion_ddp.json", {
            "test_accuracy": test_acc,
            "test_loss": test_loss,
            "best_epoch": best_epoch,
            "best_val_accuracy": best_val_acc,
            "seconds": round(seconds, 1),
            "train_seconds": round(train_seconds, 1),
            "device": str(device),
            "threads": torch.get_num_threads(),
            "quick_mode": is_quick(),
            "backend": dist.get_backend(),
            "settings": settings,
            "history": history,
        })
    # DDP：等 0 号进程写完结果再一起关闭：先关闭的进程断开连接时，还在工作的进程里 gloo 的后台线程偶尔会异常终止（SIGABRT）
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    run(main)  # 发散、数据文件缺失、--device 不可用、等其他进程超时、Ctrl-C：每个出错的进程只打印一行“错误（进程 k）：……”
