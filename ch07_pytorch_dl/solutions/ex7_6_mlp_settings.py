"""第 7 章练习 6（前半）的参考答案：房价 MLP 换成 --hidden 256 --dropout 0.5，或 --weight-decay 0，交叉验证的 log-RMSE 怎样变化？

与 `python ch07_pytorch_dl/5_house_price.py [选项]` 做的是同一件事：按路径导入章节脚本，用它的 cross_validate
（同样的折、同样只从训练折去掉 4 套大房子、同样的早停），每种设置前都 set_seed(42)，与单独运行脚本时完全相同；
这里只做交叉验证，不训练最终模型、不写提交文件。

    python ch07_pytorch_dl/solutions/ex7_6_mlp_settings.py            # 三种设置，2 核 CPU 上约 1 分钟
    DL_QUICK=1 python ch07_pytorch_dl/solutions/ex7_6_mlp_settings.py # 400 套房子、每折至多 40 轮，几秒钟
"""
import argparse
import contextlib
import io
import sys
import time

import numpy as np

from common.chapters import load
from common.cli import run, script_parser
from common.device import get_device
from common.load_data import load_house_prices
from common.quick import is_quick, pick
from common.seed import set_seed

SEED = 42
EPOCHS = pick(real=400, quick=40)  # 每折最多训练的轮数（早停通常更早结束）
SETTINGS = {  # 名称 -> 与章节脚本默认值不同的选项
    "默认（--hidden 64 --dropout 0.2 --weight-decay 0.01）": {},
    "--hidden 256 --dropout 0.5": {"hidden": 256, "dropout": 0.5},
    "--weight-decay 0": {"weight_decay": 0.0},
}
DEFAULTS = {"epochs": EPOCHS, "patience": 40, "batch_size": 64, "lr": 3e-4, "weight_decay": 1e-2,
            "hidden": 64, "dropout": 0.2, "seed": SEED}  # 5_house_price.py 的默认值


def parse_args(argv):
    parser = script_parser("房价 MLP：三种设置的 5 折交叉验证", device=True)
    return parser.parse_args(argv)


def solve(device="cpu"):
    """返回 {设置: {"mlp": 折外 log-RMSE, "ridge": …, "best_epochs": [...]}}（在普通房子上打分）。"""
    script = load("ch07_pytorch_dl/5_house_price.py")
    train_df, _ = load_house_prices()
    if is_quick():
        train_df = train_df.sample(n=400, random_state=SEED).reset_index(drop=True)  # 与章节脚本的快速模式相同
    features = script.split_features(train_df)
    log_price = np.log(train_df["SalePrice"].to_numpy(dtype=np.float64))
    is_outlier = (train_df["GrLivArea"] > script.OUTLIER_AREA).to_numpy()
    results = {}
    for name, changes in SETTINGS.items():
        args = argparse.Namespace(**(DEFAULTS | changes))
        set_seed(SEED)  # 与单独运行 5_house_price.py 时相同的随机数
        with contextlib.redirect_stdout(io.StringIO()):  # 章节脚本每折打印一行；这里只要汇总
            result = script.cross_validate(features, log_price, is_outlier, True, args, device)
        results[name] = script.scores(result, log_price, ~is_outlier) | {"best_epochs": result["best_epochs"]}
    return results


def main(argv=()):
    args = parse_args(argv)
    device = get_device(args.device)  # 设备不可用时抛出 ValueError，由 run 变成一行“错误：…”
    start = time.perf_counter()
    results = solve(device)
    print("5 折交叉验证的 log-RMSE（训练时去掉 4 套大房子，在普通房子上打分）：")
    for name, r in results.items():
        print(f"  {name}：MLP {r['mlp']:.4f}，Ridge {r['ridge']:.4f}；各折早停在第 {r['best_epochs']} 轮")
    print(f"用时 {time.perf_counter() - start:.0f} 秒")


if __name__ == "__main__":
    run(lambda: main(sys.argv[1:]))
