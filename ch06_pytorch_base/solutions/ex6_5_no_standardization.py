"""第 6 章练习 5 的参考答案：9_linear_regression.py 不标准化面积（直接用千平方英尺），全批量梯度下降会怎样？

按路径导入章节脚本，用它的数据（同一个种子、同样去掉 4 套大房子、同样的训练集）、闭式解和写法 2 的
fit_autograd（float32，损失涨到开始时的 10 倍以上就报 TrainingDivergedError），只是不做标准化：
1. 学习率 0.1、200 步，与（原始单位下的）闭式解差多少；作对照，标准化后同样的设置差多少；
2. 损失的黑塞矩阵 H = 2·[[mean(x²), mean(x)], [mean(x), 1]] 的最大特征值 λmax 决定发散的临界学习率 2/λmax；
   在它两侧各试几个学习率，看是否真的从这里开始发散。

    python ch06_pytorch_base/solutions/ex6_5_no_standardization.py
"""
import re

import torch

from common.chapters import load
from common.divergence import TrainingDivergedError

SEED = 42  # 9_linear_regression.py 的默认种子
STEPS = 200
LR = 0.1
SCAN_LRS = [0.2, 0.28, 0.29, 0.295, 0.3, 0.4]


def distance(fit, reference):
    """(w, b) 与闭式解的最大差，与章节脚本的 max_param_diff 相同。"""
    return max(abs(fit[0] - reference[0]), abs(fit[1] - reference[1]))


def run(script, x, y, lr, steps):
    """全批量梯度下降；返回 (w, b, None)，发散时返回 (None, None, 出错信息)。"""
    try:
        w, b, _ = script.fit_autograd(x, y, lr, steps)
        return w, b, None
    except TrainingDivergedError as error:
        return None, None, str(error)


def solve():
    script = load("ch06_pytorch_base/9_linear_regression.py")
    x_train, _, y_train, _, _ = script.load_area_and_log_price(SEED)
    mean, std = x_train.mean(), x_train.std()
    z_train = script.standardize(x_train, mean, std)
    x64 = x_train.double().squeeze(1)
    hessian = 2 * torch.tensor([[(x64 ** 2).mean(), x64.mean()], [x64.mean(), 1.0]], dtype=torch.float64)
    eigenvalues = torch.linalg.eigvalsh(hessian)  # 从小到大
    results = {"lambda_min": eigenvalues[0].item(), "lambda_max": eigenvalues[1].item(),
               "critical_lr": 2 / eigenvalues[1].item(), "scan": {}}
    for name, x in (("raw", x_train), ("standardized", z_train)):
        reference = script.fit_closed_form(x, y_train)
        w, b, _ = run(script, x, y_train, LR, STEPS)
        results[name] = {"closed_form": reference, "gd": (w, b), "distance": distance((w, b), reference)}
    for lr in SCAN_LRS:
        w, b, error = run(script, x_train, y_train, lr, STEPS)
        results["scan"][lr] = {"distance": None if error else distance((w, b), results["raw"]["closed_form"]),
                               "error": error}
    return results


def main():
    r = solve()
    raw, standardized = r["raw"], r["standardized"]
    print(f"原始单位：闭式解 w = {raw['closed_form'][0]:.6f}，b = {raw['closed_form'][1]:.6f}；"
          f"学习率 {LR}、{STEPS} 步后 w = {raw['gd'][0]:.6f}，b = {raw['gd'][1]:.6f}，与闭式解的最大差 {raw['distance']:.3f}")
    print(f"标准化后（对照）：同样的学习率和步数，与闭式解的最大差 {standardized['distance']:.1e}")
    print(f"黑塞矩阵的特征值 {r['lambda_min']:.3f} 和 {r['lambda_max']:.3f}，条件数 {r['lambda_max'] / r['lambda_min']:.1f}；"
          f"发散的临界学习率 2/λmax = {r['critical_lr']:.4f}；"
          f"沿平缓方向每步只缩小到 1 - {LR}×λmin = {1 - LR * r['lambda_min']:.4f} 倍，"
          f"{STEPS} 步共 {(1 - LR * r['lambda_min']) ** STEPS:.3f} 倍")
    for lr, s in r["scan"].items():
        if s["error"] is None:
            print(f"  学习率 {lr}：{STEPS} 步后与闭式解的最大差 {s['distance']:.3f}")
        else:
            step = re.search(r"第 (\d+) 步", s["error"]).group(1)
            print(f"  学习率 {lr}：发散（第 {step} 步的损失超过开始时的 10 倍，TrainingDivergedError）")


if __name__ == "__main__":
    main()
