"""自定义 nn.Module：第 3 章的 784-100-10 网络用 PyTorch 写一遍，在完整 MNIST 上用同样的设置训练，与 NumPy 版对比。

    python ch07_pytorch_dl/3_nn_test.py              # 完整训练（20 轮）
    DL_QUICK=1 python ch07_pytorch_dl/3_nn_test.py   # 快速模式，几秒钟

设置与 ch04_backward/1_digit_recognizer_nn_train.py 相同：ReLU，He 初始值，float32，
Momentum（lr = 0.05，μ = 0.9；torch.optim.SGD(momentum=0.9) 与书中的 Momentum 逐步相同，见 optimizer/1_momentum.py），
批量大小 100，20 轮，每轮打乱后每个样本恰好用一次。
NumPy 版的结果 JSON（output/ch04_backward/1_digit_recognizer_nn_train.json）存在时，把两者并排打印；
它是可有可无的参照：不存在时说明怎样生成，读不出来时给出警告，本脚本都照常训练、保存自己的结果。
训练结束时用 torch.save(model.state_dict(), path) 把参数保存到 output/ch07_pytorch_dl/3_nn_test.pt
（4_nn_sequential.py 读它）。保存的就是最后一轮的模型：不按测试精度挑选哪一轮、哪一次运行——
测试集只用来报告结果，用它来挑模型，报告的精度就偏高了（挑选要用验证集，见第 8 章的 4_fashion_category.py）。
"""
import json
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from torchinfo import summary
from tqdm import tqdm

from common.cli import run, script_parser
from common.device import get_device
from common.divergence import DivergenceGuard
from common.load_data import get_data
from common.paths import output_dir, output_path, relative_to_repo, save_json
from common.plotting import plt, save_figure, show
from common.quick import is_quick, pick
from common.seed import set_seed
from two_layer_net import TwoLayerNet

NUMPY_RESULT = "ch04_backward/1_digit_recognizer_nn_train.json"
NUMPY_SCRIPT = "ch04_backward/1_digit_recognizer_nn_train.py"
MODEL_FILE = "ch07_pytorch_dl/3_nn_test.pt"
EVAL_BATCH_SIZE = 1000  # 评估时的批量大小：只影响速度，不影响结果


def parse_args():
    parser = script_parser("用自定义 nn.Module 在 MNIST 上训练 784-100-10 网络",
                           epochs=pick(real=20, quick=2), batch_size=100, lr=0.05, momentum=0.9, device=True, seed=42,
                           help={"lr": "SGD 的学习率", "seed": "随机种子（初始参数与打乱顺序）"})
    return parser.parse_args()


def train(model, device, loader, optimizer, epoch, loss_fn, guard, scheduler=None, lr_log=None, desc=""):
    """训练一轮，返回 (这一轮的平均损失, 这一轮训练中的精度)。

    guard: DivergenceGuard；损失变成 nan/inf 或涨到开始时的 10 倍以上时抛出 TrainingDivergedError。
    后三个参数本脚本不用，是给 optimizer/8_lr_scheduler.py 的（它调用这个 train，比较学习率调度器）：
    scheduler: 按步调整的学习率调度器；给出时每个小批量的 optimizer.step() 之后调用 scheduler.step()。
    lr_log: 列表；给出时记下每一步用的学习率。desc: 进度条和发散报错里位置前面的说明（如 "StepLR "）。
    """
    model.train()
    total_loss, correct, count = 0.0, 0, 0
    for step, (x, y) in enumerate(tqdm(loader, desc=f"{desc}第 {epoch} 轮", leave=False, mininterval=1), start=1):
        x, y = x.to(device), y.to(device)
        if lr_log is not None:
            lr_log.append(optimizer.param_groups[0]["lr"])
        pred = model(x)
        loss = loss_fn(pred, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()  # 按步调整：每次更新之后
        loss_value = guard.check(loss.item(), where=f"{desc}第 {epoch} 轮第 {step} 步")
        total_loss += loss_value * len(y)
        correct += (pred.argmax(dim=1) == y).sum().item()
        count += len(y)
    return total_loss / count, correct / count


def test(model, device, loader, loss_fn):
    """在 loader 的全部数据上评估（一批一批搬到设备上），返回 (平均损失, 精度)。"""
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


def read_numpy_result(results_dir):
    """读取第 3 章 NumPy 版的结果 JSON（可有可无的参照），返回 dict；没有或读不出来时打印说明，返回 None。

    只查看，不创建任何文件夹。读不出来（损坏、缺少键）只是警告：本脚本照常保存自己的结果。
    """
    path = results_dir / NUMPY_RESULT
    shown = relative_to_repo(path)
    if not path.is_file():
        print(f"没有找到 NumPy 版的结果 {shown}（可选）；先运行 python {NUMPY_SCRIPT} 就能并排对比")
        return None
    try:
        result = json.loads(path.read_text(encoding="utf-8"))
        accuracy = float(result["test_accuracy"])
        seconds = float(result.get("seconds", result.get("total_seconds")))
        accuracies = [float(value) for value in result.get("test_acc_list", [])]
    except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError, AttributeError) as error:
        print(f"警告：NumPy 版的结果 {shown} 读不出来（{type(error).__name__}: {str(error)[:80]}），跳过对比；"
              f"重新运行 python {NUMPY_SCRIPT} 可以重新生成它")
        return None
    return {"test_accuracy": accuracy, "seconds": seconds, "test_acc_list": accuracies,
            "quick_mode": bool(result.get("quick_mode"))}


def main():
    args = parse_args()
    device = get_device(args.device, verbose=True)
    set_seed(args.seed)
    start = time.perf_counter()

    x_train, x_test, y_train, y_test = get_data("mnist", n_train=pick(real=None, quick=3000),
                                                n_test=pick(real=None, quick=1000))
    train_set = TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train))
    loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True,
                        num_workers=0, generator=torch.Generator().manual_seed(args.seed))
    # 评估用的加载器：不打乱，大批量；每轮评估时一批一批地搬到设备上，而不是每轮把整个数据集搬一次
    train_eval_loader = DataLoader(train_set, batch_size=EVAL_BATCH_SIZE, num_workers=0)
    test_loader = DataLoader(TensorDataset(torch.from_numpy(x_test), torch.from_numpy(y_test)),
                             batch_size=EVAL_BATCH_SIZE, num_workers=0)
    print(f"训练数据 {x_train.shape} {x_train.dtype}，测试数据 {x_test.shape}")

    model = TwoLayerNet(784, 100, 10).to(device)
    print(model)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"参数个数：{n_params:,}（= 784×100 + 100 + 100×10 + 10）")
    assert n_params == 784 * 100 + 100 + 100 * 10 + 10
    summary(model, input_size=(args.batch_size, 784), device=str(device),
            col_names=("input_size", "output_size", "num_params"))  # 逐层的输入、输出形状与参数个数

    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    guard = DivergenceGuard()
    history = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    train_start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        train_loss, _ = train(model, device, loader, optimizer, epoch, loss_fn, guard)
        # 与 NumPy 版一样，训练精度在这一轮结束后、用整个训练集重新评估（而不是训练中边学边数的精度）
        _, train_acc = test(model, device, train_eval_loader, loss_fn)
        test_loss, test_acc = test(model, device, test_loader, loss_fn)
        for key, value in (("train_loss", train_loss), ("train_acc", train_acc),
                           ("test_loss", test_loss), ("test_acc", test_acc)):
            history[key].append(value)
        tqdm.write(f"第 {epoch:2d} 轮：平均损失 {train_loss:.4f}，训练精度 {train_acc:.4f}，测试精度 {test_acc:.4f}")
    train_seconds = time.perf_counter() - train_start
    test_accuracy = history["test_acc"][-1]

    model_path = output_path(MODEL_FILE)
    torch.save(model.state_dict(), model_path)  # 只保存参数字典；读回：model.load_state_dict(torch.load(path, weights_only=True))
    print(f"模型参数已保存：{relative_to_repo(model_path)}（最后一轮的模型）")
    numpy_result = read_numpy_result(output_dir())
    if numpy_result is not None:
        note = "（快速模式的结果）" if numpy_result["quick_mode"] else ""
        print(f"对照 NumPy 版{note}：测试精度 {numpy_result['test_accuracy']:.4f}，用时 {numpy_result['seconds']:.1f} 秒；"
              f"PyTorch 版：测试精度 {test_accuracy:.4f}，训练与评估 {train_seconds:.1f} 秒")
    seconds = time.perf_counter() - start
    print(f"完成：{args.epochs} 轮，测试精度 {test_accuracy:.4f}（训练精度 {history['train_acc'][-1]:.4f}），"
          f"训练与评估用时 {train_seconds:.1f} 秒（全程 {seconds:.1f} 秒）")
    save_json("ch07_pytorch_dl/3_nn_test.json", {
        "test_accuracy": test_accuracy, "train_accuracy": history["train_acc"][-1],
        "seconds": round(seconds, 2), "train_seconds": round(train_seconds, 2), "n_params": n_params,
        "history": history, "model_file": relative_to_repo(model_path),
        "quick_mode": is_quick(), "settings": vars(args) | {"device": str(device)},
        "numpy_test_accuracy": numpy_result["test_accuracy"] if numpy_result else None,
        "numpy_seconds": numpy_result["seconds"] if numpy_result else None,
    })

    fig, ax = plt.subplots(figsize=(7, 4.5))
    epochs = range(1, args.epochs + 1)
    ax.plot(epochs, history["train_acc"], "o-", label="PyTorch 训练数据")
    ax.plot(epochs, history["test_acc"], "s--", label="PyTorch 测试数据")
    if numpy_result is not None and len(numpy_result["test_acc_list"]) == args.epochs:
        ax.plot(epochs, numpy_result["test_acc_list"], "^:", label="NumPy 版（第 3 章）测试数据")
    ax.set_xlabel("轮数（epoch）")
    ax.set_ylabel("识别精度")
    ax.set_title(f"自定义 nn.Module 的 784-100-10 网络（最终测试精度 {test_accuracy:.4f}）")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    save_figure(fig, "ch07_pytorch_dl/3_nn_test.png")
    show()


if __name__ == "__main__":
    run(main)
