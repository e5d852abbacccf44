"""数据并行：把 4_fashion_category.py 的训练分给多个进程（DistributedDataParallel）。

    torchrun --nproc_per_node=2 ch08_cnn/6_fashion_ddp.py            # 本机 2 个进程（有 2 块 GPU 时每个进程一块）
    torchrun --nproc_per_node=2 ch08_cnn/6_fashion_ddp.py --epochs 1 # 少训练几轮
    python ch08_cnn/6_fashion_ddp.py                                  # 不用 torchrun：只有 1 个进程，流程相同
    DL_QUICK=1 torchrun --nproc_per_node=2 ch08_cnn/6_fashion_ddp.py  # 快速模式，几秒钟

每个进程（rank）运行同一份脚本，各自持有一份完整的模型：
1. DistributedSampler 把训练集切成互不重叠的 N 份，每个进程只看自己那一份；
2. 每步反向传播时，DDP 把各进程的梯度求平均（all-reduce），所以各进程的更新完全相同，模型始终一致；
3. 验证时每个进程评估自己那份验证集，再把“答对几张、共几张”加起来（all-reduce）；
4. 只有 0 号进程打印日志、保存模型和结果。
通信后端：CUDA 上用 nccl，CPU 上用 gloo。--batch-size 是每个进程的批量，全局批量 = 它 × 进程数。
结果 JSON 里记录每个进程第 1 轮看到的样本编号和最终参数的 SHA-256，用来检验上面第 1、2 点（tests/test_ch08.py）。
"""
import argparse
import hashlib
import os
import socket
import time

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset
from tqdm import tqdm

from common.device import get_device
from common.paths import output_dir, output_path, relative_to_repo, save_json
from common.quick import is_quick, pick
from common.seed import set_seed
from common.trainer import check_finite_loss
from fashion_cnn import FashionCNN, augment, load_fashion_mnist


def parse_args():
    parser = argparse.ArgumentParser(description="Fashion-MNIST 卷积神经网络的数据并行训练（torchrun 启动）")
    parser.add_argument("--epochs", type=int, default=pick(real=15, quick=1), help="训练轮数")
    parser.add_argument("--batch-size", type=int, default=128, help="每个进程的小批量大小")
    parser.add_argument("--lr", type=float, default=3e-3, help="OneCycle 的最大学习率")
    parser.add_argument("--weight-decay", type=float, default=1e-2, help="AdamW 的权重衰减")
    parser.add_argument("--device", default=None, help="cpu / cuda；默认有 CUDA 用 CUDA，否则 CPU")
    parser.add_argument("--seed", type=int, default=42, help="随机种子（各进程相同，保证初始模型一致）")
    return parser.parse_args()


def free_port():
    """向操作系统要一个空闲端口（不用 torchrun、单进程运行时用）。"""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def setup(args):
    """加入进程组，返回 (rank, world_size, device)。

    torchrun 会为每个进程设置 RANK、WORLD_SIZE、LOCAL_RANK、MASTER_ADDR、MASTER_PORT；
    直接 python 运行时这些都没有，就当作只有 1 个进程的进程组，代码路径完全相同。
    """
    if "RANK" not in os.environ:
        os.environ.update(RANK="0", WORLD_SIZE="1", LOCAL_RANK="0",
                          MASTER_ADDR="127.0.0.1", MASTER_PORT=str(free_port()))
    rank, world_size = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    local_rank = int(os.environ["LOCAL_RANK"])
    device = get_device(args.device)
    if device.type == "cuda":
        device = torch.device("cuda", local_rank)  # 同一台机器上的第 local_rank 块 GPU
        torch.cuda.set_device(device)
        backend = "nccl"
    else:
        device = torch.device("cpu")  # MPS 不支持多进程通信，退回 CPU
        backend = "gloo"
    dist.init_process_group(backend=backend)
    if rank == 0:
        print(f"使用设备：{device}，进程数 {world_size}，通信后端 {backend}")
    return rank, world_size, device


def evaluate(model, device, loader, loss_fn):
    """各进程评估自己那一份，再把损失总和、答对张数、总张数加起来。返回 (平均损失, 精度)。"""
    model.eval()
    totals = torch.zeros(3, dtype=torch.float64, device=device)  # [损失总和, 答对张数, 张数]
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            pred = model(x)
            totals[0] += loss_fn(pred, y).item() * len(y)
            totals[1] += (pred.argmax(dim=1) == y).sum().item()
            totals[2] += len(y)
    dist.all_reduce(totals)  # 默认求和：所有进程得到同样的总数
    return (totals[0] / totals[2]).item(), (totals[1] / totals[2]).item()


def parameter_digest(model):
    """全部参数按顺序拼起来的 SHA-256：两个进程的模型逐位相同时才相等。"""
    digest = hashlib.sha256()
    for tensor in model.parameters():
        digest.update(tensor.detach().cpu().numpy().tobytes())
    return digest.hexdigest()


def main():
    args = parse_args()
    start = time.perf_counter()
    rank, world_size, device = setup(args)
    is_main = rank == 0
    if is_main:
        output_dir()  # 先确认输出目录可写
    set_seed(args.seed)  # 各进程同一个种子：初始参数相同（DDP 创建时还会从 0 号进程广播一次）

    x_train, y_train, x_val, y_val, x_test, y_test = load_fashion_mnist(
        seed=args.seed, val_size=pick(real=5000, quick=500),
        n_train=pick(real=None, quick=2000), n_test=pick(real=None, quick=1000))
    train_set = TensorDataset(x_train, y_train)
    # 每个进程只取自己那份；shuffle 的顺序由 seed + 轮数决定，各进程算出的是同一个排列的不同片段
    sampler = DistributedSampler(train_set, num_replicas=world_size, rank=rank, shuffle=True, seed=args.seed)
    loader = DataLoader(train_set, batch_size=args.batch_size, sampler=sampler, num_workers=0)
    val_loader = DataLoader(TensorDataset(x_val, y_val), batch_size=1000, num_workers=0,
                            sampler=DistributedSampler(TensorDataset(x_val, y_val), world_size, rank, shuffle=False))
    test_loader = DataLoader(TensorDataset(x_test, y_test), batch_size=1000, num_workers=0,
                             sampler=DistributedSampler(TensorDataset(x_test, y_test), world_size, rank, shuffle=False))

    model = FashionCNN().to(device)
    if device.type == "cuda":
        model = nn.SyncBatchNorm.convert_sync_batchnorm(model)  # 多 GPU 时批归一化用所有进程的整批统计量
    model = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, epochs=args.epochs,
                                                    steps_per_epoch=len(loader))
    augment_generator = torch.Generator().manual_seed(args.seed + rank)  # 各进程的增强互不相同
    if is_main:
        print(f"训练 {len(train_set)} 张，每个进程每轮 {len(sampler)} 张；"
              f"全局批量 {args.batch_size} × {world_size} = {args.batch_size * world_size}")

    first_epoch_indices = []  # 第 1 轮本进程分到的样本编号
    best_val_acc, best_epoch, history = -1.0, 0, []
    model_path = output_path("ch08_cnn/fashion_cnn_ddp.pt")
    for epoch in range(1, args.epochs + 1):
        sampler.set_epoch(epoch)  # 每轮换一种打乱方式（所有进程同时换）
        if epoch == 1:
            first_epoch_indices = list(sampler)
        epoch_start = time.perf_counter()
        model.train()
        for step, (x, y) in enumerate(tqdm(loader, desc=f"第 {epoch} 轮", leave=False, mininterval=2,
                                           disable=not is_main)):
            x = augment(x, generator=augment_generator)
            x, y = x.to(device), y.to(device)
            pred = model(x)
            loss = loss_fn(pred, y)
            optimizer.zero_grad()
            loss.backward()  # DDP 在这里把各进程的梯度求平均
            optimizer.step()
            scheduler.step()
            check_finite_loss(loss.item(), where=f"进程 {rank} 第 {epoch} 轮第 {step + 1} 步")
        val_loss, val_acc = evaluate(model, device, val_loader, loss_fn)
        seconds = time.perf_counter() - epoch_start
        history.append({"epoch": epoch, "val_loss": val_loss, "val_acc": val_acc, "seconds": seconds})
        if is_main:
            marker = ""
            if val_acc > best_val_acc:
                best_val_acc, best_epoch = val_acc, epoch
                torch.save(model.module.state_dict(), model_path)  # model.module 是被 DDP 包起来的原模型
                marker = "  ← 目前最好，已保存"
            tqdm.write(f"第 {epoch:2d}/{args.epochs} 轮：验证损失 {val_loss:.4f} 精度 {val_acc:.4f}，"
                       f"{seconds:.0f} 秒{marker}")

    # 各进程都检查：参数是否逐位相同、看到的样本是否互不重叠（收集到每个进程，0 号进程写进结果）
    record = {"rank": rank, "param_sha256": parameter_digest(model.module),
              "first_epoch_indices": [int(i) for i in first_epoch_indices]}
    records = [None] * world_size
    dist.all_gather_object(records, record)
    test_loss, test_acc = evaluate(model, device, test_loader, loss_fn)  # 最后一轮的模型
    wall_seconds = time.perf_counter() - start
    if is_main:
        same = len({r["param_sha256"] for r in records}) == 1
        seen = [set(r["first_epoch_indices"]) for r in records]
        overlap = sum(len(a & b) for i, a in enumerate(seen) for b in seen[i + 1:])
        print(f"各进程最终参数{'完全相同' if same else '不同！'}；第 1 轮各进程样本重叠 {overlap} 张"
              f"（DistributedSampler 在张数除不尽时会补几张，使各进程一样多）")
        print(f"最好的一轮：第 {best_epoch} 轮（验证精度 {best_val_acc:.4f}），模型已保存：{relative_to_repo(model_path)}")
        print(f"完成：{world_size} 个进程 {args.epochs} 轮，最后一轮的测试精度 {test_acc:.4f}，"
              f"总用时 {wall_seconds:.0f} 秒")
        save_json("ch08_cnn/6_fashion_ddp.json", {
            "world_size": world_size, "device": str(device), "backend": dist.get_backend(),
            "test_accuracy_last_epoch": test_acc, "test_loss_last_epoch": test_loss,
            "best_epoch": best_epoch, "best_val_accuracy": best_val_acc,
            "wall_seconds": round(wall_seconds, 1), "quick_mode": is_quick(),
            "settings": {"epochs": args.epochs, "batch_size_per_process": args.batch_size,
                         "global_batch_size": args.batch_size * world_size, "max_lr": args.lr,
                         "weight_decay": args.weight_decay, "n_train": len(train_set), "seed": args.seed},
            "history": history,
            "ranks": records,
        })
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
