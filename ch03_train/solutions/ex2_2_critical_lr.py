"""第 2 章练习 2 的参考答案：在 f(x0, x1) = x0² + 3x1² 上，学习率超过多少梯度下降就发散？

x1 方向每步乘以 1 - 6η：|1 - 6η| > 1，即 η > 1/3 时发散；x0 方向每步乘以 1 - 2η，η > 1 才发散。
运行：python ch03_train/solutions/ex2_2_critical_lr.py
"""
import numpy as np

from common.gradient import numerical_gradient

LEARNING_RATES = [0.3, 0.33, 1 / 3, 0.34, 0.35]


def f(x):
    return x[0] ** 2 + 3 * x[1] ** 2


def gradient_descent(f, init_x, lr, step_num=100):
    """与 2.4 节相同：沿数值梯度的反方向走 step_num 步。"""
    x = np.array(init_x, dtype=np.float64)
    for _ in range(step_num):
        x -= lr * numerical_gradient(f, x)
    return x


def solve():
    """返回 {学习率: 100 步后的 f(x)}，起点与 2.4 节相同：(-3, 4)。"""
    return {lr: float(f(gradient_descent(f, [-3.0, 4.0], lr))) for lr in LEARNING_RATES}


def main():
    for lr, value in solve().items():
        print(f"学习率 {lr:.4f}（x1 方向每步乘以 {1 - 6 * lr:+.4f}）：100 步后 f(x) = {value:.3g}")


if __name__ == "__main__":
    main()
