"""torch 的每个损失函数都等于 common/functions.py（或 common.layers.SoftmaxWithLoss）里的 NumPy 版本：同一组随机输入上逐个断言。

    python ch07_pytorch_dl/loss_functions/4_loss_test.py

全部在 float64 下比较。容差：
- 公式相同、只是求和顺序不同的，rtol = 1e-12（float64 的舍入误差在 1e-16 量级，累加几十个数也远小于它）；
- common.functions.cross_entropy 像书中一样在 log 里加了 1e-7（防止 log(0)），
  它比精确值小 mean(log(1 + 1e-7/p)) ≤ mean(1e-7/p)（p 是正确类别的概率），
  所以与 torch 比较时容差取 1.1e-7 · mean(1/p)（p 很小的样本让这一差别变大）。
"""

import numpy as np
import torch
from torch import nn

from common.cli import positive_int, run, script_parser

from common.functions import (cross_entropy, log_softmax, mean_absolute_error, mean_squared_error, sigmoid,
                              smooth_l1, softmax, softplus)
from common.layers import SoftmaxWithLoss

RTOL = 1e-12


def random_inputs(seed=0, n=16, n_classes=5):
    """一组随机输入（float64）：回归的预测与目标、分类的 logits 与标签、二分类的 logits 与 0/1 标签。"""
    rng = np.random.default_rng(seed)
    return {
        "y": rng.normal(size=(n, 3)) * 2, "t": rng.normal(size=(n, 3)) * 2,
        "logits": rng.normal(size=(n, n_classes)) * 3, "labels": rng.integers(0, n_classes, size=n),
        "z": rng.normal(size=n) * 3, "binary": rng.integers(0, 2, size=n).astype(np.float64),
    }


def compare_losses(seed=0):
    """逐个比较 torch 与 NumPy 的损失，不相等时抛出 AssertionError。返回 [(名称, torch 值, NumPy 值, 容差)]。"""
    d = random_inputs(seed)
    y, t = torch.from_numpy(d["y"]), torch.from_numpy(d["t"])
    logits, labels = torch.from_numpy(d["logits"]), torch.from_numpy(d["labels"])
    z, binary = torch.from_numpy(d["z"]), torch.from_numpy(d["binary"])
    n = len(d["labels"])
    log_p = log_softmax(d["logits"])  # common.functions 的数值稳定版本
    correct_log_p = log_p[np.arange(n), d["labels"]]
    rows = []

    def check(name, torch_value, numpy_value, tolerance=None):
        torch_value = float(torch_value)
        tolerance = RTOL * max(abs(numpy_value), 1.0) if tolerance is None else tolerance
        assert abs(torch_value - numpy_value) <= tolerance, \
            f"{name}：torch {torch_value!r} 与 NumPy {numpy_value!r} 相差 {abs(torch_value - numpy_value):.2e}，超过容差 {tolerance:.1e}"
        rows.append((name, torch_value, numpy_value, tolerance))

    # ---- 回归
    check("MSELoss = mean_squared_error", nn.MSELoss()(y, t), mean_squared_error(d["y"], d["t"]))
    check("L1Loss = mean_absolute_error", nn.L1Loss()(y, t), mean_absolute_error(d["y"], d["t"]))
    for beta in (0.5, 1.0, 2.0):
        check(f"SmoothL1Loss(beta={beta}) = smooth_l1", nn.SmoothL1Loss(beta=beta)(y, t),
              smooth_l1(d["y"], d["t"], beta=beta))
        # HuberLoss(delta) = delta · SmoothL1Loss(beta=delta)：大误差一侧斜率是 delta 而不是 1
        check(f"HuberLoss(delta={beta}) = {beta}·smooth_l1", nn.HuberLoss(delta=beta)(y, t),
              beta * smooth_l1(d["y"], d["t"], beta=beta))

    # ---- 多分类：CrossEntropyLoss 接收 logits 和整数标签
    ce = nn.CrossEntropyLoss()(logits, labels)
    check("CrossEntropyLoss = SoftmaxWithLoss", ce, SoftmaxWithLoss().forward(d["logits"], d["labels"]))
    check("CrossEntropyLoss = NLLLoss(LogSoftmax)", ce, float(nn.NLLLoss()(nn.LogSoftmax(dim=1)(logits), labels)))
    p_correct = np.exp(correct_log_p)
    check("CrossEntropyLoss ≈ cross_entropy(softmax)（log 里有 1e-7）", ce,
          cross_entropy(softmax(d["logits"]), d["labels"]), tolerance=1.1e-7 * np.mean(1 / p_correct))
    smoothing = 0.1
    n_classes = d["logits"].shape[1]
    soft_target = np.full_like(d["logits"], smoothing / n_classes)
    soft_target[np.arange(n), d["labels"]] += 1 - smoothing
    check("CrossEntropyLoss(label_smoothing=0.1) = 软标签交叉熵",
          nn.CrossEntropyLoss(label_smoothing=smoothing)(logits, labels), float(-np.sum(soft_target * log_p) / n))
    weight = np.linspace(0.5, 2.0, n_classes)
    sample_weight = weight[d["labels"]]  # 加权时 torch 除以权重之和，而不是样本数
    check("CrossEntropyLoss(weight=w) = Σ w·nll / Σ w",
          nn.CrossEntropyLoss(weight=torch.from_numpy(weight))(logits, labels),
          float(np.sum(-sample_weight * correct_log_p) / np.sum(sample_weight)))
    ignored = d["labels"] == 0
    masked = labels.clone()
    masked[torch.from_numpy(ignored)] = -100  # ignore_index 的默认值
    check("CrossEntropyLoss(ignore_index=-100) = 其余样本的平均", nn.CrossEntropyLoss()(logits, masked),
          float(-np.mean(correct_log_p[~ignored])))

    # 梯度：autograd 对 logits 的梯度 = SoftmaxWithLoss.backward() = (softmax - one_hot) / N
    logits_grad = logits.clone().requires_grad_(True)
    nn.CrossEntropyLoss()(logits_grad, labels).backward()
    layer = SoftmaxWithLoss()
    layer.forward(d["logits"], d["labels"])
    grad_diff = float(np.max(np.abs(logits_grad.grad.numpy() - layer.backward())))
    check("CrossEntropyLoss 的梯度 = SoftmaxWithLoss.backward（最大差）", grad_diff, 0.0, tolerance=1e-15)

    # ---- 二分类
    p = sigmoid(d["z"])
    bce_formula = float(-np.mean(d["binary"] * np.log(p) + (1 - d["binary"]) * np.log(1 - p)))
    check("BCELoss = -mean(t·log p + (1-t)·log(1-p))", nn.BCELoss()(torch.from_numpy(p), binary), bce_formula)
    two_class = np.stack([1 - p, p], axis=1)
    check("BCELoss ≈ cross_entropy（两类，log 里有 1e-7）", nn.BCELoss()(torch.from_numpy(p), binary),
          cross_entropy(two_class, d["binary"].astype(np.int64)),
          tolerance=1.1e-7 * np.mean(1 / np.where(d["binary"] == 1, p, 1 - p)))
    # BCEWithLogitsLoss(z, t) = mean(softplus(z) - t·z)：直接从 logits 算，不经过 sigmoid
    check("BCEWithLogitsLoss = mean(softplus(z) - t·z)", nn.BCEWithLogitsLoss()(z, binary),
          float(np.mean(softplus(d["z"]) - d["binary"] * d["z"])))
    pos_weight = 2.5
    check("BCEWithLogitsLoss(pos_weight=2.5)", nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pos_weight))(z, binary),
          float(np.mean(pos_weight * d["binary"] * softplus(-d["z"]) + (1 - d["binary"]) * softplus(d["z"]))))
    return rows


def parse_args():
    parser = script_parser("torch 的损失函数与 common/ 的 NumPy 版本逐项对照（CPU，float64）", seed=0,
                           help={"seed": "第一组随机输入的种子"})
    parser.add_argument("--n-seeds", type=positive_int, default=3, help="用几组随机输入（种子依次加 1）")
    return parser.parse_args()


def main():
    args = parse_args()
    torch.set_default_dtype(torch.float64)
    rows = []
    for seed in range(args.seed, args.seed + args.n_seeds):  # 几组不同的随机输入
        rows = compare_losses(seed)
    print(f"{'比较':58s} {'torch':>20s} {'NumPy':>20s}  容差")
    for name, torch_value, numpy_value, tolerance in rows:
        print(f"{name:50s} {torch_value:20.15f} {numpy_value:20.15f}  {tolerance:.1e}")
    print(f"完成：{len(rows)} 项比较 × {args.n_seeds} 组随机输入，torch 的损失与 NumPy 版本全部相等（在所述容差内）")


if __name__ == "__main__":
    run(main)
