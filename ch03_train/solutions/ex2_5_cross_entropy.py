"""第 2 章练习 5 的参考答案：手算两个样本正确类别的概率，验证交叉熵。

运行：python ch03_train/solutions/ex2_5_cross_entropy.py
"""
import math

import numpy as np

from common.functions import cross_entropy, softmax


def solve():
    # 手算：p = e^(正确类别的 logit) / Σ e^(各类的 logit)
    p1 = math.exp(2.0) / (math.exp(0.1) + math.exp(0.5) + math.exp(2.0))  # 样本 1，正确类别 2
    p2 = math.exp(0.3) / (math.exp(0.3) + math.exp(1.5) + math.exp(0.2))  # 样本 2，正确类别 0
    by_hand = -(math.log(p1) + math.log(p2)) / 2
    y = softmax(np.array([[0.1, 0.5, 2.0], [0.3, 1.5, 0.2]]))
    return {"p1": p1, "p2": p2, "by_hand": by_hand, "library": float(cross_entropy(y, np.array([2, 0])))}


def main():
    results = solve()
    print(f"样本 1 正确类别的概率 {results['p1']:.4f}，-log = {-math.log(results['p1']):.4f}")
    print(f"样本 2 正确类别的概率 {results['p2']:.4f}，-log = {-math.log(results['p2']):.4f}")
    print(f"手算的交叉熵（两者的平均）{results['by_hand']:.4f}；cross_entropy 打印的 {results['library']:.4f}")


if __name__ == "__main__":
    main()
