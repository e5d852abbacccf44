"""第 5 章练习 2 的参考答案：torch.arange(1, 1.3, 0.1) 得到几个数？

arange 先算个数 ceil((end - start) / step)，这一步用双精度：0.1 和 1.3 都不能用二进制精确表示，
(1.3 - 1) / 0.1 算出来比 3 略大，向上取整得 4，于是多出一个约等于 1.3 的数（“不含终点”落了空）。

    python ch06_pytorch_base/solutions/ex5_2_arange.py
"""
import math

import torch


def solve():
    values = torch.arange(1, 1.3, 0.1)
    ratio = (1.3 - 1) / 0.1  # arange 内部算个数时的商（双精度）
    return {
        "arange": values.tolist(),
        "ratio": ratio,
        "count": math.ceil(ratio),
        "linspace": torch.linspace(1, 1.2, 3).tolist(),  # 给定个数（含终点），不受舍入影响
        "integer_then_divide": (torch.arange(10, 13) / 10).tolist(),  # 先用整数 arange，再除以 10
    }


def main():
    r = solve()
    print(f"torch.arange(1, 1.3, 0.1)：{len(r['arange'])} 个数 {[round(v, 4) for v in r['arange']]}，"
          f"最后一个是 {r['arange'][-1]!r}")
    print(f"个数 = ceil((1.3 - 1) / 0.1) = ceil({r['ratio']!r}) = {r['count']}")
    print(f"torch.linspace(1, 1.2, 3)：{[round(v, 4) for v in r['linspace']]}")
    print(f"torch.arange(10, 13) / 10：{[round(v, 4) for v in r['integer_then_divide']]}")


if __name__ == "__main__":
    main()
