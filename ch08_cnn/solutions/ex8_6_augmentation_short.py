"""第 8 章练习 6 的参考答案：很短的训练里，数据增强有帮助吗？

与 4_fashion_category.py 相同的 FashionCNN、AdamW（最大学习率 3e-3、权重衰减 1e-2）、OneCycle、批量大小 128、
验证集划分和种子，训练和评估直接调用 4 号脚本的 train、test（common.chapters.load 导入）；
一次训练时照常做增强（左右翻转 + 平移 ±2 像素），一次传 augment=None、直接用 x。
用全部训练数据各训练 5 轮，两次在 2 核 CPU 上要十几分钟，所以这里用较短的版本：
只用训练部分的前 N_TRAIN 张训练 EPOCHS 轮，在测试集的前 N_TEST 张上评估。两次训练的初始值、打乱顺序都相同。

    python ch08_cnn/solutions/ex8_6_augmentation_short.py            # 2,000 张训练、3 轮，测试 2,000 张
    DL_QUICK=1 python ch08_cnn/solutions/ex8_6_augmentation_short.py # 256 张训练、2 轮，测试 128 张，几秒钟
"""
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from common.chapters import load
from common.cli import run
from common.divergence import DivergenceGuard
from common.quick import pick
from common.seed import set_seed

SEED = 42
EPOCHS = pick(real=3, quick=2)
N_TRAIN = pick(real=2000, quick=256)
N_TEST = pick(real=2000, quick=128)
VAL_SIZE = pick(real=5000, quick=500)
BATCH_SIZE = 128
MAX_LR = 3e-3
WEIGHT_DECAY = 1e-2

script = load("ch08_cnn/4_fashion_category.py")  # 用 4 号脚本自己的 train、test（train 的 augment=None 时不增强）
fashion = load("ch08_cnn/fashion_cnn.py")  # 与 4 号脚本用的是同一个模块：FashionCNN、augment、load_fashion_mnist


def train_and_test(data, use_augment, device):
    """训练 EPOCHS 轮，每轮之后在测试集（的前 N_TEST 张）上评估，返回每轮的记录。"""
    set_seed(SEED)
    model = fashion.FashionCNN().to(device)
    generator = torch.Generator().manual_seed(SEED)
    loader = DataLoader(TensorDataset(data.x_train, data.y_train), batch_size=BATCH_SIZE, shuffle=True,
                        generator=generator, num_workers=0)
    test_loader = DataLoader(TensorDataset(data.x_test, data.y_test), batch_size=1000, num_workers=0)
    optimizer = torch.optim.AdamW(model.parameters(), lr=MAX_LR, weight_decay=WEIGHT_DECAY)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=MAX_LR, epochs=EPOCHS,
                                                    steps_per_epoch=len(loader))
    loss_fn = nn.CrossEntropyLoss()
    guard = DivergenceGuard()
    history = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    for epoch in range(1, EPOCHS + 1):
        train_loss, train_acc = script.train(model, device, loader, optimizer, epoch, loss_fn, scheduler, guard,
                                             generator, augment=fashion.augment if use_augment else None)
        test_loss, test_acc = script.test(model, device, test_loader, loss_fn)
        for key, value in zip(history, (train_loss, train_acc, test_loss, test_acc)):
            history[key].append(value)
    return history


def solve(device=torch.device("cpu")):
    data = fashion.load_fashion_mnist(val_size=VAL_SIZE, seed=SEED, n_train=N_TRAIN, n_test=N_TEST)
    return {name: train_and_test(data, use_augment, device) for name, use_augment in [("增强", True), ("不增强", False)]}


def main():
    start = time.perf_counter()
    results = solve()
    for name, history in results.items():
        print(f"{name}：" + "；".join(f"第 {i + 1} 轮 训练损失 {loss:.4f} 精度 {acc:.4f}，测试精度 {test_acc:.4f}"
                                    for i, (loss, acc, test_acc) in enumerate(zip(
                                        history["train_loss"], history["train_acc"], history["test_acc"]))))
    gain = results["增强"]["test_acc"][-1] - results["不增强"]["test_acc"][-1]
    print(f"最后一轮的测试精度：增强减不增强 {gain:+.4f}")
    print(f"用时 {time.perf_counter() - start:.0f} 秒")


if __name__ == "__main__":
    run(main)
