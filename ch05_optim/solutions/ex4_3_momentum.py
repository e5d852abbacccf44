"""第 4 章练习 3 的参考答案：Momentum 的 momentum 取 0.5、0.9、0.99，在 f(x, y) = x²/20 + y² 上走 30 步。

起点 (-7, 2) 与学习率 0.1 都与 ch05_optim/1_optimizer_compare.py 中 Momentum 的设置相同。
运行：python ch05_optim/solutions/ex4_3_momentum.py
"""
import numpy as np

from common.optimizer import Momentum

START_POINT = (-7.0, 2.0)
LEARNING_RATE = 0.1
STEPS = 30
MOMENTUMS = [0.5, 0.9, 0.99]


def f(x, y):
    return x ** 2 / 20.0 + y ** 2


def grad_f(params):
    """∂f/∂x = x/10，∂f/∂y = 2y。"""
    return {"x": params["x"] / 10.0, "y": 2.0 * params["y"]}


def solve():
    """返回 {momentum: (30 步后的 x, y, f)}。"""
    results = {}
    for momentum in MOMENTUMS:
        optimizer = Momentum(lr=LEARNING_RATE, momentum=momentum)
        params = {"x": np.array(START_POINT[0]), "y": np.array(START_POINT[1])}
        for _ in range(STEPS):
            optimizer.update(params, grad_f(params))
        x, y = float(params["x"]), float(params["y"])
        results[momentum] = (x, y, f(x, y))
    return results


def main():
    for momentum, (x, y, value) in solve().items():
        print(f"momentum {momentum:<4}：{STEPS} 步后 (x, y) = ({x:.3f}, {y:.3f})，f = {value:.4f}")


if __name__ == "__main__":
    main()
