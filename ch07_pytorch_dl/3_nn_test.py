"""自定义 nn.Module：第 3 章的 784-100-10 网络用 PyTorch 写一遍，在完整 MNIST 上用同样的设置训练，与 NumPy 版对比。

    python ch07_pytorch_dl/3_nn_test.py              # 完整训练（20 轮），2 核 CPU 上约 1 分钟
    DL_QUICK=1 python ch07_pytorch_dl/3_nn_test.py   # 快速模式，几秒钟

设置与 ch04_backward/1_digit_recognizer_nn_train.py 相同：ReLU，He 初始值，float32，
Momentum（lr = 0.05，μ = 0.9；torch.optim.SGD(momentum=0.9) 与书中的 Momentum 逐步相同，见 optimizer/1_momentum.py），
批量大小 100，20 轮，每轮打乱后每个样本恰好用一次。
NumPy 版的结果 JSON（output/ch04_backward/1_digit_recognizer_nn_train.json）存在时，把两者并排打印。
"""
import argparse
import json
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from torchinfo import summary
from tqdm import tqdm

from common.device import get_device
from common.load_data import get_data
from common.paths import output_dir, output_path, relative_to_repo, save_json
from common.plotting import plt, save_figure, show
from common.quick import is_quick, pick
from common.seed import set_seed
from common.trainer import check_finite_loss
from two_layer_net import TwoLayerNet

NUMPY_RESULT = "ch04_backward/1_digit_recognizer_nn_train.json"


def parse_args():
    parser = argparse.ArgumentParser(description="用自定义 nn.Module 在 MNIST 上训练 784-100-10 网络")
    parser.add_argument("--epochs", type=int, default=pick(real=20, quick=2))
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--device", default=None, help="cpu / cuda / mps；默认自动选择")
    return parser.parse_args()


def train(model, device, loader, loss_fn, optimizer, epoch):
    """训练一轮，返回这一轮的平均损失。"""
    model.train()
    total, count = 0.0, 0
    for x, y in tqdm(loader, desc=f"第 {epoch} 轮", leave=False, mininterval=1):
        x, y = x.to(device), y.to(device)
        pred = model(x)
        loss = loss_fn(pred, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += check_finite_loss(loss.item(), where=f"第 {epoch} 轮") * len(y)
        count += len(y)
    return total / count


def accuracy(model, device, x, y):
    model.eval()
    with torch.no_grad():
        return (model(x.to(device)).argmax(dim=1) == y.to(device)).float().mean().item()


def main():
    args = parse_args()
    output_dir()  # 输出目录不可写时在训练之前就报错
    import_start = time.perf_counter()
    device = get_device(args.device, verbose=True)
    set_seed(args.seed)

    x_train, x_test, y_train, y_test = get_data("mnist", n_train=pick(real=None, quick=3000),
                                                n_test=pick(real=None, quick=1000))
    x_train, y_train = torch.from_numpy(x_train), torch.from_numpy(y_train)
    x_test, y_test = torch.from_numpy(x_test), torch.from_numpy(y_test)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=args.batch_size, shuffle=True,
                        num_workers=0, generator=torch.Generator().manual_seed(args.seed))
    print(f"训练数据 {tuple(x_train.shape)} {x_train.dtype}，测试数据 {tuple(x_test.shape)}")

    model = TwoLayerNet(784, 100, 10).to(device)
    print(model)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"参数个数：{n_params:,}（= 784×100 + 100 + 100×10 + 10）")
    assert n_params == 784 * 100 + 100 + 100 * 10 + 10
    summary(model, input_size=(args.batch_size, 784), device=str(device),
            col_names=("input_size", "output_size", "num_params"))  # 逐层的输入、输出形状与参数个数

    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    epoch_losses, train_acc_list, test_acc_list = [], [], []
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        epoch_losses.append(train(model, device, loader, loss_fn, optimizer, epoch))
        train_acc_list.append(accuracy(model, device, x_train, y_train))
        test_acc_list.append(accuracy(model, device, x_test, y_test))
        tqdm.write(f"第 {epoch:2d} 轮：平均损失 {epoch_losses[-1]:.4f}，训练精度 {train_acc_list[-1]:.4f}，"
                   f"测试精度 {test_acc_list[-1]:.4f}")
    seconds = time.perf_counter() - start
    torch.save(model.state_dict(), output_path("ch07_pytorch_dl/3_nn_test.pt"))

    print(f"完成：{args.epochs} 轮，测试精度 {test_acc_list[-1]:.4f}（训练精度 {train_acc_list[-1]:.4f}），"
          f"训练与评估用时 {seconds:.1f} 秒（从开始运行算起 {time.perf_counter() - import_start:.1f} 秒）")
    numpy_path = output_path(NUMPY_RESULT)
    numpy_result = None
    if numpy_path.is_file():
        numpy_result = json.loads(numpy_path.read_text(encoding="utf-8"))
        note = "（快速模式的结果）" if numpy_result.get("quick_mode") else ""
        print(f"对照 NumPy 版{note}（{relative_to_repo(numpy_path)}）：测试精度 {numpy_result['test_accuracy']:.4f}，"
              f"用时 {numpy_result['total_seconds']:.1f} 秒；PyTorch 版：测试精度 {test_acc_list[-1]:.4f}，"
              f"用时 {seconds:.1f} 秒")
    else:
        print(f"没有找到 NumPy 版的结果 {relative_to_repo(numpy_path)}；"
              "先运行 python ch04_backward/1_digit_recognizer_nn_train.py 就能并排对比")
    save_json("ch07_pytorch_dl/3_nn_test.json", {
        "test_accuracy": test_acc_list[-1], "train_accuracy": train_acc_list[-1], "seconds": round(seconds, 2),
        "n_params": n_params, "epoch_losses": epoch_losses, "train_acc_list": train_acc_list,
        "test_acc_list": test_acc_list, "quick_mode": is_quick(), "settings": vars(args) | {"device": str(device)},
        "numpy_test_accuracy": numpy_result["test_accuracy"] if numpy_result else None,
        "numpy_total_seconds": numpy_result["total_seconds"] if numpy_result else None,
    })

    fig, ax = plt.subplots(figsize=(7, 4.5))
    epochs = range(1, args.epochs + 1)
    ax.plot(epochs, train_acc_list, "o-", label="PyTorch 训练数据")
    ax.plot(epochs, test_acc_list, "s--", label="PyTorch 测试数据")
    if numpy_result is not None and len(numpy_result["test_acc_list"]) == args.epochs:
        ax.plot(epochs, numpy_result["test_acc_list"], "^:", label="NumPy 版（第 3 章）测试数据")
    ax.set_xlabel("轮数（epoch）")
    ax.set_ylabel("识别精度")
    ax.set_title(f"自定义 nn.Module 的 784-100-10 网络（最终测试精度 {test_acc_list[-1]:.4f}）")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    save_figure(fig, "ch07_pytorch_dl/3_nn_test.png")
    show()


if __name__ == "__main__":
    main()
