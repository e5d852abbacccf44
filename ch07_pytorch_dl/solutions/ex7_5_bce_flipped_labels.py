"""第 7 章练习 5 的参考答案：1_bce.ipynb 里把标签直接取 target（1 = 未患病），精度和 ROC-AUC 会变吗？

与 1_bce.ipynb 相同的特征、同一个测试集划分（按患病与否分层，种子 42）、同样的小网络与训练（同一个种子：初始参数相同）
和逻辑回归，只有训练与打分用的标签不同：“患病 = 1”（notebook 的做法，1 - target）与“未患病 = 1”（直接取 target）。
两种标签下的精度和 ROC-AUC 都按各自的标签计算。

小网络用 float64 训练、默认在 CPU 上：float32 的 300 步 Adam 会把最后一位的舍入差别放大到第三位有效数字
（输入只差一个 float32 的最小单位，“最多相差”就在 0.2517～0.2567 之间变），不同的 CPU 指令集（AVX2、AVX-512）
打印的数也就不同；float64 的舍入误差小 9 个数量级，在哪台机器上都打印同样的四位数。
小网络两次的差别是不是“换一个种子也会有的波动”，要量一量：同样的划分与标签（患病 = 1），
只把初始参数的种子换成 SPREAD_SEEDS 中的几个，看精度和 ROC-AUC 的范围。

    python ch07_pytorch_dl/solutions/ex7_5_bce_flipped_labels.py   # 2 核 CPU 上几秒
"""

import numpy as np
import pandas as pd
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from torch import nn

from common.cli import run, script_parser
from common.device import get_device
from common.divergence import DivergenceGuard
from common.load_data import load_heart
from common.quick import pick
from common.seed import set_seed

CATEGORICAL = ["cp", "restecg", "slope", "ca", "thal"]
EPOCHS = pick(real=300, quick=20)
SPREAD_SEEDS = pick(real=[0, 1, 2, 3, 4], quick=[0, 1])  # 只换小网络初始参数的种子（划分不变）


def parse_args(argv):
    parser = script_parser("心脏病二分类：标签取 1 - target 与取 target 的对比", device="cpu", seed=42,
                           help={"device": "cpu 或 cuda（MPS 不支持 float64）；这么小的网络在 CPU 上最快",
                                 "seed": "随机种子（划分与初始参数），与 notebook 相同"})
    return parser.parse_args(argv)


def prepare(seed):
    """与 1_bce.ipynb 相同的预处理：返回 (x_train, x_test, 训练部分的 target, 测试部分的 target)。"""
    heart = load_heart()
    has_disease = (1 - heart["target"]).to_numpy(dtype=np.float32)
    features = pd.get_dummies(heart.drop(columns="target"), columns=CATEGORICAL, dtype=np.float32)
    numeric = [c for c in heart.columns if c not in CATEGORICAL + ["target"]]
    x_train_df, x_test_df, d_train, d_test = train_test_split(
        features, has_disease, test_size=0.25, random_state=seed, stratify=has_disease)
    mean, std = x_train_df[numeric].mean(), x_train_df[numeric].std()
    x_train_df, x_test_df = x_train_df.copy(), x_test_df.copy()
    x_train_df[numeric] = (x_train_df[numeric] - mean) / std
    x_test_df[numeric] = (x_test_df[numeric] - mean) / std
    # 划分只做一次；“未患病 = 1”的标签就是 1 - 患病，两种标签下训练集、测试集是同一批人
    return x_train_df.to_numpy(dtype=np.float32), x_test_df.to_numpy(dtype=np.float32), d_train, d_test


def train_mlp(x_train, y_train, x_test, device, seed):
    """与 notebook 相同的小网络与全批量训练（但用 float64，见模块说明），返回测试集上“标签为 1”的预测概率。"""
    set_seed(seed)
    # 初始参数也直接按 float64 生成：先按 float32 生成再转换，初始值在不同的 CPU 内核上就差在 float32 的最后一位
    model = nn.Sequential(nn.Linear(x_train.shape[1], 16, dtype=torch.float64), nn.ReLU(),
                          nn.Linear(16, 1, dtype=torch.float64)).to(device)
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=1e-2)
    x = torch.from_numpy(x_train).to(device, torch.float64)
    y = torch.from_numpy(y_train).reshape(-1, 1).to(device, torch.float64)
    guard = DivergenceGuard()
    model.train()
    for epoch in range(1, EPOCHS + 1):
        pred = model(x)
        loss = loss_fn(pred, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        guard.check(loss.item(), where=f"第 {epoch} 轮")
    model.eval()
    with torch.no_grad():
        return torch.sigmoid(model(torch.from_numpy(x_test).to(device, torch.float64))).cpu().numpy().ravel()


def solve(seed=42, device="cpu"):
    x_train, x_test, d_train, d_test = prepare(seed)
    results = {}
    for name, y_train, y_test in (("患病 = 1", d_train, d_test), ("未患病 = 1", 1 - d_train, 1 - d_test)):
        prob_mlp = train_mlp(x_train, y_train, x_test, device, seed)
        prob_logistic = LogisticRegression(max_iter=1000).fit(x_train, y_train).predict_proba(x_test)[:, 1]
        results[name] = {
            model: {"acc": float(np.mean((prob > 0.5) == y_test)), "auc": float(roc_auc_score(y_test, prob)), "prob": prob}
            for model, prob in (("mlp", prob_mlp), ("logistic", prob_logistic))}
    # 种子带来的波动：标签“患病 = 1”，划分不变，只换初始参数
    spread = []
    for init_seed in SPREAD_SEEDS:
        prob = train_mlp(x_train, d_train, x_test, device, init_seed)
        spread.append((float(np.mean((prob > 0.5) == d_test)), float(roc_auc_score(d_test, prob))))
    results["spread"] = spread
    return results


def main(argv=()):
    args = parse_args(argv)
    device = get_device(args.device)  # 设备不可用时抛出 ValueError，由 run 变成一行“错误：…”
    results = solve(args.seed, device)
    spread = results.pop("spread")
    for name, by_model in results.items():
        print(f"标签 {name}：小网络 精度 {by_model['mlp']['acc']:.4f}、ROC-AUC {by_model['mlp']['auc']:.4f}；"
              f"逻辑回归 精度 {by_model['logistic']['acc']:.4f}、ROC-AUC {by_model['logistic']['auc']:.4f}")
    sick, healthy = results["患病 = 1"], results["未患病 = 1"]
    for model, label in (("mlp", "小网络"), ("logistic", "逻辑回归")):
        gap = np.max(np.abs(healthy[model]["prob"] - (1 - sick[model]["prob"])))
        print(f"{label}：“未患病”的概率与 1 -“患病”的概率最多相差 {gap:.4f}")
    accs, aucs = [acc for acc, _ in spread], [auc for _, auc in spread]
    print(f"小网络只换初始参数的种子（{SPREAD_SEEDS[0]}～{SPREAD_SEEDS[-1]}，标签 患病 = 1）：精度 {min(accs):.4f}～{max(accs):.4f}，"
          f"ROC-AUC {min(aucs):.4f}～{max(aucs):.4f}")


if __name__ == "__main__":
    import sys

    run(lambda: main(sys.argv[1:]))
