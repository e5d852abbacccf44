"""数值微分与数值梯度（docs/02_神经网络的学习.md），也用来检验反向传播（梯度检验，gradient check）。

都用中心差分（central difference）：(f(x + h) - f(x - h)) / (2h)。
它的截断误差是 O(h^2)，比前向差分 (f(x + h) - f(x)) / h 的 O(h) 小得多。
h = 1e-4 是折中：h 太小时 f(x + h) - f(x - h) 会被浮点舍入误差淹没。
"""
import numpy as np


def numerical_diff(f, x, h=1e-4):
    """一元函数 f 在标量 x 处的导数（中心差分）。

    f: 接收一个数、返回一个数的函数；x: 标量；返回 float。
    """
    return (f(x + h) - f(x - h)) / (2 * h)


def _numerical_gradient_1d(f, x):
    """一维数组 x 上的数值梯度：逐个元素做中心差分。

    x: (D,) 的浮点数组；f(x) 返回标量。
    计算时会临时改动 x 的元素，结束后（即使 f 抛出异常）逐个恢复原值。
    返回 (D,) 的数组，dtype 与 x 相同。
    """
    if np.ndim(x) != 1:
        raise ValueError(f"_numerical_gradient_1d: x 应为一维数组，实际形状为 {np.shape(x)}")
    return numerical_gradient(f, x)


def numerical_gradient(f, x):
    """任意形状数组 x 上的数值梯度：对 x 的每个元素做中心差分，h = 1e-4。

    f: 以 x 为参数、返回标量损失的函数。它可以不用参数而通过闭包读取 x
       （如 ``f = lambda w: net.loss(x_batch, t_batch)``，网络内部引用的就是同一个权重数组），
       所以这里原地改动 x 的元素，而不是传入副本。
    x: 任意形状的浮点数组（可以是视图），会被临时改动，结束后（即使 f 抛出异常）恢复为原值。
    返回与 x 同形状、同 dtype 的梯度数组（梯度检验请用 float64）。
    """
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise TypeError(
            "numerical_gradient: x 应为浮点 NumPy 数组（会被原地扰动），"
            f"实际为 {type(x).__name__}，dtype {getattr(x, 'dtype', None)}"
        )
    h = 1e-4
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):  # 逐个元素：index 是多维下标，0 维数组也适用
        original = x[index]  # 取出的是标量（副本），不是视图
        try:
            x[index] = original + h
            f_plus = float(f(x))
            x[index] = original - h
            f_minus = float(f(x))
        finally:
            x[index] = original  # 无论 f 是否出错，都把这个元素还原
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad
