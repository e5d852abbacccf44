"""第 2 章练习 1 的参考答案：对 sin 在 x = 0.5 处做中心差分，最合适的 h 是多少？float32 呢？

运行：python ch03_train/solutions/ex2_1_sin_step.py
"""
import numpy as np

STEPS = [10.0 ** -k for k in range(1, 13)]  # h = 1e-1, 1e-2, …, 1e-12


def central_errors(dtype):
    """在 dtype 的精度下计算中心差分，返回每个 h 的绝对误差（与 cos(0.5) 比较，后者用 float64 算）。"""
    x, exact = dtype(0.5), np.cos(0.5)
    errors = []
    for h in STEPS:
        h = dtype(h)
        central = (np.sin(x + h) - np.sin(x - h)) / (dtype(2) * h)  # 全程在 dtype 中计算
        errors.append(abs(float(central) - exact))
    return errors


def solve():
    results = {}
    for dtype in (np.float64, np.float32):
        errors = central_errors(dtype)
        results[dtype.__name__] = {"errors": errors, "best_h": STEPS[int(np.argmin(errors))]}
    return results


def main():
    results = solve()
    print(f"{'h':>7}  {'float64 的误差':>10}  {'float32 的误差':>10}")
    for i, h in enumerate(STEPS):
        print(f"{h:7.0e}  {results['float64']['errors'][i]:14.1e}  {results['float32']['errors'][i]:14.1e}")
    for name, result in results.items():
        print(f"{name}：误差最小的 h = {result['best_h']:.0e}")


if __name__ == "__main__":
    main()
