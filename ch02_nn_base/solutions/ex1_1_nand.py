"""第 1 章练习 1 的参考答案：另一组与非门参数，以及只用与非门搭出异或门。

运行：python ch02_nn_base/solutions/ex1_1_nand.py
"""
from common.functions import step_function


def perceptron(x1, x2, w1, w2, b):
    """两输入感知机：w1*x1 + w2*x2 + b > 0 时输出 1，否则输出 0。"""
    return int(step_function(w1 * x1 + w2 * x2 + b))


def NAND(x1, x2):
    # 条件：b > 0（输入 0,0 输出 1）；w1 + b > 0、w2 + b > 0（只有一个输入为 1 时输出 1）；
    # w1 + w2 + b <= 0（两个输入都为 1 时输出 0）。(-0.5, -0.5, 0.7) 满足全部四条
    return perceptron(x1, x2, -0.5, -0.5, 0.7)


def XOR(x1, x2):
    """只用与非门：s = NAND(x1, x2)，XOR = NAND(NAND(x1, s), NAND(x2, s))，共 4 个门。"""
    s = NAND(x1, x2)
    return NAND(NAND(x1, s), NAND(x2, s))


def solve():
    inputs = [(0, 0), (0, 1), (1, 0), (1, 1)]
    return {"NAND": [NAND(*x) for x in inputs], "XOR": [XOR(*x) for x in inputs]}


def main():
    results = solve()
    print("输入        (0,0) (0,1) (1,0) (1,1)")
    for name, outputs in results.items():
        print(f"{name:<10}" + "".join(f"{y:>6}" for y in outputs))


if __name__ == "__main__":
    main()
