"""《动手学深度学习》4.10 节（实战 Kaggle 比赛：预测房价）的线性模型，照原书的做法在本仓库的数据上重跑一遍。

    python ch07_pytorch_dl/d2l_linear_baseline.py
    DL_QUICK=1 python ch07_pytorch_dl/d2l_linear_baseline.py   # 快速模式：每折 5 轮

第 7 章 7.8 节拿它的分数作参照。为了与原书可比，这里有意保留原书的做法，包括 5_house_price.py 改掉的几处：
- 数值列用训练集和 test.csv **合在一起**的均值、标准差标准化，缺失值填 0（标准化后的均值）；
  类别列 one-hot，缺失也算一个类别（pd.get_dummies(dummy_na=True)）。统计量用到了验证折和 test.csv，严格说有信息泄漏；
- 模型是一个 nn.Linear，损失是**原始房价**的均方误差（不是对数价格），Adam，学习率 5，不加权重衰减，批量大小 64，100 轮；
- 5 折按行的顺序连续切分（不打乱），打分时把预测值截断到不小于 1 再取对数，计算 log-RMSE。
打印每一折的训练、验证 log-RMSE 和 5 折的平均。
"""
import time

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from common.cli import run, script_parser
from common.device import get_device
from common.divergence import DivergenceGuard
from common.load_data import load_house_prices
from common.paths import save_json
from common.quick import is_quick, pick
from common.seed import set_seed

FOLDS = 5


def parse_args():
    parser = script_parser("《动手学深度学习》4.10 节的线性模型（房价，5 折交叉验证）",
                           epochs=pick(real=100, quick=5), batch_size=64, lr=5.0, weight_decay=0.0, device=True,
                           seed=42, help={"epochs": "每折训练的轮数", "lr": "Adam 的学习率（原书的取值）",
                                          "weight_decay": "Adam 的权重衰减", "seed": "随机种子（初始参数与打乱顺序）"})
    return parser.parse_args()


def d2l_features(train_df, test_df):
    """原书的预处理：返回 (训练特征, 训练房价)，float32 张量，形状 (N, D) 与 (N, 1)。"""
    features = pd.concat((train_df.iloc[:, 1:-1], test_df.iloc[:, 1:]))  # 去掉 Id 和 SalePrice
    numeric = features.select_dtypes(include="number").columns  # 原书写作 dtypes != "object"：数值列
    features[numeric] = features[numeric].apply(lambda column: (column - column.mean()) / column.std())
    features[numeric] = features[numeric].fillna(0)
    features = pd.get_dummies(features, dummy_na=True, dtype=np.float32)
    n_train = len(train_df)
    x = torch.tensor(features[:n_train].to_numpy(dtype=np.float32))
    y = torch.tensor(train_df["SalePrice"].to_numpy(dtype=np.float32)).reshape(-1, 1)
    return x, y


def log_rmse(model, x, y):
    """预测截断到不小于 1 再取对数（原书的写法），返回 log-RMSE。"""
    model.eval()
    with torch.no_grad():
        clipped = torch.clamp(model(x), min=1.0)
        return torch.sqrt(((torch.log(clipped) - torch.log(y)) ** 2).mean()).item()


def train(model, device, loader, optimizer, epoch, loss_fn, guard, fold):
    """训练一轮，返回这一轮的平均损失（原始房价的均方误差）。"""
    model.train()
    total, count = 0.0, 0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        pred = model(x)
        loss = loss_fn(pred, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += guard.check(loss.item(), where=f"第 {fold} 折第 {epoch} 轮") * len(y)
        count += len(y)
    return total / count


def main():
    args = parse_args()
    device = get_device(args.device, verbose=True)
    set_seed(args.seed)
    start = time.perf_counter()
    train_df, test_df = load_house_prices()
    x, y = d2l_features(train_df, test_df)
    print(f"特征 {x.shape[1]} 个；{FOLDS} 折，每折 {args.epochs} 轮，Adam 学习率 {args.lr}，权重衰减 {args.weight_decay}")
    fold_size = len(x) // FOLDS
    results = []
    for fold in range(1, FOLDS + 1):
        valid = torch.zeros(len(x), dtype=torch.bool)
        valid[(fold - 1) * fold_size: fold * fold_size] = True  # 原书：按顺序连续切分
        x_train, y_train, x_valid, y_valid = x[~valid], y[~valid], x[valid], y[valid]
        model = nn.Linear(x.shape[1], 1).to(device)
        optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
        loader = DataLoader(TensorDataset(x_train, y_train), batch_size=args.batch_size, shuffle=True,
                            generator=torch.Generator().manual_seed(args.seed + fold), num_workers=0)
        loss_fn, guard = nn.MSELoss(), DivergenceGuard()
        for epoch in range(1, args.epochs + 1):
            train(model, device, loader, optimizer, epoch, loss_fn, guard, fold)
        train_score = log_rmse(model, x_train.to(device), y_train.to(device))
        valid_score = log_rmse(model, x_valid.to(device), y_valid.to(device))
        results.append({"fold": fold, "train_log_rmse": train_score, "valid_log_rmse": valid_score})
        print(f"  第 {fold} 折：训练 log-RMSE {train_score:.4f}，验证 log-RMSE {valid_score:.4f}")
    mean_train = float(np.mean([r["train_log_rmse"] for r in results]))
    mean_valid = float(np.mean([r["valid_log_rmse"] for r in results]))
    seconds = time.perf_counter() - start
    save_json("ch07_pytorch_dl/d2l_linear_baseline.json", {
        "folds": results, "mean_train_log_rmse": mean_train, "mean_valid_log_rmse": mean_valid,
        "n_features": x.shape[1], "seconds": round(seconds, 1), "quick_mode": is_quick(),
        "settings": vars(args) | {"device": str(device)},
    })
    print(f"完成：5 折平均 训练 log-RMSE {mean_train:.4f}，验证 log-RMSE {mean_valid:.4f}；全程 {seconds:.1f} 秒")


if __name__ == "__main__":
    run(main)
