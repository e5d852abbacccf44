"""第 6 章练习 2 的参考答案：用自动求导求 f(x, y) = x²/20 + y² 在 (-7, 2) 处的梯度，与手算的 (x/10, 2y) 比较。

    python ch06_pytorch_base/solutions/ex6_2_autograd_quadratic.py
"""
import torch


def solve(x0=-7.0, y0=2.0):
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    y = torch.tensor(y0, dtype=torch.float64, requires_grad=True)
    f = x ** 2 / 20 + y ** 2
    f.backward()
    return {"f": f.item(), "autograd": (x.grad.item(), y.grad.item()), "by_hand": (x0 / 10, 2 * y0)}


def main():
    r = solve()
    print(f"f(-7, 2) = {r['f']:.2f}")
    print(f"autograd：(df/dx, df/dy) = ({r['autograd'][0]:.2f}, {r['autograd'][1]:.2f})")
    print(f"手算 (x/10, 2y)         = ({r['by_hand'][0]:.2f}, {r['by_hand'][1]:.2f})")
    # 2x/20 与 x/10 在浮点数里的舍入可能差最后一位，所以按容差比较
    same = all(abs(a - b) <= 1e-12 for a, b in zip(r["autograd"], r["by_hand"]))
    print(f"一致（相差不超过 1e-12）：{same}")


if __name__ == "__main__":
    main()
