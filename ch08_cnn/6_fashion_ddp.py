"""数据并行：把 4_fashion_category.py 的训练分给多个进程（DistributedDataParallel）。

    torchrun --nproc_per_node=2 ch08_cnn/6_fashion_ddp.py            # 本机 2 个进程（有 2 块 GPU 时每个进程一块）
    torchrun --nproc_per_node=2 ch08_cnn/6_fashion_ddp.py --epochs 1 # 少训练几轮
    python ch08_cnn/6_fashion_ddp.py                                  # 不用 torchrun：只有 1 个进程，流程相同
    DL_QUICK=1 torchrun --nproc_per_node=2 ch08_cnn/6_fashion_ddp.py  # 快速模式，几秒钟

与 4 号脚本逐段对照着读：选项、数据、模型、每步的五行、按验证精度挑最好的一轮、用它评估测试集、
模型文件的保存与发布都相同，只多了下面几处（代码里标着“DDP：”）：
1. 每个进程（rank）运行同一份脚本，各自持有一份完整的模型；开头加入进程组（setup），结尾退出；
2. DistributedSampler 把训练集切成互不重叠的 N 份，每个进程只看自己那一份；
3. 每步反向传播时，DDP 把各进程的梯度求平均（all-reduce），所以各进程的更新完全相同，模型始终一致；
4. 训练、验证和测试的“损失总和、答对几张、共几张”在各进程之间加起来（all-reduce），所有进程看到同样的数；
5. 只有 0 号进程打印日志、保存模型和结果。
通信后端：CUDA 上用 nccl，CPU 上用 gloo。--batch-size 是每个进程的批量，全局批量 = 它 × 进程数。
某个进程停住时，其他进程在集合通信里最多等 --timeout 秒就报错退出，而不是一直等下去。
结果 JSON 记录各进程最终参数是否逐位相同（SHA-256）和第 1 轮各进程样本的重叠张数；
加 --verify 时还记录每个进程的参数摘要和第 1 轮看到的全部样本编号（tests/test_ch08.py 用它检验上面第 2、3 点）。
"""
import argparse
import hashlib
import os
import socket
import sys
import time
from datetime import timedelta

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, Subset, TensorDataset
from tqdm import tqdm

from common.checkpoint import CheckpointError, save_checkpoint
from common.cli import positive_float
from common.device import get_device
from common.divergence import DivergenceGuard, TrainingDivergedError
from common.paths import output_dir, relative_to_repo, save_json
from common.quick import is_quick, pick
from common.seed import set_seed
from fashion_cnn import (FashionCNN, add_training_arguments, augment, check_val_size, copy_state,
                         load_fashion_mnist, make_checkpoint, publish_model, run_file)

MODEL_FILE = "ch08_cnn/fashion_cnn_ddp.pt"
N_TRAIN = pick(real=None, quick=2000)  # 快速模式只训练 2,000 张、测试 1,000 张
N_TEST = pick(real=None, quick=1000)


def parse_args():
    parser = argparse.ArgumentParser(description="Fashion-MNIST 卷积神经网络的数据并行训练（torchrun 启动）",
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    add_training_arguments(parser, batch_size_help="每个进程的小批量大小（全局批量 = 它 × 进程数）")
    parser.add_argument("--timeout", type=positive_float, default=300,
                        help="集合通信（all-reduce 等）最多等待的秒数：某个进程停住时，其他进程等这么久就报错退出")
    parser.add_argument("--verify", action="store_true",
                        help="在结果 JSON 里记录每个进程的参数摘要和第 1 轮看到的全部样本编号（测试用）")
    args = parser.parse_args()
    check_val_size(parser, args.val_size, N_TRAIN)
    return args


def free_port():
    """向操作系统要一个空闲端口（不用 torchrun、单进程运行时用）。"""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def setup(args):
    """DDP：加入进程组，返回 (rank, world_size, device)。

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
    # timeout：集合通信等不到其他进程时最多等这么久（PyTorch 默认 10～30 分钟，停住的进程会让别人白等）
    dist.init_process_group(backend=backend, timeout=timedelta(seconds=args.timeout))
    if rank == 0:
        print(f"使用设备：{device}（0 号进程），进程数 {world_size}，通信后端 {backend}")
    return rank, world_size, device


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


def train(model, device, loader, optimizer, epoch, loss_fn, scheduler, guard, generator, rank):
    """训练一轮，返回所有进程合起来的平均损失和训练精度（在增强后的图像上、训练模式下统计）。"""
    model.train()
    total_loss, correct, count = 0.0, 0, 0
    for step, (x, y) in enumerate(tqdm(loader, desc=f"第 {epoch} 轮", leave=False, mininterval=2,
                                       disable=rank != 0)):
        x = augment(x, generator=generator)
        x, y = x.to(device), y.to(device)
        pred = model(x)
        loss = loss_fn(pred, y)
        optimizer.zero_grad()
        loss.backward()  # DDP：在这里把各进程的梯度求平均
        optimizer.step()
        scheduler.step()
        loss_value = guard.check(loss.item(), where=f"进程 {rank} 第 {epoch} 轮第 {step + 1} 步")
        total_loss += loss_value * len(y)
        correct += (pred.argmax(dim=1) == y).sum().item()
        count += len(y)
    total_loss, correct, count = all_reduce_sums(total_loss, correct, count, device=device)  # DDP
    return total_loss / count, correct / count


def test(model, device, loader, loss_fn):
    """各进程评估自己那一份，再把损失总和、答对张数、总张数加起来，返回 (平均损失, 精度)。"""
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            pred = model(x)
            total_loss += loss_fn(pred, y).item() * len(y)
            correct += (pred.argmax(dim=1) == y).sum().item()
            count += len(y)
    total_loss, correct, count = all_reduce_sums(total_loss, correct, count, device=device)  # DDP
    return total_loss / count, correct / count


def parameter_digest(model):
    """全部参数按顺序拼起来的 SHA-256：两个进程的模型逐位相同时才相等。"""
    digest = hashlib.sha256()
    for tensor in model.parameters():
        digest.update(tensor.detach().cpu().numpy().tobytes())
    return digest.hexdigest()


def check_ranks(model, first_epoch_indices, rank, world_size, verify):
    """DDP：各进程的最终参数是否逐位相同、第 1 轮看到的样本重叠了几张。返回写进结果 JSON 的字典。"""
    record = {"rank": rank, "param_sha256": parameter_digest(model),
              "first_epoch_indices": [int(i) for i in first_epoch_indices]}
    records = [None] * world_size
    dist.all_gather_object(records, record)
    digests = {r["param_sha256"] for r in records}
    seen = [set(r["first_epoch_indices"]) for r in records]
    overlap = sum(len(a & b) for i, a in enumerate(seen) for b in seen[i + 1:])
    result = {"params_identical": len(digests) == 1,
              "param_sha256": records[0]["param_sha256"],
              "first_epoch_overlap": overlap,
              "first_epoch_seen": len(set().union(*seen))}
    if verify:
        result["ranks"] = records
    return result


def main():
    args = parse_args()
    start = time.perf_counter()
    output_dir()  # 先确认输出目录可写（每个进程都查：多台机器时每台都要能写）
    rank, world_size, device = setup(args)  # DDP：代替 4 号脚本里的 get_device
    is_main = rank == 0
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
    val_loader = DataLoader(evaluation_shard(TensorDataset(data.x_val, data.y_val), rank, world_size),
                            batch_size=1000, num_workers=0)
    test_loader = DataLoader(evaluation_shard(TensorDataset(data.x_test, data.y_test), rank, world_size),
                             batch_size=1000, num_workers=0)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, epochs=args.epochs,
                                                    steps_per_epoch=len(loader))
    guard = DivergenceGuard()
    settings = {"epochs": args.epochs, "batch_size_per_process": args.batch_size,
                "global_batch_size": args.batch_size * world_size, "max_lr": args.lr,
                "weight_decay": args.weight_decay, "optimizer": "AdamW", "schedule": "OneCycleLR",
                "augmentation": "左右翻转 + 平移 ±2 像素", "n_train": len(data.y_train), "n_val": len(data.y_val),
                "n_test": len(data.y_test), "parameters": n_params, "seed": args.seed, "world_size": world_size}
    if is_main:
        print(f"训练 {len(train_set)} 张，每个进程每轮 {len(sampler)} 张；验证 {len(data.y_val)} 张，"
              f"测试 {len(data.y_test)} 张；全局批量 {args.batch_size} × {world_size} = {args.batch_size * world_size}")

    history = {"train_loss": [], "train_acc": [], "val_loss": [], "val_acc": [], "epoch_seconds": []}
    best_val_acc, best_epoch, best_state = -1.0, 0, None
    run_path = run_file(MODEL_FILE) if is_main else None
    first_epoch_indices = []  # DDP：第 1 轮本进程分到的样本编号
    train_start = time.perf_counter()
    try:
        for epoch in range(1, args.epochs + 1):
            sampler.set_epoch(epoch)  # DDP：每轮换一种打乱方式（所有进程同时换）
            if epoch == 1:
                first_epoch_indices = list(sampler)
            epoch_start = time.perf_counter()
            train_loss, train_acc = train(model, device, loader, optimizer, epoch, loss_fn, scheduler, guard,
                                          generator, rank)
            val_loss, val_acc = test(model, device, val_loader, loss_fn)
            seconds = time.perf_counter() - epoch_start
            for key, value in zip(history, (train_loss, train_acc, val_loss, val_acc, seconds)):
                history[key].append(value)
            marker = ""
            if val_acc > best_val_acc:  # 各进程的 val_acc 相同（加起来算的），所以做出同样的选择
                best_val_acc, best_epoch = val_acc, epoch
                best_state = copy_state(model.module)  # model.module 是被 DDP 包起来的原模型
                if is_main:
                    save_checkpoint(make_checkpoint(best_state, data, epoch, val_acc, settings), run_path)
                marker = "  ← 目前最好"
            if is_main:
                tqdm.write(f"第 {epoch:2d}/{args.epochs} 轮：训练损失 {train_loss:.4f} 精度 {train_acc:.4f}，"
                           f"验证损失 {val_loss:.4f} 精度 {val_acc:.4f}，{seconds:.0f} 秒{marker}")
    except KeyboardInterrupt:
        if is_main:
            kept = (f"；本次到第 {best_epoch} 轮为止最好的模型在 {relative_to_repo(run_path)}"
                    if run_path.exists() else "；本次没有保存模型")
            sys.exit(f"训练被中断（Ctrl-C）。以前发布的 {MODEL_FILE}（如果有）没有改动{kept}")
        sys.exit(1)
    except TrainingDivergedError:
        if is_main:
            run_path.unlink(missing_ok=True)
            print(f"训练发散，停止。以前发布的 {MODEL_FILE}（如果有）没有改动；本次没有保存模型")
        raise
    train_seconds = time.perf_counter() - train_start

    check = check_ranks(model.module, first_epoch_indices, rank, world_size, args.verify)
    model.module.load_state_dict(best_state)
    test_loss, test_acc = test(model, device, test_loader, loss_fn)
    test_count = int(all_reduce_sums(len(test_loader.dataset), device=device)[0])  # 各进程评估的张数之和
    seconds = time.perf_counter() - start
    if is_main:
        print(f"各进程最终参数{'完全相同' if check['params_identical'] else '不同！'}；第 1 轮各进程样本重叠 "
              f"{check['first_epoch_overlap']} 张（DistributedSampler 在张数除不尽时会补几张，使各进程一样多）")
        print(f"用第 {best_epoch} 轮的模型（验证精度 {best_val_acc:.4f}）评估测试集")
        print(f"测试集 {test_count} 张（各进程合计）：损失 {test_loss:.4f}，精度 {test_acc:.4f}")
        _, message = publish_model(run_path, MODEL_FILE)
        print(message)
        print(f"完成：{world_size} 个进程 {args.epochs} 轮，测试精度 {test_acc:.4f}，总用时 {seconds:.0f} 秒")
        save_json("ch08_cnn/6_fashion_ddp.json", {
            "test_accuracy": test_acc,
            "test_loss": test_loss,
            "test_count": test_count,
            "best_epoch": best_epoch,
            "best_val_accuracy": best_val_acc,
            "seconds": round(seconds, 1),
            "train_seconds": round(train_seconds, 1),
            "device": str(device),
            "threads": torch.get_num_threads(),
            "quick_mode": is_quick(),
            "world_size": world_size,
            "backend": dist.get_backend(),
            **check,
            "settings": settings,
            "history": history,
        })
    # 等 0 号进程写完结果再一起关闭：先关闭的进程断开连接时，还在工作的进程里 gloo 的后台线程偶尔会异常终止（SIGABRT）
    dist.barrier()
    dist.destroy_process_group()


def explain(error):
    """出错时打印的一行说明。gloo/nccl 的通信错误是带着 C++ 源文件位置的 RuntimeError，换成读者看得懂的话。"""
    text = str(error).strip()
    first_line = text.splitlines()[0] if text else type(error).__name__
    if isinstance(error, RuntimeError) and "timed out" in text.lower():
        return ("等其他进程超过了 --timeout 规定的时间：某个进程停住了或已经退出，真正的原因看那个进程的输出；"
                f"确实需要多等时把 --timeout 调大（{first_line[-120:]}）")
    if isinstance(error, RuntimeError) and ("closed by peer" in text or "reset by peer" in text):
        return f"另一个进程已经退出（连接被关闭），真正的原因看那个进程的输出（{first_line[-120:]}）"
    return first_line


if __name__ == "__main__":
    try:
        main()
    except (TrainingDivergedError, CheckpointError, OSError, ValueError, RuntimeError) as error:
        # 发散、数据文件缺失或损坏、输出目录不可写、--device 不可用、等其他进程超时（RuntimeError）：
        # 每个出错的进程在 stderr 的最后打印一行说明（带进程号），不打印调用栈，以非零退出码结束
        print(f"错误（进程 {os.environ.get('RANK', '0')}）：{explain(error)}", file=sys.stderr, flush=True)
        sys.exit(1)
