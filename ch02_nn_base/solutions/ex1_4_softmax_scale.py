"""第 1 章练习 4 的参考答案：输入放大 10 倍，softmax 的输出变得更“自信”。

运行：python ch02_nn_base/solutions/ex1_4_softmax_scale.py
"""
import numpy as np

from common.functions import softmax


def solve():
    small = softmax(np.array([2.0, 1.0, 0.1]))
    large = softmax(np.array([20.0, 10.0, 1.0]))
    return {"small": small, "large": large,
            "ratio_small": small[0] / small[1], "ratio_large": large[0] / large[1]}


def main():
    results = solve()
    print("softmax([2, 1, 0.1])  =", " ".join(f"{p:.4g}" for p in results["small"]))
    print("softmax([20, 10, 1])  =", " ".join(f"{p:.5g}" for p in results["large"]))
    print(f"第 1 类与第 2 类的概率之比：{results['ratio_small']:.4g}（= e^1）→ {results['ratio_large']:.5g}（= e^10）")


if __name__ == "__main__":
    main()
