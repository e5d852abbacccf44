"""Kaggle 房价预测（Ames）：完整的表格数据流程，用 5 折交叉验证评估，再为 test.csv 写出提交文件。

    python ch07_pytorch_dl/5_house_price.py            # 完整运行，2 核 CPU 上约 15 秒
    DL_QUICK=1 python ch07_pytorch_dl/5_house_price.py # 快速模式，几秒钟

流程：
1. 预处理（每一折只用该折的训练部分“拟合”统计量，验证部分和 test.csv 只做变换，避免信息泄漏）：
   - 数值列：缺失值用训练部分的中位数填充；偏度大于 0.75 的列取 log1p；再用训练部分的均值、标准差标准化；
   - 类别列：one-hot（显式指定 float32；pandas 2 的 get_dummies 默认返回 bool），缺失当作一个类别；
     只认训练部分见过的类别，没见过的类别在所有 one-hot 列上都是 0。
2. 离群点：数据集作者 De Cock 建议去掉居住面积 GrLivArea 超过 4000 平方英尺的几套房子
   （其中两套面积极大、售价却很低，是非正常的“部分销售”）。这里只从训练部分去掉它们，
   并对比去掉与保留时同一批验证房屋上的分数。
3. 目标取对数 log(SalePrice)：竞赛的指标就是对数价格的 RMSE，贵房和便宜房的相对误差同等重要。
4. 模型：一个隐藏层的 MLP，Adam + 权重衰减；从每折的训练部分再分出 15% 作验证，在它上面早停（early stopping）。
   旁边用 scikit-learn 的 Ridge（岭回归，正则化强度在训练部分内部用交叉验证选）在同样的折上作对照。
5. 最后用全部训练数据训练 MLP（轮数取各折早停轮数的中位数），为 test.csv 写出 Kaggle 格式的提交文件。
"""
import argparse
import time

import numpy as np
import pandas as pd
import torch
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import KFold
from torch import nn
from tqdm import tqdm

from common.device import get_device
from common.load_data import load_house_prices
from common.paths import output_dir, output_path, relative_to_repo, save_json
from common.plotting import plt, save_figure, show
from common.quick import is_quick, pick
from common.seed import set_seed
from common.trainer import check_finite_loss

N_FOLDS = 5
OUTLIER_AREA = 4000  # 平方英尺；GrLivArea 超过它的房子按数据集作者的建议从训练数据中去掉
SKEW_THRESHOLD = 0.75  # 偏度超过它的数值列取 log1p
VALIDATION_FRACTION = 0.15  # 每折训练部分中留作早停验证的比例
RIDGE_ALPHAS = np.logspace(-1, 3, 13)  # Ridge 的候选正则化强度


def parse_args():
    parser = argparse.ArgumentParser(description="Kaggle 房价预测：MLP 与 Ridge 的 5 折交叉验证，并写出提交文件")
    parser.add_argument("--epochs", type=int, default=pick(real=400, quick=5), help="每折最多训练的轮数")
    parser.add_argument("--patience", type=int, default=40, help="验证分数连续这么多轮没有改进就停止")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-4, help="Adam 的学习率")
    parser.add_argument("--weight-decay", type=float, default=1e-2, help="Adam 的权重衰减")
    parser.add_argument("--hidden", type=int, default=64, help="隐藏层的神经元个数")
    parser.add_argument("--dropout", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--device", default=None, help="cpu / cuda / mps；默认自动选择")
    return parser.parse_args()


# ---------------------------------------------------------------- 预处理

class Preprocessor:
    """在训练部分上 fit（记下中位数、偏度大的列、均值与标准差、各类别列见过的类别），再 transform 任意部分。

    transform 返回 (N, D) 的 float32 数组；D 只由训练部分决定，验证部分和 test.csv 的列与它一一对应。
    """

    def fit(self, features):
        self.numeric_columns = features.select_dtypes(include="number").columns.tolist()
        self.categorical_columns = [c for c in features.columns if c not in self.numeric_columns]
        numeric = features[self.numeric_columns]
        self.medians = numeric.median()
        numeric = numeric.fillna(self.medians)
        skewness = numeric.skew()
        # 只对非负的偏态列取 log1p（负数取 log1p 没有意义）
        self.skewed_columns = [c for c in self.numeric_columns
                               if abs(skewness[c]) > SKEW_THRESHOLD and numeric[c].min() >= 0]
        numeric = self._log_skewed(numeric)
        self.means = numeric.mean()
        self.stds = numeric.std().replace(0, 1.0)  # 常数列：除以 1，标准化后全为 0
        self.categories = {c: sorted(features[c].fillna("缺失").astype(str).unique())
                           for c in self.categorical_columns}
        return self

    def _log_skewed(self, numeric):
        numeric = numeric.copy()
        numeric[self.skewed_columns] = np.log1p(numeric[self.skewed_columns])
        return numeric

    def transform(self, features):
        numeric = self._log_skewed(features[self.numeric_columns].fillna(self.medians))
        numeric = (numeric - self.means) / self.stds
        # 把每个类别列变成只含训练时见过的类别的 Categorical：没见过的类别变成 NaN，one-hot 全为 0
        categorical = pd.DataFrame(index=features.index)
        for c in self.categorical_columns:
            values = features[c].fillna("缺失").astype(str)
            values = values.where(values.isin(self.categories[c]))  # 没见过的类别 -> NaN
            categorical[c] = pd.Categorical(values, categories=self.categories[c])
        one_hot = pd.get_dummies(categorical, dtype=np.float32)  # 显式 float32，而不是 pandas 2 默认的 bool
        return pd.concat([numeric.astype(np.float32), one_hot], axis=1).to_numpy(dtype=np.float32)


def split_features(df):
    """去掉 Id 与 SalePrice，把本质上是类别的数值列（房屋类型代码）转成字符串。"""
    features = df.drop(columns=["Id", "SalePrice"], errors="ignore").copy()
    features["MSSubClass"] = features["MSSubClass"].astype(str)
    return features


def log_rmse(log_pred, log_true):
    """竞赛指标：对数价格的均方根误差。"""
    return float(np.sqrt(np.mean((np.asarray(log_pred) - np.asarray(log_true)) ** 2)))


# ---------------------------------------------------------------- 模型与训练

def make_model(n_features, hidden, dropout):
    return nn.Sequential(
        nn.Linear(n_features, hidden),
        nn.ReLU(),
        nn.Dropout(dropout),
        nn.Linear(hidden, 1),
    )


def train_mlp(x_train, y_train, x_valid, y_valid, args, device, epochs, desc):
    """训练一个 MLP。y 是减去均值后的对数价格，形状 (N, 1)。

    x_valid 不为 None 时每轮算验证 RMSE，连续 args.patience 轮没有改进就停止，并恢复最好那一轮的参数；
    为 None 时正好训练 epochs 轮（最终模型用）。返回 (model, 训练损失列表, 验证 RMSE 列表, 最好的轮数)。
    """
    model = make_model(x_train.shape[1], args.hidden, args.dropout).to(device)
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    x_train, y_train = torch.from_numpy(x_train).to(device), torch.from_numpy(y_train).to(device)
    if x_valid is not None:
        x_valid, y_valid = torch.from_numpy(x_valid).to(device), torch.from_numpy(y_valid).to(device)
    generator = torch.Generator().manual_seed(args.seed)  # 打乱顺序也由种子决定
    train_losses, valid_rmses = [], []
    best_rmse, best_epoch, best_state = float("inf"), epochs, None
    for epoch in tqdm(range(1, epochs + 1), desc=desc, leave=False, mininterval=1):
        model.train()
        order = torch.randperm(len(x_train), generator=generator).to(device)
        total = 0.0
        for start in range(0, len(x_train), args.batch_size):
            index = order[start:start + args.batch_size]
            x, y = x_train[index], y_train[index]
            pred = model(x)
            loss = loss_fn(pred, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += check_finite_loss(loss.item(), where=f"{desc}第 {epoch} 轮") * len(index)
        train_losses.append(total / len(x_train))
        if x_valid is None:
            continue
        model.eval()
        with torch.no_grad():
            rmse = torch.sqrt(loss_fn(model(x_valid), y_valid)).item()
        valid_rmses.append(rmse)
        if rmse < best_rmse:
            best_rmse, best_epoch = rmse, epoch
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        elif epoch - best_epoch >= args.patience:
            break  # 早停
    if best_state is not None:
        model.load_state_dict(best_state)
    return model, train_losses, valid_rmses, best_epoch


def predict(model, x, device):
    model.eval()
    with torch.no_grad():
        return model(torch.from_numpy(x).to(device)).cpu().numpy().ravel()


def cross_validate(features, log_price, is_outlier, drop_outliers, args, device):
    """5 折交叉验证。折的划分只由种子决定，去掉与保留离群点两种做法用完全相同的折。

    drop_outliers=True 时只从每折的训练部分去掉离群点；验证部分永远是该折的全部房子。
    返回每个样本的折外（out-of-fold）预测（MLP 与 Ridge）、每折的曲线和早停轮数。
    """
    oof_mlp = np.zeros(len(features))
    oof_ridge = np.zeros(len(features))
    curves, best_epochs, ridge_alphas = [], [], []
    folds = KFold(n_splits=N_FOLDS, shuffle=True, random_state=args.seed)
    label = "去掉离群点" if drop_outliers else "保留离群点"
    for fold, (train_index, valid_index) in enumerate(folds.split(features), start=1):
        if drop_outliers:
            train_index = train_index[~is_outlier[train_index]]
        preprocessor = Preprocessor().fit(features.iloc[train_index])
        x_fold = preprocessor.transform(features.iloc[train_index])
        x_valid = preprocessor.transform(features.iloc[valid_index])
        y_fold = log_price[train_index]
        y_mean = y_fold.mean()  # 目标也只用训练部分的均值居中

        # Ridge 对照：同样的特征、同样的折
        ridge = RidgeCV(alphas=RIDGE_ALPHAS).fit(x_fold, y_fold)
        oof_ridge[valid_index] = ridge.predict(x_valid)
        ridge_alphas.append(float(ridge.alpha_))

        # MLP：从训练部分再分出一块做早停的验证
        rng = np.random.default_rng(args.seed + fold)
        shuffled = rng.permutation(len(train_index))
        n_stop = int(len(train_index) * VALIDATION_FRACTION)
        stop_part, fit_part = shuffled[:n_stop], shuffled[n_stop:]
        y_centered = (y_fold - y_mean).astype(np.float32).reshape(-1, 1)
        model, train_losses, valid_rmses, best_epoch = train_mlp(
            x_fold[fit_part], y_centered[fit_part], x_fold[stop_part], y_centered[stop_part],
            args, device, args.epochs, desc=f"{label} 第 {fold} 折")
        oof_mlp[valid_index] = predict(model, x_valid, device) + y_mean
        curves.append({"train_loss": train_losses, "valid_rmse": valid_rmses})
        best_epochs.append(best_epoch)
        scored = valid_index[~is_outlier[valid_index]]  # 与最后的汇总一样，只在普通房子上打分
        print(f"  {label} 第 {fold} 折：MLP {log_rmse(oof_mlp[scored], log_price[scored]):.4f}"
              f"（第 {best_epoch} 轮最好），Ridge {log_rmse(oof_ridge[scored], log_price[scored]):.4f}"
              f"（alpha = {ridge.alpha_:.3g}）")
    return {"oof_mlp": oof_mlp, "oof_ridge": oof_ridge, "curves": curves,
            "best_epochs": best_epochs, "ridge_alphas": ridge_alphas}


def scores(result, log_price, mask):
    """在 mask 选中的房子上计算 MLP 与 Ridge 的折外 log-RMSE。"""
    return {"mlp": log_rmse(result["oof_mlp"][mask], log_price[mask]),
            "ridge": log_rmse(result["oof_ridge"][mask], log_price[mask])}


def main():
    args = parse_args()
    output_dir()  # 输出目录不可写时在训练之前就报错
    device = get_device(args.device, verbose=True)
    start = time.perf_counter()

    # ------------------------------------------------------------ 数据
    train_df, test_df = load_house_prices()
    if is_quick():
        train_df = train_df.sample(n=400, random_state=args.seed).reset_index(drop=True)
    features = split_features(train_df)
    log_price = np.log(train_df["SalePrice"].to_numpy(dtype=np.float64))
    is_outlier = (train_df["GrLivArea"] > OUTLIER_AREA).to_numpy()
    print(f"训练数据 {train_df.shape}，测试数据 {test_df.shape}；"
          f"居住面积超过 {OUTLIER_AREA} 平方英尺的房子 {is_outlier.sum()} 套："
          f"售价 {train_df.loc[is_outlier, 'SalePrice'].tolist()}")

    # ------------------------------------------------------------ 交叉验证：去掉与保留离群点
    set_seed(args.seed)
    results = {}
    for drop in (True, False):
        results[drop] = cross_validate(features, log_price, is_outlier, drop, args, device)
    regular = ~is_outlier
    summary = {
        "drop_outliers": {"regular_houses": scores(results[True], log_price, regular),
                          "all_houses": scores(results[True], log_price, np.ones_like(regular))},
        "keep_outliers": {"regular_houses": scores(results[False], log_price, regular),
                          "all_houses": scores(results[False], log_price, np.ones_like(regular))},
    }
    main_score = summary["drop_outliers"]["regular_houses"]
    print(f"\n5 折交叉验证的 log-RMSE（在 {regular.sum()} 套面积不超过 {OUTLIER_AREA} 平方英尺的房子上）：")
    for key, name in (("drop_outliers", "训练时去掉离群点"), ("keep_outliers", "训练时保留离群点")):
        s = summary[key]
        print(f"  {name}：MLP {s['regular_houses']['mlp']:.4f}，Ridge {s['regular_houses']['ridge']:.4f}"
              f"（含离群点在内的全部房子：MLP {s['all_houses']['mlp']:.4f}，Ridge {s['all_houses']['ridge']:.4f}）")

    # ------------------------------------------------------------ 最终模型：全部训练数据（去掉离群点）
    final_epochs = int(np.median(results[True]["best_epochs"]))
    keep = ~is_outlier
    preprocessor = Preprocessor().fit(features[keep])
    x_all = preprocessor.transform(features[keep])
    y_mean = log_price[keep].mean()
    y_all = (log_price[keep] - y_mean).astype(np.float32).reshape(-1, 1)
    set_seed(args.seed)
    model, _, _, _ = train_mlp(x_all, y_all, None, None, args, device, final_epochs, desc="最终模型")
    x_test = preprocessor.transform(split_features(test_df))
    test_price = np.exp(predict(model, x_test, device) + y_mean)
    submission_path = output_path("ch07_pytorch_dl/submission.csv")
    pd.DataFrame({"Id": test_df["Id"], "SalePrice": test_price}).to_csv(submission_path, index=False)
    torch.save(model.state_dict(), output_path("ch07_pytorch_dl/house_price_mlp.pt"))
    print(f"最终模型训练 {final_epochs} 轮（各折早停轮数的中位数），特征 {x_all.shape[1]} 个；"
          f"提交文件已保存：{relative_to_repo(submission_path)}（{len(test_price)} 行，"
          f"预测价格中位数 {np.median(test_price):,.0f}）")

    total_seconds = time.perf_counter() - start
    print(f"完成：5 折交叉验证 log-RMSE：MLP {main_score['mlp']:.4f}，Ridge 对照 {main_score['ridge']:.4f}；"
          f"用时 {total_seconds:.1f} 秒")
    save_json("ch07_pytorch_dl/5_house_price.json", {
        "cv_log_rmse_mlp": main_score["mlp"], "cv_log_rmse_ridge": main_score["ridge"],
        "summary": summary, "best_epochs": results[True]["best_epochs"],
        "ridge_alphas": results[True]["ridge_alphas"], "final_epochs": final_epochs,
        "n_features": int(x_all.shape[1]), "total_seconds": round(total_seconds, 1), "quick_mode": is_quick(),
        "settings": vars(args),
    })

    # ------------------------------------------------------------ 图 1：各折的学习曲线
    fig, (ax_train, ax_valid) = plt.subplots(1, 2, figsize=(12, 4.5))
    for fold, curve in enumerate(results[True]["curves"], start=1):
        ax_train.plot(np.arange(1, len(curve["train_loss"]) + 1), np.sqrt(curve["train_loss"]), label=f"第 {fold} 折")
        ax_valid.plot(np.arange(1, len(curve["valid_rmse"]) + 1), curve["valid_rmse"], label=f"第 {fold} 折")
        best = results[True]["best_epochs"][fold - 1]
        ax_valid.plot(best, curve["valid_rmse"][best - 1], "k.", markersize=8)
    for ax, title in ((ax_train, "训练部分（含 Dropout）"), (ax_valid, "早停用的验证部分（黑点：最好的一轮）")):
        ax.set_yscale("log")
        ax.set_xlabel("轮数（epoch）")
        ax.set_ylabel("对数价格的 RMSE")
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(f"房价 MLP 的 5 折训练曲线（交叉验证 log-RMSE {main_score['mlp']:.4f}）")
    fig.tight_layout()
    save_figure(fig, "ch07_pytorch_dl/5_house_price_curves.png")

    # ------------------------------------------------------------ 图 2：折外预测与真实价格
    fig, axes = plt.subplots(1, 2, figsize=(12, 5.5), sharex=True, sharey=True)
    true_price = np.exp(log_price)
    for ax, key, name in ((axes[0], "oof_mlp", "MLP"), (axes[1], "oof_ridge", "Ridge")):
        pred_price = np.exp(results[True][key])
        ax.scatter(true_price[regular], pred_price[regular], s=6, alpha=0.5, label="普通房子")
        ax.scatter(true_price[is_outlier], pred_price[is_outlier], s=40, marker="x", color="tab:red",
                   label=f"面积 > {OUTLIER_AREA} 平方英尺")
        limits = [true_price.min() * 0.8, true_price.max() * 1.25]
        ax.plot(limits, limits, color="gray", linewidth=1)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("真实售价（美元，对数刻度）")
        ax.set_title(f"{name}：折外 log-RMSE {main_score['mlp' if key == 'oof_mlp' else 'ridge']:.4f}")
        ax.grid(alpha=0.3)
        ax.legend()
    axes[0].set_ylabel("折外预测售价（美元，对数刻度）")
    fig.suptitle("5 折交叉验证：每套房子由没见过它的模型预测")
    fig.tight_layout()
    save_figure(fig, "ch07_pytorch_dl/5_house_price_predictions.png")
    show()


if __name__ == "__main__":
    main()
