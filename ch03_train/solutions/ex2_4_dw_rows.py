"""第 2 章练习 4 的参考答案：一个样本时 dW 的两行成比例，比值就是 x[0, 0] / x[0, 1]。

运行：python ch03_train/solutions/ex2_4_dw_rows.py
"""
import numpy as np

from common.functions import cross_entropy, log_softmax, softmax
from common.gradient import numerical_gradient
from common.seed import set_seed


def solve():
    set_seed(42)  # 与 2.5 节相同的 W、x、t
    W = np.random.randn(2, 3)
    x = np.array([[0.6, 0.9]])
    t = np.array([2])
    dW = numerical_gradient(lambda w: cross_entropy(softmax(x @ W), t), W)
    analytic = x.T @ (softmax(x @ W) - np.eye(3)[t])  # 第 3 章的结果：dL/dW = X^T (Y - T)
    # 对照：不加 1e-7、直接用 log_softmax 算的精确交叉熵，同样的数值微分
    exact_dW = numerical_gradient(lambda w: -log_softmax(x @ w)[0, t[0]], W)
    return {"dW": dW, "row_ratio": dW[0] / dW[1], "x_ratio": x[0, 0] / x[0, 1],
            "max_error_vs_formula": float(np.max(np.abs(dW - analytic))),
            "exact_max_error_vs_formula": float(np.max(np.abs(exact_dW - analytic)))}


def main():
    results = solve()
    print("dW =\n", np.round(results["dW"], 4))
    print("dW[0] / dW[1] =", np.round(results["row_ratio"], 4))
    print(f"x[0, 0] / x[0, 1] = {results['x_ratio']:.4f}")
    print(f"与 X^T (Y - T) 的最大差：{results['max_error_vs_formula']:.0e}")
    print(f"换成不加 1e-7 的精确交叉熵（-log_softmax）后的最大差：{results['exact_max_error_vs_formula']:.0e}")


if __name__ == "__main__":
    main()
