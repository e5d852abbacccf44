"""第 1 章练习 2 的参考答案：用数值微分检验 sigmoid 和 swish 的导数公式。

运行：python ch02_nn_base/solutions/ex1_2_derivatives.py
"""
from common.functions import sigmoid, sigmoid_grad, swish
from common.gradient import numerical_diff


def swish_grad(x):
    """本章给出的公式：swish'(x) = σ(x) + x σ(x)(1 - σ(x))。common/functions.py 里没有它，这里照公式写出。"""
    return sigmoid(x) + x * sigmoid(x) * (1 - sigmoid(x))


def solve():
    """返回 {(函数名, x): (数值微分, 公式)}。"""
    results = {}
    for name, f, grad in [("sigmoid", sigmoid, sigmoid_grad), ("swish", swish, swish_grad)]:
        for x in (-2.0, 0.0, 3.0):
            results[(name, x)] = (float(numerical_diff(f, x)), float(grad(x)))
    return results


def main():
    print("函数       x     数值微分      公式          差的绝对值")
    for (name, x), (numerical, formula) in solve().items():
        print(f"{name:<8} {x:4.0f}  {numerical:.10f}  {formula:.10f}  {abs(numerical - formula):.0e}")


if __name__ == "__main__":
    main()
