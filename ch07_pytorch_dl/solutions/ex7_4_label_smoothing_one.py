"""第 7 章练习 4 的参考答案：label_smoothing = 1.0 时，CrossEntropyLoss 等于什么？模型还能学到什么？

label_smoothing = ε 时目标是：正确类别 1 - ε + ε/C，其余各 ε/C。ε = 1 时每个类别都是 1/C，与标签无关，
损失 = -(1/C)·Σ_c log softmax(x)_c，对每个样本取平均。与 2_cross_entropy.ipynb 相同的 logits（种子 0，6 个样本、4 个类别）。

    python ch07_pytorch_dl/solutions/ex7_4_label_smoothing_one.py
"""
import math

import torch
from torch import nn

from common.seed import set_seed


def solve():
    set_seed(0)
    logits = torch.randn(6, 4, dtype=torch.float64) * 2  # 与 2_cross_entropy.ipynb 相同
    labels = torch.tensor([0, 3, 1, 1, 2, 0])
    loss_fn = nn.CrossEntropyLoss(label_smoothing=1.0)
    loss = loss_fn(logits, labels)
    by_formula = -torch.log_softmax(logits, dim=1).mean(dim=1).mean()  # 对类别平均，再对样本平均
    other_labels = loss_fn(logits, torch.tensor([3, 3, 3, 3, 3, 3]))  # 换一组完全不同的标签
    # 对 logits 的梯度：(softmax - 1/C)/N，标签不出现
    leaf = logits.clone().requires_grad_(True)
    loss_fn(leaf, labels).backward()
    expected_grad = (torch.softmax(logits, dim=1) - 1 / 4) / 6
    # 损失的最小值：所有 logits 相等（预测均匀分布）时为 log C
    uniform = loss_fn(torch.zeros(6, 4, dtype=torch.float64), labels)
    return {"loss": loss.item(), "by_formula": by_formula.item(), "other_labels": other_labels.item(),
            "grad_matches": torch.allclose(leaf.grad, expected_grad, rtol=1e-12, atol=0),
            "uniform": uniform.item(), "log_c": math.log(4)}


def main():
    r = solve()
    print(f"label_smoothing=1.0 的损失 {r['loss']:.6f}；-(1/C)Σ log softmax 的平均 {r['by_formula']:.6f}；"
          f"把标签全换成 3：{r['other_labels']:.6f}")
    print(f"对 logits 的梯度等于 (softmax - 1/C)/N（与标签无关）：{r['grad_matches']}")
    print(f"预测均匀分布（logits 全相等）时损失 {r['uniform']:.6f} = log 4 = {r['log_c']:.6f}，这是最小值")


if __name__ == "__main__":
    main()
