"""第 8 章练习 3 的参考答案：64 → 128 通道、3×3 的卷积层有多少参数、要做多少次乘加？深度可分离卷积呢？

先按公式数，再用 3_deep_cnn.ipynb 的 trace 所用的 torchinfo.summary 数一遍对照。
输入 56×56、填充 1、步幅 1，所以输出也是 56×56。

    python ch08_cnn/solutions/ex8_3_conv_params.py
"""
from torch import nn
from torchinfo import summary

C_IN, C_OUT, K, SIZE = 64, 128, 3, 56


def standard_conv():
    return nn.Conv2d(C_IN, C_OUT, kernel_size=K, padding=1)


def separable_conv():
    """深度可分离卷积：逐通道的 3×3 卷积（groups=C_IN，每个通道一个卷积核）+ 1×1 卷积混合通道。"""
    return nn.Sequential(nn.Conv2d(C_IN, C_IN, kernel_size=K, padding=1, groups=C_IN),
                         nn.Conv2d(C_IN, C_OUT, kernel_size=1))


def by_formula():
    """{名称: (参数个数, 乘加次数)}；乘加只数乘以权重的那部分，偏置的加法另算。"""
    positions = SIZE * SIZE
    standard = (C_OUT * C_IN * K * K + C_OUT, positions * C_OUT * C_IN * K * K)
    depthwise = (C_IN * K * K + C_IN, positions * C_IN * K * K)
    pointwise = (C_OUT * C_IN + C_OUT, positions * C_OUT * C_IN)
    separable = (depthwise[0] + pointwise[0], depthwise[1] + pointwise[1])
    return {"普通卷积": standard, "深度可分离": separable}


def solve():
    results = {}
    formula = by_formula()
    for name, model in [("普通卷积", standard_conv()), ("深度可分离", separable_conv())]:
        stats = summary(model, input_size=(1, C_IN, SIZE, SIZE), verbose=0)
        results[name] = {"params": formula[name][0], "macs": formula[name][1],
                         "torchinfo_params": stats.total_params, "torchinfo_mult_adds": stats.total_mult_adds}
    return results


def main():
    results = solve()
    for name, r in results.items():
        print(f"{name}：参数 {r['params']:,}（torchinfo {r['torchinfo_params']:,}），"
              f"乘加 {r['macs']:,}（torchinfo {r['torchinfo_mult_adds']:,}，含偏置的 {r['torchinfo_mult_adds'] - r['macs']:,} 次加法）")
    standard, separable = results["普通卷积"], results["深度可分离"]
    print(f"深度可分离卷积的参数是普通卷积的 {separable['params'] / standard['params']:.4f} 倍，"
          f"乘加是 {separable['macs'] / standard['macs']:.4f} 倍")


if __name__ == "__main__":
    main()
