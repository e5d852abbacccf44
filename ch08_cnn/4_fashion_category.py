"""用 PyTorch 训练卷积神经网络给 Fashion-MNIST 的衣物图片分类（10 类）。

    python ch08_cnn/4_fashion_category.py                      # 完整训练：2 核 CPU 上约 10 分钟，测试精度 ≥ 93%
    python ch08_cnn/4_fashion_category.py --epochs 3           # 少训练几轮，先看看流程
    python ch08_cnn/4_fashion_category.py --evaluate output/ch08_cnn/fashion_cnn.pt   # 只加载模型、重新评估
    DL_QUICK=1 python ch08_cnn/4_fashion_category.py           # 快速模式，几秒钟

模型见 fashion_cnn.py：VGG 风格的小网络（3×3 卷积 + 批归一化 + ReLU，最大池化，Dropout）。
训练：AdamW，OneCycle 学习率调度（先升后降），轻量数据增强（左右翻转、平移 ±2 像素）。
从 60,000 张训练图像中按固定种子留出 5,000 张做验证集，按验证精度挑出最好的一轮，测试集只用它评估一次。
模型文件（common/checkpoint.py 的 BestModelFile）：训练途中目前最好的一轮存在本次运行自己的文件里
（fashion_cnn.run-<时间>-<进程号>.pt），训练正常结束才发布为 output/ch08_cnn/fashion_cnn.pt；
那里已有验证精度更高的模型时保留它，本次的另存为 fashion_cnn.latest.pt。
模型文件里还存有标准化用的均值和标准差，--evaluate 只需要测试集。
输出：每轮的训练/验证损失与精度、学习曲线、混淆矩阵、各类别精度、分错的测试图片（标题为“真实 → 预测”）、
模型文件和结果 JSON。
"""
import copy
import time

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from tqdm import tqdm

from common.checkpoint import BestModelFile
from common.cli import run, script_parser
from common.device import get_device
from common.divergence import DivergenceGuard
from common.paths import relative_to_repo, save_json
from common.plotting import plt, save_figure, show
from common.quick import is_quick, pick
from common.seed import set_seed
from fashion_cnn import (CLASS_NAMES, FashionCNN, add_training_arguments, augment, check_val_size,
                         confusion_matrix, load_fashion_mnist, load_fashion_test, load_trained_model, make_checkpoint,
                         report_classes)

MODEL_FILE = "ch08_cnn/fashion_cnn.pt"
N_TRAIN = pick(real=None, quick=2000)  # 快速模式只训练 2,000 张、测试 1,000 张
N_TEST = pick(real=None, quick=1000)


def parse_args():
    parser = script_parser("Fashion-MNIST 卷积神经网络分类")
    add_training_arguments(parser)
    parser.add_argument("--evaluate", metavar="PATH", default=None,
                        help="不训练，只加载 PATH 处保存的模型文件并在测试集上评估")
    args = parser.parse_args()
    check_val_size(parser, args.val_size, N_TRAIN)
    return args


def train(model, device, loader, optimizer, epoch, loss_fn, scheduler, guard, generator, augment=augment):
    """训练一轮，返回这一轮的平均损失和训练精度（在增强后的图像上、训练模式下统计）。

    augment: 对一批图像做数据增强的函数（默认 fashion_cnn.augment）；传 None 时不增强（练习 8.6 用）。
    """
    model.train()
    total_loss, correct, count = 0.0, 0, 0
    for step, (x, y) in enumerate(tqdm(loader, desc=f"第 {epoch} 轮", leave=False, mininterval=2)):
        if augment is not None:
            x = augment(x, generator=generator)  # 在 CPU 上对整批做增强（每轮都不同），再搬到设备上
        x, y = x.to(device), y.to(device)
        pred = model(x)
        loss = loss_fn(pred, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()  # OneCycle 每一步都调整学习率
        loss_value = guard.check(loss.item(), where=f"第 {epoch} 轮第 {step + 1} 步")  # nan/inf 或暴涨时停下
        total_loss += loss_value * len(y)
        correct += (pred.argmax(dim=1) == y).sum().item()
        count += len(y)
    return total_loss / count, correct / count


def test(model, device, loader, loss_fn, predictions=None):
    """在 loader 的数据上评估，返回 (平均损失, 精度)。评估模式：BN 用滑动平均的统计量，Dropout 关闭。

    predictions: 传入一个列表时，把每一批预测的类别（CPU 上的张量）依次追加进去（画混淆矩阵用）。
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
    return total_loss / count, correct / count


def report_test(model, device, x_test, y_test, loss_fn):
    """在测试集上评估并打印损失、精度和各类别精度，返回 (损失, 精度, 预测, 混淆矩阵, 各类别精度)。"""
    predictions = []
    test_loader = DataLoader(TensorDataset(x_test, y_test), batch_size=1000, num_workers=0)
    test_loss, test_acc = test(model, device, test_loader, loss_fn, predictions)
    predictions = torch.cat(predictions)
    print(f"测试集 {len(y_test)} 张：损失 {test_loss:.4f}，精度 {test_acc:.4f}")
    matrix = confusion_matrix(y_test, predictions)
    per_class = report_classes(matrix)
    return test_loss, test_acc, predictions, matrix, per_class


def plot_curves(history, test_acc):
    epochs = np.arange(1, len(history["train_loss"]) + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(12, 4.5))
    ax_loss.plot(epochs, history["train_loss"], "o-", label="训练（增强后的图像）")
    ax_loss.plot(epochs, history["val_loss"], "s--", label="验证")
    ax_loss.set_xlabel("轮数（epoch）")
    ax_loss.set_ylabel("交叉熵误差")
    ax_loss.set_title("损失")
    ax_loss.legend()
    ax_acc.plot(epochs, history["train_acc"], "o-", label="训练（增强后的图像）")
    ax_acc.plot(epochs, history["val_acc"], "s--", label="验证")
    ax_acc.axhline(test_acc, color="tab:red", linestyle=":", label=f"测试（最好的一轮）{test_acc:.4f}")
    ax_acc.set_xlabel("轮数（epoch）")
    ax_acc.set_ylabel("精度")
    ax_acc.set_title("精度")
    ax_acc.legend()
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
    fig.suptitle("Fashion-MNIST 卷积神经网络的学习曲线")
    fig.tight_layout()
    save_figure(fig, "ch08_cnn/fashion_learning_curves.png")


def plot_confusion(matrix):
    fig, ax = plt.subplots(figsize=(8, 7))
    image = ax.imshow(matrix, cmap="Blues")
    for i in range(10):
        for j in range(10):
            ax.text(j, i, matrix[i, j], ha="center", va="center", fontsize=8,
                    color="white" if matrix[i, j] > matrix.max() / 2 else "black")
    ax.set_xticks(range(10), CLASS_NAMES, rotation=45, ha="right")
    ax.set_yticks(range(10), CLASS_NAMES)
    ax.set_xlabel("预测类别")
    ax.set_ylabel("真实类别")
    ax.set_title("测试集上的混淆矩阵")
    fig.colorbar(image, ax=ax, fraction=0.046)
    fig.tight_layout()
    save_figure(fig, "ch08_cnn/fashion_confusion_matrix.png")


def plot_mistakes(x_test, y_test, predictions, count=24):
    wrong = torch.nonzero(predictions != y_test).flatten()[:count]
    if len(wrong) == 0:
        print("测试集上没有分错的图片")
        return
    cols = 6
    rows = int(np.ceil(len(wrong) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(2.2 * cols, 2.5 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, index in zip(axes.flat, wrong.tolist()):
        ax.imshow(x_test[index, 0], cmap="gray_r")
        ax.set_title(f"{CLASS_NAMES[y_test[index]]} → {CLASS_NAMES[predictions[index]]}", fontsize=9)
    fig.suptitle("分错的测试图片（真实 → 预测）")
    fig.tight_layout()
    save_figure(fig, "ch08_cnn/fashion_mistakes.png")


def evaluate_saved_model(path, device, loss_fn, start):
    """--evaluate：读模型文件（含标准化的均值和标准差），只读测试集，打印测试结果。"""
    model, checkpoint = load_trained_model(path, device)
    print(f"已加载 {relative_to_repo(path)}（第 {checkpoint['epoch']} 轮，验证精度 {checkpoint['best_val_acc']:.4f}）")
    x_test, y_test = load_fashion_test(checkpoint["mean"], checkpoint["std"], n_test=N_TEST)
    report_test(model, device, x_test, y_test, loss_fn)
    print(f"评估完成，用时 {time.perf_counter() - start:.1f} 秒")


def main():
    args = parse_args()
    start = time.perf_counter()
    device = get_device(args.device, verbose=True)  # 命令行给了 --device 时用它，否则自动选择
    set_seed(args.seed)
    loss_fn = nn.CrossEntropyLoss()
    if args.evaluate:
        evaluate_saved_model(args.evaluate, device, loss_fn, start)
        return

    data = load_fashion_mnist(val_size=args.val_size, seed=args.seed, n_train=N_TRAIN, n_test=N_TEST)
    print(f"训练 {tuple(data.x_train.shape)}，验证 {tuple(data.x_val.shape)}，测试 {tuple(data.x_test.shape)}"
          f"（像素均值 {data.mean:.4f}、标准差 {data.std:.4f}，来自训练部分）")
    model = FashionCNN().to(device)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"模型参数 {n_params:,} 个")

    generator = torch.Generator().manual_seed(args.seed)  # 打乱顺序和数据增强都用它，可复现
    loader = DataLoader(TensorDataset(data.x_train, data.y_train), batch_size=args.batch_size, shuffle=True,
                        generator=generator, num_workers=0)
    val_loader = DataLoader(TensorDataset(data.x_val, data.y_val), batch_size=1000, num_workers=0)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, epochs=args.epochs,
                                                    steps_per_epoch=len(loader))
    guard = DivergenceGuard()  # 损失变成 nan/inf，或涨到开始时的 10 倍以上，就停下
    settings = {"epochs": args.epochs, "batch_size": args.batch_size, "max_lr": args.lr,
                "weight_decay": args.weight_decay, "optimizer": "AdamW", "schedule": "OneCycleLR",
                "augmentation": "左右翻转 + 平移 ±2 像素", "n_train": len(data.y_train), "n_val": len(data.y_val),
                "n_test": len(data.y_test), "parameters": n_params, "seed": args.seed}

    history = {"train_loss": [], "train_acc": [], "val_loss": [], "val_acc": [], "epoch_seconds": []}
    best_val_acc, best_epoch, best_state = -1.0, 0, None
    train_start = time.perf_counter()
    # 训练途中只写本次运行自己的模型文件；被 Ctrl-C 或发散打断时，它说明以前发布的模型没有动
    with BestModelFile(MODEL_FILE, score_key="best_val_acc", what="验证精度") as best_file:
        for epoch in range(1, args.epochs + 1):
            epoch_start = time.perf_counter()
            train_loss, train_acc = train(model, device, loader, optimizer, epoch, loss_fn, scheduler, guard,
                                          generator)
            val_loss, val_acc = test(model, device, val_loader, loss_fn)
            seconds = time.perf_counter() - epoch_start
            for key, value in zip(history, (train_loss, train_acc, val_loss, val_acc, seconds)):
                history[key].append(value)
            marker = ""
            if val_acc > best_val_acc:  # 只记住验证精度最好的一轮（测试集不参与挑选）
                best_val_acc, best_epoch, best_state = val_acc, epoch, copy.deepcopy(model.state_dict())
                best_file.save(make_checkpoint(best_state, data, epoch, val_acc, settings))
                marker = "  ← 目前最好"
            tqdm.write(f"第 {epoch:2d}/{args.epochs} 轮：训练损失 {train_loss:.4f} 精度 {train_acc:.4f}，"
                       f"验证损失 {val_loss:.4f} 精度 {val_acc:.4f}，{seconds:.0f} 秒{marker}")
    train_seconds = time.perf_counter() - train_start

    model.load_state_dict(best_state)
    print(f"用第 {best_epoch} 轮的模型（验证精度 {best_val_acc:.4f}）评估测试集")
    test_loss, test_acc, predictions, matrix, per_class = report_test(model, device, data.x_test, data.y_test,
                                                                       loss_fn)
    best_file.publish()  # 发布为 output/ch08_cnn/fashion_cnn.pt，但不替换以前验证精度更高的模型
    seconds = time.perf_counter() - start
    print(f"完成：{args.epochs} 轮，测试精度 {test_acc:.4f}，总用时 {seconds:.0f} 秒"
          f"（{seconds / 60:.1f} 分钟，设备 {device}，{torch.get_num_threads()} 个线程）")

    save_json("ch08_cnn/4_fashion_category.json", {
        "test_accuracy": test_acc,
        "test_loss": test_loss,
        "best_epoch": best_epoch,
        "best_val_accuracy": best_val_acc,
        "per_class_accuracy": per_class,
        "confusion_matrix": matrix.tolist(),
        "seconds": round(seconds, 1),
        "train_seconds": round(train_seconds, 1),
        "device": str(device),
        "threads": torch.get_num_threads(),
        "quick_mode": is_quick(),
        "settings": settings,
        "history": history,
    })
    plot_curves(history, test_acc)
    plot_confusion(matrix)
    plot_mistakes(data.x_test, data.y_test, predictions)
    show()


if __name__ == "__main__":
    run(main)  # 发散、模型文件读不了、数据文件缺失、--device 不可用、Ctrl-C：只打印一行“错误：……”
