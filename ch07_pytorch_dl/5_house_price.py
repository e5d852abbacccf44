"""Kaggle 房价预测（Ames）：完整的表格数据流程，用 5 折交叉验证评估，再为 test.csv 写出提交文件。

    python ch07_pytorch_dl/5_house_price.py                      # 完整运行
    python ch07_pytorch_dl/5_house_price.py --outlier-ablation   # 另外做一遍保留离群点的交叉验证作对照
    DL_QUICK=1 python ch07_pytorch_dl/5_house_price.py           # 快速模式，几秒钟

预处理（fit/transform、特征拆分、log-RMSE）和模型在 house_features.py 里。流程：
1. 预处理：每一折只用该折的训练部分“拟合”统计量，验证部分和 test.csv 只做变换，避免信息泄漏。
2. 离群点：数据集作者 De Cock 建议去掉居住面积 GrLivArea 超过 4000 平方英尺的几套房子
   （其中两套面积极大、售价却很低，是非正常的“部分销售”）。这里只从训练部分去掉它们；
   --outlier-ablation 时再做一遍保留它们的交叉验证，对比同一批验证房屋上的分数。
3. 目标取对数 log(SalePrice)：竞赛的指标就是对数价格的 RMSE，贵房和便宜房的相对误差同等重要。
4. 模型：一个隐藏层的 MLP，Adam + 权重衰减；从每折的训练部分再分出 15% 作验证，在它上面早停（early stopping）。
   旁边用 scikit-learn 的 Ridge（岭回归，正则化强度在训练部分内部用交叉验证选）在同样的折上作对照。
5. 最后用全部训练数据训练 MLP（轮数取各折早停轮数的中位数），为 test.csv 写出 Kaggle 格式的提交文件。
   模型文件 output/ch07_pytorch_dl/house_price_mlp.pt 带着预处理的统计量和目标均值，
   house_features.predict_prices(模型文件, 表格) 只凭它就能预测（脚本最后读回它，断言预测与本次相同）。
训练发散（损失涨到开始时的 10 倍以上或变成 nan/inf、预测出 inf）时以非零退出码结束，不写提交文件和模型。
"""
import time

import numpy as np
import pandas as pd
import torch
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import KFold
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from tqdm import tqdm

from common.checkpoint import keep_better_checkpoint
from common.cli import positive_int, probability, run, script_parser
from common.device import get_device
from common.divergence import DivergenceGuard
from common.load_data import load_house_prices
from common.paths import output_dir, relative_to_repo, save_json
from common.plotting import plt, save_figure, show
from common.quick import is_quick, pick
from common.seed import set_seed
from house_features import (OUTLIER_AREA, Preprocessor, house_checkpoint, log_rmse, make_model, predict_log_price,
                            predict_prices, split_features)

N_FOLDS = 5
VALIDATION_FRACTION = 0.15  # 每折训练部分中留作早停验证的比例
RIDGE_ALPHAS = np.logspace(-1, 3, 13)  # Ridge 的候选正则化强度
MODEL_FILE = "ch07_pytorch_dl/house_price_mlp.pt"
SUBMISSION_FILE = "ch07_pytorch_dl/submission.csv"


def parse_args():
    parser = script_parser("Kaggle 房价预测：MLP 与 Ridge 的 5 折交叉验证，并写出提交文件",
                           epochs=pick(real=400, quick=5), batch_size=64, lr=3e-4, weight_decay=1e-2,
                           device=True, seed=42, help={"epochs": "每折最多训练的轮数", "lr": "Adam 的学习率",
                                                       "weight_decay": "Adam 的权重衰减",
                                                       "seed": "随机种子（折的划分、初始参数、打乱顺序）"})
    parser.add_argument("--patience", type=positive_int, default=40, help="验证分数连续这么多轮没有改进就停止")
    parser.add_argument("--hidden", type=positive_int, default=64, help="隐藏层的神经元个数")
    parser.add_argument("--dropout", type=probability, default=0.2, help="Dropout 的比例")
    parser.add_argument("--outlier-ablation", action="store_true",
                        help="再做一遍训练时保留离群点的交叉验证，与去掉离群点对比（用时约翻倍）")
    return parser.parse_args()


# ---------------------------------------------------------------- 训练

def train(model, device, loader, optimizer, epoch, loss_fn, guard, desc=""):
    """训练一轮，返回这一轮的平均损失（对数价格的均方误差）。"""
    model.train()
    total, count = 0.0, 0
    for step, (x, y) in enumerate(loader, start=1):
        x, y = x.to(device), y.to(device)
        pred = model(x)
        loss = loss_fn(pred, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += guard.check(loss.item(), where=f"{desc}第 {epoch} 轮第 {step} 步") * len(y)
        count += len(y)
    return total / count


def test(model, device, loader, loss_fn):
    """在 loader 的全部数据上评估，返回平均损失（均方误差）。"""
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            total += loss_fn(model(x), y).item() * len(y)
            count += len(y)
    return total / count


def make_loader(x, y, batch_size, seed=None):
    """seed 不为 None 时每轮打乱（顺序由种子决定）；否则按原顺序（评估用）。"""
    dataset = TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    if seed is None:
        return DataLoader(dataset, batch_size=1024, num_workers=0)
    return DataLoader(dataset, batch_size=batch_size, shuffle=True, num_workers=0,
                      generator=torch.Generator().manual_seed(seed))


def train_mlp(x_train, y_train, x_valid, y_valid, args, device, epochs, desc):
    """训练一个 MLP。y 是减去均值后的对数价格，形状 (N, 1)。

    x_valid 不为 None 时每轮算验证 RMSE，连续 args.patience 轮没有改进就停止（早停），并恢复最好那一轮的参数；
    为 None 时正好训练 epochs 轮（最终模型用）。返回 (model, history, 最好的轮数)，
    history = {"train_loss": [...], "val_rmse": [...]}。
    """
    model = make_model(x_train.shape[1], args.hidden, args.dropout).to(device)
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    loader = make_loader(x_train, y_train, args.batch_size, seed=args.seed)
    valid_loader = make_loader(x_valid, y_valid, args.batch_size) if x_valid is not None else None
    guard = DivergenceGuard()
    history = {"train_loss": [], "val_rmse": []}
    best_rmse, best_epoch, best_state = float("inf"), epochs, None
    for epoch in tqdm(range(1, epochs + 1), desc=desc, leave=False, mininterval=1):
        history["train_loss"].append(train(model, device, loader, optimizer, epoch, loss_fn, guard, desc))
        if valid_loader is None:
            continue
        rmse = float(np.sqrt(test(model, device, valid_loader, loss_fn)))
        history["val_rmse"].append(rmse)
        if rmse < best_rmse:
            best_rmse, best_epoch = rmse, epoch
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        elif epoch - best_epoch >= args.patience:
            break  # 早停
    if best_state is not None:
        model.load_state_dict(best_state)
    return model, history, best_epoch


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
        model, history, best_epoch = train_mlp(
            x_fold[fit_part], y_centered[fit_part], x_fold[stop_part], y_centered[stop_part],
            args, device, args.epochs, desc=f"{label} 第 {fold} 折")
        oof_mlp[valid_index] = predict_log_price(model, x_valid, y_mean, device)
        curves.append(history)
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
    results_dir = output_dir()  # 输出目录不可写时在训练之前就报错
    device = get_device(args.device, verbose=True)
    set_seed(args.seed)
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

    # ------------------------------------------------------------ 交叉验证（训练时去掉离群点；可选：保留离群点作对照）
    results = {True: cross_validate(features, log_price, is_outlier, True, args, device)}
    if args.outlier_ablation:
        results[False] = cross_validate(features, log_price, is_outlier, False, args, device)
    regular = ~is_outlier
    everything = np.ones_like(regular)
    summary = {key: {"regular_houses": scores(results[drop], log_price, regular),
                     "all_houses": scores(results[drop], log_price, everything)}
               for drop, key in ((True, "drop_outliers"), (False, "keep_outliers")) if drop in results}
    main_score = summary["drop_outliers"]["regular_houses"]
    print(f"\n5 折交叉验证的 log-RMSE（在 {regular.sum()} 套面积不超过 {OUTLIER_AREA} 平方英尺的房子上）：")
    for key, name in (("drop_outliers", "训练时去掉离群点"), ("keep_outliers", "训练时保留离群点")):
        if key in summary:
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
    model, _, _ = train_mlp(x_all, y_all, None, None, args, device, final_epochs, desc="最终模型")
    model.cpu()
    test_price = np.exp(predict_log_price(model, preprocessor.transform(split_features(test_df)), y_mean))

    # 模型文件带着预处理统计量：读回它、只凭它预测 test.csv，应与上面的预测完全相同
    checkpoint = house_checkpoint(model, preprocessor, y_mean, args.hidden, args.dropout,
                                  cv_log_rmse_mlp=main_score["mlp"], final_epochs=final_epochs, quick_mode=is_quick())
    model_path, message = keep_better_checkpoint(checkpoint, results_dir / MODEL_FILE, score_key="cv_log_rmse_mlp",
                                                 higher_is_better=False, what="交叉验证 log-RMSE")
    print(message)
    reloaded_price = predict_prices(model_path, test_df)
    np.testing.assert_array_equal(reloaded_price, test_price, err_msg="只凭模型文件的预测与本次的预测不同")
    print(f"只凭模型文件 {relative_to_repo(model_path)}（参数 + 预处理统计量）预测 test.csv："
          f"{len(reloaded_price)} 套房子的预测与本次完全相同")

    submission_path = results_dir / SUBMISSION_FILE
    pd.DataFrame({"Id": test_df["Id"], "SalePrice": test_price}).to_csv(submission_path, index=False)
    print(f"最终模型训练 {final_epochs} 轮（各折早停轮数的中位数），特征 {x_all.shape[1]} 个；"
          f"提交文件已保存：{relative_to_repo(submission_path)}（{len(test_price)} 行，"
          f"预测价格中位数 {np.median(test_price):,.0f}）")

    seconds = time.perf_counter() - start
    print(f"完成：5 折交叉验证 log-RMSE：MLP {main_score['mlp']:.4f}，Ridge 对照 {main_score['ridge']:.4f}；"
          f"用时 {seconds:.1f} 秒")
    save_json("ch07_pytorch_dl/5_house_price.json", {
        "cv_log_rmse_mlp": main_score["mlp"], "cv_log_rmse_ridge": main_score["ridge"],
        "summary": summary, "best_epochs": results[True]["best_epochs"],
        "ridge_alphas": results[True]["ridge_alphas"], "final_epochs": final_epochs,
        "n_features": int(x_all.shape[1]), "model_file": relative_to_repo(model_path),
        "seconds": round(seconds, 1), "quick_mode": is_quick(), "settings": vars(args) | {"device": str(device)},
    })

    # ------------------------------------------------------------ 图 1：各折的学习曲线
    fig, (ax_train, ax_valid) = plt.subplots(1, 2, figsize=(12, 4.5))
    for fold, curve in enumerate(results[True]["curves"], start=1):
        ax_train.plot(np.arange(1, len(curve["train_loss"]) + 1), np.sqrt(curve["train_loss"]), label=f"第 {fold} 折")
        ax_valid.plot(np.arange(1, len(curve["val_rmse"]) + 1), curve["val_rmse"], label=f"第 {fold} 折")
        best = results[True]["best_epochs"][fold - 1]
        ax_valid.plot(best, curve["val_rmse"][best - 1], "k.", markersize=8)
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
    run(main)
