"""用 PyTorch 训练卷积神经网络给 Fashion-MNIST 的衣物图片分类（10 类）。

    python ch08_cnn/4_fashion_category.py                      # 完整训练：2 核 CPU 上约 10 分钟，测试精度 ≥ 93%
    python ch08_cnn/4_fashion_category.py --epochs 3           # 少训练几轮，先看看流程
    python ch08_cnn/4_fashion_category.py --evaluate output/ch08_cnn/fashion_cnn.pt   # 只加载模型、重新评估
    DL_QUICK=1 python ch08_cnn/4_fashion_category.py           # 快速模式，几秒钟

模型见 fashion_cnn.py：VGG 风格的小网络（3×3 卷积 + 批归一化 + ReLU，最大池化，Dropout）。
训练：AdamW，OneCycle 学习率调度（先升后降），轻量数据增强（左右翻转、平移 ±2 像素）。
从 60,000 张训练图像中按固定种子留出 5,000 张做验证集，按验证精度保存最好的一轮；
测试集只在最后评估一次。输出：每轮的训练/验证损失与精度、学习曲线、混淆矩阵、各类别精度、
分错的测试图片（标题为“真实 → 预测”），最好模型的 state_dict 和结果 JSON。
"""
import argparse
import time

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from tqdm import tqdm

from common.device import get_device
from common.paths import output_dir, output_path, relative_to_repo, save_json
from common.plotting import plt, save_figure, show
from common.quick import is_quick, pick
from common.seed import set_seed
from common.trainer import check_finite_loss
from fashion_cnn import CLASS_NAMES, FashionCNN, augment, load_fashion_mnist

MODEL_FILE = "ch08_cnn/fashion_cnn.pt"


def parse_args():
    parser = argparse.ArgumentParser(description="Fashion-MNIST 卷积神经网络分类")
    parser.add_argument("--epochs", type=int, default=pick(real=15, quick=1), help="训练轮数")
    parser.add_argument("--batch-size", type=int, default=128, help="小批量大小")
    parser.add_argument("--lr", type=float, default=3e-3, help="OneCycle 的最大学习率")
    parser.add_argument("--weight-decay", type=float, default=1e-2, help="AdamW 的权重衰减")
    parser.add_argument("--val-size", type=int, default=5000, help="从训练图像中留作验证集的张数")
    parser.add_argument("--device", default=None, help="cpu / cuda / mps；默认自动选择")
    parser.add_argument("--seed", type=int, default=42, help="随机种子")
    parser.add_argument("--evaluate", metavar="PATH", default=None,
                        help="不训练，只加载 PATH 处保存的 state_dict 并在测试集上评估")
    return parser.parse_args()


def train_one_epoch(model, device, loader, loss_fn, optimizer, scheduler, epoch, generator):
    """训练一轮，返回这一轮的平均损失和训练精度（在增强后的图像上、训练模式下统计）。"""
    model.train()
    total_loss, correct, count = 0.0, 0, 0
    for step, (x, y) in enumerate(tqdm(loader, desc=f"第 {epoch} 轮", leave=False, mininterval=2)):
        x = augment(x, generator=generator)  # 在 CPU 上对整批做增强（每轮都不同），再搬到设备上
        x, y = x.to(device), y.to(device)
        pred = model(x)
        loss = loss_fn(pred, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()  # OneCycle 每一步都调整学习率
        loss_value = check_finite_loss(loss.item(), where=f"第 {epoch} 轮第 {step + 1} 步")
        total_loss += loss_value * len(y)
        correct += (pred.argmax(dim=1) == y).sum().item()
        count += len(y)
    return total_loss / count, correct / count


def evaluate(model, device, x, y, loss_fn, batch_size=1000):
    """在 (x, y) 上评估，返回 (平均损失, 精度, 全部预测)。评估模式：BN 用滑动平均的统计量，Dropout 关闭。"""
    model.eval()
    total_loss, predictions = 0.0, []
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            xb, yb = x[start:start + batch_size].to(device), y[start:start + batch_size].to(device)
            pred = model(xb)
            total_loss += loss_fn(pred, yb).item() * len(yb)
            predictions.append(pred.argmax(dim=1).cpu())
    predictions = torch.cat(predictions)
    return total_loss / len(x), (predictions == y).float().mean().item(), predictions


def confusion_matrix(y_true, y_pred, num_classes=10):
    """matrix[i, j] = 真实类别为 i、被预测为 j 的张数。"""
    matrix = torch.zeros(num_classes, num_classes, dtype=torch.int64)
    matrix.index_put_((y_true, y_pred), torch.ones_like(y_true), accumulate=True)
    return matrix.numpy()


def report_test(model, device, x_test, y_test, loss_fn):
    """打印测试损失、精度和各类别精度，返回 (损失, 精度, 预测, 混淆矩阵)。"""
    test_loss, test_acc, predictions = evaluate(model, device, x_test, y_test, loss_fn)
    matrix = confusion_matrix(y_test, predictions)
    per_class = matrix.diagonal() / matrix.sum(axis=1)
    print(f"测试集 {len(y_test)} 张：损失 {test_loss:.4f}，精度 {test_acc:.4f}")
    print("各类别精度：" + "，".join(f"{name} {acc:.3f}" for name, acc in zip(CLASS_NAMES, per_class)))
    return test_loss, test_acc, predictions, matrix


def plot_curves(history, test_acc):
    epochs = np.arange(1, len(history["train_loss"]) + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(12, 4.5))
    ax_loss.plot(epochs, history["train_loss"], "o-", label="训练（增强后的图像）")
    ax_loss.plot(epochs, history["val_loss"], "s--", label="验证")
    ax_loss.set_xlabel("轮数（epoch）")
    ax_loss.set_ylabel("交叉熵损失")
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


def main():
    args = parse_args()
    start = time.perf_counter()
    set_seed(args.seed)
    device = get_device(args.device, verbose=True)  # 命令行给了 --device 时用它，否则自动选择
    output_dir()  # 先确认输出目录可写，而不是训练完才发现

    x_train, y_train, x_val, y_val, x_test, y_test = load_fashion_mnist(
        val_size=pick(real=args.val_size, quick=500), seed=args.seed,
        n_train=pick(real=None, quick=2000), n_test=pick(real=None, quick=1000))
    print(f"训练 {tuple(x_train.shape)}，验证 {tuple(x_val.shape)}，测试 {tuple(x_test.shape)}")

    model = FashionCNN().to(device)
    loss_fn = nn.CrossEntropyLoss()
    n_params = sum(p.numel() for p in model.parameters())
    print(f"模型参数 {n_params:,} 个")

    if args.evaluate:
        model.load_state_dict(torch.load(args.evaluate, map_location=device, weights_only=True))
        print(f"已加载 {args.evaluate}")
        report_test(model, device, x_test, y_test, loss_fn)
        print(f"评估完成，用时 {time.perf_counter() - start:.1f} 秒")
        return

    generator = torch.Generator().manual_seed(args.seed)  # 打乱顺序和数据增强都用它，可复现
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=args.batch_size, shuffle=True,
                        generator=generator, num_workers=0)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, epochs=args.epochs,
                                                    steps_per_epoch=len(loader))

    history = {"train_loss": [], "train_acc": [], "val_loss": [], "val_acc": [], "epoch_seconds": []}
    best_val_acc, best_epoch = -1.0, 0
    model_path = output_path(MODEL_FILE)
    for epoch in range(1, args.epochs + 1):
        epoch_start = time.perf_counter()
        train_loss, train_acc = train_one_epoch(model, device, loader, loss_fn, optimizer, scheduler,
                                                epoch, generator)
        val_loss, val_acc, _ = evaluate(model, device, x_val, y_val, loss_fn)
        seconds = time.perf_counter() - epoch_start
        for key, value in zip(history, (train_loss, train_acc, val_loss, val_acc, seconds)):
            history[key].append(value)
        marker = ""
        if val_acc > best_val_acc:  # 只保存验证精度最好的一轮（测试集不参与挑选）
            best_val_acc, best_epoch = val_acc, epoch
            torch.save(model.state_dict(), model_path)
            marker = "  ← 目前最好，已保存"
        tqdm.write(f"第 {epoch:2d}/{args.epochs} 轮：训练损失 {train_loss:.4f} 精度 {train_acc:.4f}，"
                   f"验证损失 {val_loss:.4f} 精度 {val_acc:.4f}，{seconds:.0f} 秒{marker}")

    model.load_state_dict(torch.load(model_path, map_location=device, weights_only=True))
    print(f"加载第 {best_epoch} 轮的模型（验证精度 {best_val_acc:.4f}）：{relative_to_repo(model_path)}")
    test_loss, test_acc, predictions, matrix = report_test(model, device, x_test, y_test, loss_fn)
    wall_seconds = time.perf_counter() - start
    print(f"完成：{args.epochs} 轮，测试精度 {test_acc:.4f}，总用时 {wall_seconds:.0f} 秒"
          f"（{wall_seconds / 60:.1f} 分钟，设备 {device}，{torch.get_num_threads()} 个线程）")

    save_json("ch08_cnn/4_fashion_category.json", {
        "test_accuracy": test_acc,
        "test_loss": test_loss,
        "best_epoch": best_epoch,
        "best_val_accuracy": best_val_acc,
        "per_class_accuracy": dict(zip(CLASS_NAMES, (matrix.diagonal() / matrix.sum(axis=1)).tolist())),
        "confusion_matrix": matrix.tolist(),
        "wall_seconds": round(wall_seconds, 1),
        "device": str(device),
        "threads": torch.get_num_threads(),
        "quick_mode": is_quick(),
        "settings": {"epochs": args.epochs, "batch_size": args.batch_size, "max_lr": args.lr,
                     "weight_decay": args.weight_decay, "optimizer": "AdamW", "schedule": "OneCycleLR",
                     "augmentation": "左右翻转 + 平移 ±2 像素", "n_train": len(x_train), "n_val": len(x_val),
                     "n_test": len(x_test), "parameters": n_params, "seed": args.seed},
        "history": history,
    })
    plot_curves(history, test_acc)
    plot_confusion(matrix)
    plot_mistakes(x_test, y_test, predictions)
    show()


if __name__ == "__main__":
    main()
