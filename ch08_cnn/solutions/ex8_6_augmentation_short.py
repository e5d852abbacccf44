"""第 8 章练习 6 的参考答案：很短的训练里，数据增强有帮助吗？

与 4_fashion_category.py 相同的 FashionCNN、AdamW（最大学习率 3e-3、权重衰减 1e-2）、OneCycle、批量大小 128、
验证集划分和种子；一次训练时照常做增强（左右翻转 + 平移 ±2 像素），一次直接用 x。
原题的 `--epochs 5`（两次各 5 轮完整训练）在这台 2 核 CPU 上要十几分钟，这里改成较短的版本：
只用训练部分的前 N_TRAIN 张训练 EPOCHS 轮，在测试集的前 N_TEST 张上评估。两次训练的初始值、打乱顺序都相同。

    python ch08_cnn/solutions/ex8_6_augmentation_short.py            # 2,000 张训练、3 轮，测试 2,000 张
    DL_QUICK=1 python ch08_cnn/solutions/ex8_6_augmentation_short.py # 256 张训练、2 轮，测试 128 张，几秒钟
"""
import importlib.util
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from common.divergence import DivergenceGuard
from common.paths import REPO_ROOT
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


def load_fashion_cnn():
    """按文件路径导入 ch08_cnn/fashion_cnn.py（章节文件夹不是包）。"""
    path = REPO_ROOT / "ch08_cnn" / "fashion_cnn.py"
    spec = importlib.util.spec_from_file_location("ch08_fashion_cnn", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def train(model, device, loader, optimizer, epoch, loss_fn, scheduler, guard, generator, augment):
    """训练一轮，返回 (平均损失, 训练精度)；augment 为 None 时不做数据增强。"""
    model.train()
    total_loss, correct, count = 0.0, 0, 0
    for step, (x, y) in enumerate(loader):
        if augment is not None:
            x = augment(x, generator=generator)
        x, y = x.to(device), y.to(device)
        pred = model(x)
        loss = loss_fn(pred, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        loss_value = guard.check(loss.item(), where=f"第 {epoch} 轮第 {step + 1} 步")
        total_loss += loss_value * len(y)
        correct += (pred.argmax(dim=1) == y).sum().item()
        count += len(y)
    return total_loss / count, correct / count


def test(model, device, loader, loss_fn):
    """评估模式下的 (平均损失, 精度)。"""
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            pred = model(x)
            total_loss += loss_fn(pred, y).item() * len(y)
            correct += (pred.argmax(dim=1) == y).sum().item()
            count += len(y)
    return total_loss / count, correct / count


def run(fashion, data, use_augment, device):
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
        train_loss, train_acc = train(model, device, loader, optimizer, epoch, loss_fn, scheduler, guard,
                                      generator, fashion.augment if use_augment else None)
        test_loss, test_acc = test(model, device, test_loader, loss_fn)
        for key, value in zip(history, (train_loss, train_acc, test_loss, test_acc)):
            history[key].append(value)
    return history


def solve(device=torch.device("cpu")):
    fashion = load_fashion_cnn()
    data = fashion.load_fashion_mnist(val_size=VAL_SIZE, seed=SEED, n_train=N_TRAIN, n_test=N_TEST)
    return {name: run(fashion, data, use_augment, device) for name, use_augment in [("增强", True), ("不增强", False)]}


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
    main()
