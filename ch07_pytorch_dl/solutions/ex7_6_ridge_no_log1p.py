"""第 7 章练习 6（后半）的参考答案：house_features.py 的 SKEW_THRESHOLD 设得很大（不取 log1p），Ridge 的分数怎样变化？

不改章节文件：按路径导入 house_features.py，把模块里的 SKEW_THRESHOLD 改掉（Preprocessor.fit 每次都读它），
再按 5_house_price.py 的做法做 Ridge 的 5 折交叉验证：同样的折（KFold，种子 42）、只从训练折去掉 4 套大房子、
RidgeCV 在训练折内部选正则化强度、在 1456 套普通房子上打分。

    python ch07_pytorch_dl/solutions/ex7_6_ridge_no_log1p.py
"""
import numpy as np
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import KFold

from common.chapters import load
from common.load_data import load_house_prices

SEED = 42  # 5_house_price.py 的默认种子
N_FOLDS = 5
RIDGE_ALPHAS = np.logspace(-1, 3, 13)  # 与 5_house_price.py 相同
THRESHOLDS = [0.75, float("inf")]  # 章节的默认值；无穷大 = 哪一列也不取 log1p


def ridge_cv(hf, features, log_price, is_outlier):
    """5_house_price.py 的 Ridge 一半。

    返回 (普通房子上的折外 log-RMSE, 各折取 log1p 的列数, 各折选中的 alpha, 第 1 折取 log1p 的列名)。
    """
    oof = np.zeros(len(features))
    n_skewed, alphas, first_fold_columns = [], [], None
    for train_index, valid_index in KFold(n_splits=N_FOLDS, shuffle=True, random_state=SEED).split(features):
        train_index = train_index[~is_outlier[train_index]]
        preprocessor = hf.Preprocessor().fit(features.iloc[train_index])
        ridge = RidgeCV(alphas=RIDGE_ALPHAS).fit(preprocessor.transform(features.iloc[train_index]),
                                                 log_price[train_index])
        oof[valid_index] = ridge.predict(preprocessor.transform(features.iloc[valid_index]))
        n_skewed.append(len(preprocessor.skewed_columns))
        if first_fold_columns is None:
            first_fold_columns = list(preprocessor.skewed_columns)
        alphas.append(float(ridge.alpha_))
    regular = ~is_outlier
    return hf.log_rmse(oof[regular], log_price[regular]), n_skewed, alphas, first_fold_columns


def solve():
    hf = load("ch07_pytorch_dl/house_features.py")
    train_df, _ = load_house_prices()
    features = hf.split_features(train_df)
    log_price = np.log(train_df["SalePrice"].to_numpy(dtype=np.float64))
    is_outlier = (train_df["GrLivArea"] > hf.OUTLIER_AREA).to_numpy()
    results, chapter_threshold = {}, hf.SKEW_THRESHOLD
    try:
        for threshold in THRESHOLDS:
            hf.SKEW_THRESHOLD = threshold
            results[threshold] = ridge_cv(hf, features, log_price, is_outlier)
    finally:
        hf.SKEW_THRESHOLD = chapter_threshold  # 放回原样：同一进程里别处用到的还是章节的设置
    return results


def main():
    for threshold, (score, n_skewed, alphas, columns) in solve().items():
        print(f"SKEW_THRESHOLD = {threshold:g}：取 log1p 的列 {min(n_skewed)}～{max(n_skewed)} 个，"
              f"Ridge 交叉验证 log-RMSE {score:.4f}（各折的 alpha {', '.join(f'{a:.3g}' for a in alphas)}）")
        if columns:
            print(f"  第 1 折取 log1p 的列：{', '.join(columns)}")


if __name__ == "__main__":
    main()
