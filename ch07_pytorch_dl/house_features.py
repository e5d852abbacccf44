"""Kaggle 房价（Ames）的预处理与模型：5_house_price.py 用它，保存下来的模型文件也靠它单独做预测。

- split_features：去掉 Id 与 SalePrice，把本质上是类别的数值列转成字符串；
- Preprocessor：只在训练部分上 fit（中位数、偏度大的列、均值与标准差、各类别列见过的类别），再 transform 任意部分；
  to_dict / from_dict 把这些统计量变成普通的字典和列表，随模型一起保存（weights_only=True 也能读回）；
- log_rmse：竞赛指标，对数价格的均方根误差；
- make_model：一个隐藏层的 MLP；
- save_house_model / predict_prices：模型文件里带着预处理的统计量和目标均值，拿到文件就能为新的房子预测价格。
"""
import numpy as np
import pandas as pd
import torch
from torch import nn

from common.checkpoint import load_checkpoint, load_model_state
from common.divergence import check_finite_values

OUTLIER_AREA = 4000  # 平方英尺；GrLivArea 超过它的房子按数据集作者的建议从训练数据中去掉
SKEW_THRESHOLD = 0.75  # 偏度超过它的数值列取 log1p
MISSING = "缺失"  # 类别列里的缺失值当作这样一个类别
CHECKPOINT_KEYS = ("model_state", "preprocessor", "y_mean", "n_features", "hidden", "dropout")
HOW_TO_MAKE = "先运行 python ch07_pytorch_dl/5_house_price.py 训练并保存它"


def split_features(df):
    """去掉 Id 与 SalePrice，把本质上是类别的数值列（房屋类型代码 MSSubClass）转成字符串。"""
    features = df.drop(columns=["Id", "SalePrice"], errors="ignore").copy()
    features["MSSubClass"] = features["MSSubClass"].astype(str)
    return features


def log_rmse(log_pred, log_true):
    """竞赛指标：对数价格的均方根误差。"""
    return float(np.sqrt(np.mean((np.asarray(log_pred) - np.asarray(log_true)) ** 2)))


class Preprocessor:
    """在训练部分上 fit（记下中位数、偏度大的列、均值与标准差、各类别列见过的类别），再 transform 任意部分。

    - 数值列：缺失值用训练部分的中位数填充；偏度大于 0.75 的非负列取 log1p；再用训练部分的均值、标准差标准化；
    - 类别列：one-hot（显式指定 float32；pandas 2 的 get_dummies 默认返回 bool），缺失当作一个类别；
      只认训练部分见过的类别，没见过的类别在所有 one-hot 列上都是 0。
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
        self.categories = {c: sorted(features[c].fillna(MISSING).astype(str).unique())
                           for c in self.categorical_columns}
        return self

    def _log_skewed(self, numeric):
        numeric = numeric.copy()
        numeric[self.skewed_columns] = np.log1p(numeric[self.skewed_columns])
        return numeric

    def transform(self, features):
        missing = [c for c in self.numeric_columns + self.categorical_columns if c not in features.columns]
        if missing:
            raise ValueError(f"要预测的数据缺少训练时用过的列：{', '.join(missing[:5])}"
                             f"{' 等' if len(missing) > 5 else ''}（共 {len(missing)} 列）")
        numeric = self._log_skewed(features[self.numeric_columns].fillna(self.medians))
        numeric = (numeric - self.means) / self.stds
        # 把每个类别列变成只含训练时见过的类别的 Categorical：没见过的类别变成 NaN，one-hot 全为 0
        categorical = pd.DataFrame(index=features.index)
        for c in self.categorical_columns:
            values = features[c].fillna(MISSING).astype(str)
            values = values.where(values.isin(self.categories[c]))  # 没见过的类别 -> NaN
            categorical[c] = pd.Categorical(values, categories=self.categories[c])
        one_hot = pd.get_dummies(categorical, dtype=np.float32)  # 显式 float32，而不是 pandas 2 默认的 bool
        return pd.concat([numeric.astype(np.float32), one_hot], axis=1).to_numpy(dtype=np.float32)

    def to_dict(self):
        """fit 得到的全部统计量，写成只含字符串、数和列表的字典（可以放进 weights_only=True 的模型文件）。"""
        return {"numeric_columns": list(self.numeric_columns),
                "categorical_columns": list(self.categorical_columns),
                "skewed_columns": list(self.skewed_columns),
                "medians": {c: float(v) for c, v in self.medians.items()},
                "means": {c: float(v) for c, v in self.means.items()},
                "stds": {c: float(v) for c, v in self.stds.items()},
                "categories": {c: list(v) for c, v in self.categories.items()}}

    @classmethod
    def from_dict(cls, state):
        """to_dict 的反过程：不必再看训练数据，就得到一个能 transform 的 Preprocessor。"""
        preprocessor = cls()
        preprocessor.numeric_columns = list(state["numeric_columns"])
        preprocessor.categorical_columns = list(state["categorical_columns"])
        preprocessor.skewed_columns = list(state["skewed_columns"])
        for name in ("medians", "means", "stds"):
            setattr(preprocessor, name, pd.Series(state[name], dtype=np.float64)[preprocessor.numeric_columns])
        preprocessor.categories = {c: list(v) for c, v in state["categories"].items()}
        return preprocessor


def make_model(n_features, hidden, dropout):
    """一个隐藏层的 MLP：(N, n_features) → (N, 1)，输出是减去目标均值后的对数价格。"""
    return nn.Sequential(
        nn.Linear(n_features, hidden),
        nn.ReLU(),
        nn.Dropout(dropout),
        nn.Linear(hidden, 1),
    )


def predict_log_price(model, x, y_mean, device="cpu"):
    """x: (N, D) float32 数组 → 对数价格 (N,)；输出有 nan/inf（模型已经发散）时抛出 TrainingDivergedError。"""
    model.eval()
    with torch.no_grad():
        centered = model(torch.from_numpy(x).to(device)).cpu().numpy().ravel()
    # 先转成 float64 再加均值：y_mean 是 Python 的 float 还是 NumPy 的 float64，结果都一样
    return check_finite_values(centered.astype(np.float64) + float(y_mean), what="预测的对数价格")


def house_checkpoint(model, preprocessor, y_mean, hidden, dropout, **extra):
    """模型文件的内容：参数 + 预处理统计量 + 目标均值 + 结构设置，都是普通类型，weights_only=True 可以读回。"""
    return {"model_state": {k: v.detach().cpu() for k, v in model.state_dict().items()},
            "preprocessor": preprocessor.to_dict(), "y_mean": float(y_mean),
            "n_features": int(model[0].in_features), "hidden": int(hidden), "dropout": float(dropout), **extra}


def load_house_model(path):
    """读取 5_house_price.py 保存的模型文件，返回 (model, preprocessor, y_mean)；文件有问题时抛出 CheckpointError。"""
    checkpoint = load_checkpoint(path, required_keys=CHECKPOINT_KEYS, how_to_make=HOW_TO_MAKE)
    model = make_model(checkpoint["n_features"], checkpoint["hidden"], checkpoint["dropout"])
    load_model_state(model, checkpoint["model_state"], path)
    return model, Preprocessor.from_dict(checkpoint["preprocessor"]), checkpoint["y_mean"]


def predict_prices(path, df):
    """只凭模型文件为 df（与 train.csv / test.csv 同样的列）里的房子预测售价（美元），返回 (N,) 数组。"""
    model, preprocessor, y_mean = load_house_model(path)
    return np.exp(predict_log_price(model, preprocessor.transform(split_features(df)), y_mean))
