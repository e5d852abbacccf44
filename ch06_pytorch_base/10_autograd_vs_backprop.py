"""自动求导与手写反向传播对照：理论第 3 章亲手推导的梯度，PyTorch 替我们算。

    python ch06_pytorch_base/10_autograd_vs_backprop.py              # 对照 + 在完整 MNIST 上训练 5 轮
    DL_QUICK=1 python ch06_pytorch_base/10_autograd_vs_backprop.py   # 快速模式，几秒钟

三件事，各在一节里：
1. 正向传播只用张量写：predict（Affine → ReLU → Affine）与 cross_entropy，与第 3 章 TwoLayerNet 的公式逐项相同；
2. 对照梯度：ch04_backward/two_layer_net.py 的 TwoLayerNet（NumPy，784-100-10，ReLU）用反向传播求梯度；
   把同一组权重（float64）复制成 PyTorch 张量，loss.backward() 求梯度。
   两者在 100 张真实的 MNIST 图像上逐个元素比较，最大差异打印出来并断言在容差之内；
3. 训练：只用张量（不用 nn.Module）搭同一个网络，用 torch.optim.SGD（带动量，
   与第 3 章的 Momentum 逐步相同）在完整 MNIST 上训练几轮，报告测试精度。
求一次梯度各要多少毫秒（NumPy 反向传播与 PyTorch 自动求导）的计时在 tests/benchmarks/bench_common.py 里：
    python -m tests.benchmarks.bench_common
"""
import sys
import time

import numpy as np
import torch
from matplotlib.ticker import MaxNLocator
from torch.utils.data import DataLoader, TensorDataset
from tqdm import tqdm

from common.chapters import load
from common.cli import run, script_parser
from common.device import get_device
from common.divergence import DivergenceGuard
from common.load_data import get_data
from common.paths import save_json
from common.plotting import plt, save_figure, show
from common.quick import is_quick, pick
from common.seed import set_seed

HIDDEN_SIZE = 100
COMPARE_BATCH = 100  # 对照梯度用的图像数（不用 1 张：那样很多梯度恒为 0，比较不出问题）
# float64 下两种实现做的是同样的运算，只是求和顺序可能不同，差异只来自舍入（约 1e-16 乘以项数）。
# 1e-10 的相对容差比舍入误差大几个数量级，又比任何真正的公式错误（通常在 1e-2 以上）小得多。
RELATIVE_TOLERANCE = 1e-10
N_TRAIN = pick(real=None, quick=2000)  # None 表示全部 60,000 张
N_TEST = pick(real=None, quick=500)


# ================================================================ 1. 只用张量写正向传播

def params_to_tensors(numpy_params, device="cpu", dtype=None):
    """把参数字典 {'W1': ndarray, ...} 复制成需要梯度的叶子节点字典。

    dtype 为 None 时沿用数组的 dtype（float64 的数组得到 float64 的张量）。
    """
    return {key: torch.tensor(value, dtype=dtype, device=device, requires_grad=True)
            for key, value in numpy_params.items()}


def predict(params, x):
    """两层网络的正向传播：Affine → ReLU → Affine，返回 (N, 10) 的分数（logits）。

    x: (N, 784)；params: 'W1' (784, H)、'b1' (H,)、'W2' (H, 10)、'b2' (10,)。
    与 TwoLayerNet 的公式逐项相同；反向传播交给 autograd。
    """
    hidden = torch.relu(x @ params["W1"] + params["b1"])
    return hidden @ params["W2"] + params["b2"]


def cross_entropy(logits, t):
    """批内平均交叉熵误差：-mean(log softmax(logits)[i, t_i])。

    logits: (N, C)；t: (N,) 的 int64 标签。用 logsumexp 计算 log softmax，logits 很大时也不溢出。
    """
    log_probs = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    return -log_probs[torch.arange(len(t), device=t.device), t].mean()


# ================================================================ 2. 自动求导与手写反向传播对照

def autograd_gradients(numpy_params, x, t):
    """用 autograd 求 numpy_params 下的损失和梯度（在 CPU 上，dtype 与参数相同）。

    x: (N, 784) ndarray；t: (N,) 整数标签。返回 (loss: float, grads: {'W1': ndarray, ...})。
    """
    params = params_to_tensors(numpy_params)
    x_tensor = torch.from_numpy(x).to(params["W1"].dtype)
    t_tensor = torch.from_numpy(np.asarray(t, dtype=np.int64))
    loss = cross_entropy(predict(params, x_tensor), t_tensor)
    loss.backward()  # 一行：沿着正向时记录的计算图，倒着把梯度传回每个叶子节点
    return loss.item(), {key: p.grad.numpy() for key, p in params.items()}


def compare_gradients(network, x, t):
    """同一个 TwoLayerNet、同一批数据：反向传播与自动求导的梯度逐元素比较。

    返回字典：每个参数的最大绝对差 max|a - b| 与相对差 max|a - b| / max|b|，以及两边的损失。
    """
    backprop_grads = network.gradient(x, t)
    backprop_loss = network.last_layer.loss
    autograd_loss, autograd_grads = autograd_gradients(network.params, x, t)
    result = {"backprop_loss": backprop_loss, "autograd_loss": autograd_loss, "params": {}}
    for key, expected in backprop_grads.items():
        difference = np.abs(autograd_grads[key] - expected).max()
        result["params"][key] = {
            "shape": list(expected.shape),
            "max_abs_diff": float(difference),
            "max_rel_diff": float(difference / np.abs(expected).max()),
        }
    result["max_rel_diff"] = max(p["max_rel_diff"] for p in result["params"].values())
    return result


# ================================================================ 3. 只用张量训练

def train(params, device, loader, optimizer, epoch, guard, iteration_losses):
    """训练一轮（params 是需要梯度的张量字典，代替 nn.Module），返回 (平均损失, 这一轮训练中的精度)。

    iteration_losses: 列表，记下每一步的损失（画图用）；guard: DivergenceGuard。
    """
    total_loss, correct, count = 0.0, 0, 0
    for step, (x, y) in enumerate(tqdm(loader, desc=f"第 {epoch} 轮", leave=False, mininterval=1), start=1):
        x, y = x.to(device), y.to(device)
        pred = predict(params, x)
        loss = cross_entropy(pred, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss_value = guard.check(loss.item(), where=f"第 {epoch} 轮第 {step} 步")
        iteration_losses.append(loss_value)
        total_loss += loss_value * len(y)
        correct += (pred.argmax(dim=1) == y).sum().item()
        count += len(y)
    return total_loss / count, correct / count


def test(params, device, loader):
    """在 loader 的全部数据上评估，返回 (平均损失, 精度)。"""
    total_loss, correct, count = 0.0, 0, 0
    with torch.no_grad():  # 评估时不需要计算图
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            pred = predict(params, x)
            total_loss += cross_entropy(pred, y).item() * len(y)
            correct += (pred.argmax(dim=1) == y).sum().item()
            count += len(y)
    return total_loss / count, correct / count


def parse_args():
    parser = script_parser("自动求导与第 3 章手写反向传播的对照，以及只用张量的 MNIST 训练",
                           epochs=pick(real=5, quick=1), batch_size=100, lr=0.05, momentum=0.9, device=True, seed=42,
                           help={"lr": "SGD 的学习率", "seed": "随机种子（初始参数与打乱顺序）"})
    return parser.parse_args()


def main():
    args = parse_args()
    device = get_device(args.device, verbose=True)
    set_seed(args.seed)
    start = time.perf_counter()
    TwoLayerNet = load("ch04_backward/two_layer_net.py").TwoLayerNet  # 第 3 章（ch04_backward）手写反向传播的网络
    x_train, x_test, y_train, y_test = get_data("mnist", n_train=N_TRAIN, n_test=N_TEST)

    # ------------------------------------------------------------ 2. 同一组权重，两种方法求梯度（float64，CPU）
    network = TwoLayerNet(784, HIDDEN_SIZE, 10, dtype=np.float64)
    x_batch, t_batch = x_train[:COMPARE_BATCH].astype(np.float64), y_train[:COMPARE_BATCH]
    comparison = compare_gradients(network, x_batch, t_batch)
    print(f"同一组 float64 权重、{COMPARE_BATCH} 张 MNIST 图像：")
    print(f"  损失：反向传播 {comparison['backprop_loss']:.15f}，自动求导 {comparison['autograd_loss']:.15f}")
    for key, stats in comparison["params"].items():
        print(f"  {key:>2} {str(tuple(stats['shape'])):>10}：最大绝对差 {stats['max_abs_diff']:.2e}，"
              f"最大相对差 {stats['max_rel_diff']:.2e}")
    if comparison["max_rel_diff"] > RELATIVE_TOLERANCE:
        sys.exit(f"错误：自动求导与反向传播的梯度相差 {comparison['max_rel_diff']:.2e}，超过容差 "
                 f"{RELATIVE_TOLERANCE:.0e}：检查 predict 和 cross_entropy 是否与 TwoLayerNet 一致")
    print(f"  两者一致：最大相对差 {comparison['max_rel_diff']:.2e} ≤ 容差 {RELATIVE_TOLERANCE:.0e}")

    # ------------------------------------------------------------ 3. 只用张量训练同一个网络
    set_seed(args.seed)
    start_network = TwoLayerNet(784, HIDDEN_SIZE, 10, dtype=np.float32)  # 与第 3 章相同的 He 初始值
    params = params_to_tensors(start_network.params, device=device)
    optimizer = torch.optim.SGD(params.values(), lr=args.lr, momentum=args.momentum)
    generator = torch.Generator().manual_seed(args.seed)  # 固定每轮的打乱顺序
    train_set = TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train))
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True, generator=generator, num_workers=0)
    test_loader = DataLoader(TensorDataset(torch.from_numpy(x_test), torch.from_numpy(y_test)),
                             batch_size=1000, num_workers=0)

    guard = DivergenceGuard()
    iteration_losses = []
    history = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    train_start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        train_loss, train_acc = train(params, device, train_loader, optimizer, epoch, guard, iteration_losses)
        test_loss, test_acc = test(params, device, test_loader)
        for key, value in (("train_loss", train_loss), ("train_acc", train_acc),
                           ("test_loss", test_loss), ("test_acc", test_acc)):
            history[key].append(value)
        tqdm.write(f"第 {epoch} 轮：平均损失 {train_loss:.4f}，测试精度 {test_acc:.4f}")
    train_seconds = time.perf_counter() - train_start
    _, final_train_acc = test(params, device, DataLoader(train_set, batch_size=1000, num_workers=0))
    test_accuracy = history["test_acc"][-1]
    seconds = time.perf_counter() - start

    print(f"完成：梯度与反向传播一致（最大相对差 {comparison['max_rel_diff']:.1e}）；只用张量训练 {args.epochs} 轮"
          f"（{len(iteration_losses)} 次更新），测试精度 {test_accuracy:.4f}（训练精度 {final_train_acc:.4f}），"
          f"训练 {train_seconds:.1f} 秒（全程 {seconds:.1f} 秒）")
    save_json("ch06_pytorch_base/10_autograd_vs_backprop.json", {
        "gradient_comparison": comparison,
        "relative_tolerance": RELATIVE_TOLERANCE,
        "test_accuracy": test_accuracy,
        "train_accuracy": final_train_acc,
        "history": history,
        "seconds": round(seconds, 2),
        "train_seconds": round(train_seconds, 2),
        "quick_mode": is_quick(),
        "settings": {"network": f"784-{HIDDEN_SIZE}-10, ReLU, He 初始值", "optimizer": "SGD + momentum",
                     "n_train": len(x_train), "n_test": len(x_test)} | vars(args) | {"device": str(device)},
    })

    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4))
    ax_loss.plot(np.arange(1, len(iteration_losses) + 1), iteration_losses, linewidth=0.6)
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("参数更新次数")
    ax_loss.set_ylabel("交叉熵误差（对数刻度）")
    ax_loss.set_title("训练损失（每个小批量）")
    ax_acc.plot(np.arange(1, args.epochs + 1), history["test_acc"], "o-")
    ax_acc.xaxis.set_major_locator(MaxNLocator(integer=True))  # 轮数只取整数刻度
    ax_acc.set_xlabel("轮数（epoch）")
    ax_acc.set_ylabel("测试精度")
    ax_acc.set_title(f"测试精度（最终 {test_accuracy:.4f}）")
    ax_acc.grid(alpha=0.3)
    fig.suptitle("只用张量和自动求导训练 784-100-10 网络（MNIST）")
    fig.tight_layout()
    save_figure(fig, "ch06_pytorch_base/10_autograd_vs_backprop.png")
    show()


if __name__ == "__main__":
    run(main)
