"""第 4 章练习 1 的参考答案：隐藏层数取 4、8、16 时，sigmoid 网络的梯度怎样随深度衰减？

与 4.1 节第一段代码相同的数据、网络和种子，只改变隐藏层数 depth。
运行：python ch05_optim/solutions/ex4_1_depth.py
"""
import numpy as np

from common.multi_layer_net import MultiLayerNet
from common.seed import set_seed

DEPTHS = [4, 8, 16]
SETTINGS = [("sigmoid", "xavier"), ("sigmoid", 0.01)]


def preactivation_grad_norms(net, x, t):
    """各隐藏层加权和的梯度 dL/dA 的范数，从第 1 层到最后一个隐藏层（与 4.1 节相同）。"""
    net.loss(x, t, train_flg=True)
    dout = net.last_layer.backward(1)
    norms = []
    for name, layer in reversed(net.layers.items()):
        dout = layer.backward(dout)
        if name.startswith("Activation_function"):
            norms.append(np.linalg.norm(dout))
    return norms[::-1]


def solve():
    """返回 {(激活函数, 初始值, 隐藏层数): (第 1 层与最后一层的范数之比, 每往前一层的倍数, 相邻两层之比的最小值, 最大值)}。

    “每往前一层的倍数”是首末两层之比开 (层数 - 1) 次方，即各层倍数的几何平均；
    它是否真的“每层差不多”，要看相邻两层之比 norms[i] / norms[i + 1] 本身，所以把它们的范围也返回。
    """
    set_seed(0)
    x = np.random.randn(100, 100)
    t = np.random.randint(0, 10, size=100)
    results = {}
    for activation, init in SETTINGS:
        for depth in DEPTHS:
            set_seed(1)
            net = MultiLayerNet(100, [100] * depth, 10, activation=activation, weight_init_std=init,
                                dtype=np.float64)
            norms = preactivation_grad_norms(net, x, t)
            ratio = norms[0] / norms[-1]
            adjacent = [norms[i] / norms[i + 1] for i in range(depth - 1)]
            results[(activation, init, depth)] = (float(ratio), float(ratio ** (1 / (depth - 1))),
                                                  float(min(adjacent)), float(max(adjacent)))
    return results


def main():
    for (activation, init, depth), (ratio, factor, lowest, highest) in solve().items():
        print(f"{activation}，初始值 {str(init):>6}，{depth:>2} 个隐藏层：第 1 层 / 第 {depth} 层 = {ratio:.2e}，"
              f"每往前一层 ×{factor:.3g}（相邻两层之比 {lowest:#.3g}～{highest:#.3g}）")


if __name__ == "__main__":
    main()
