"""第 2 章练习 3 的参考答案：离群点从 100 变成 1000，三个损失选出的最优常数 c 各是多少？beta = 50 呢？

注意候选范围：均方误差的最优 c 是均值 202，超出了正文代码的候选范围 [0, 30]，
不扩大范围的话它只会停在边界 30 上。这里在 [0, 300] 上以 0.1 为间隔搜索。
运行：python ch03_train/solutions/ex2_3_outlier.py
"""
import numpy as np

from common.functions import mean_absolute_error, mean_squared_error, smooth_l1

CANDIDATES = np.linspace(0, 300, 3001)  # 间隔 0.1


def best_constant(loss, t):
    """在 CANDIDATES 中找使 loss(c, t) 最小的常数 c。"""
    values = [loss(np.full_like(t, c), t) for c in CANDIDATES]
    return float(CANDIDATES[int(np.argmin(values))])


def solve():
    results = {}
    for outlier in (100.0, 1000.0):
        t = np.array([1.0, 2.0, 3.0, 4.0, outlier])
        results[outlier] = {
            "mean_squared_error": best_constant(mean_squared_error, t),
            "mean_absolute_error": best_constant(mean_absolute_error, t),
            "smooth_l1": best_constant(smooth_l1, t),
            "smooth_l1_beta50": best_constant(lambda y, t: smooth_l1(y, t, beta=50.0), t),
        }
    return results


def main():
    for outlier, result in solve().items():
        print(f"离群点 {outlier:g}：" + "  ".join(f"{name} c = {c:.1f}" for name, c in result.items()))


if __name__ == "__main__":
    main()
