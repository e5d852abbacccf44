"""第 3 章练习 3 的参考答案：把 Affine 的 db 错写成 dout.sum(axis=1)，梯度检验能不能发现？

运行：python ch04_backward/solutions/ex3_3_wrong_db.py
"""
import numpy as np

from common.gradient import numerical_gradient
from common.layers import Affine
from common.seed import set_seed


class WrongAffine(Affine):
    """故意写错的 Affine：偏置的梯度沿样本的特征方向（axis=1）求和。"""

    def backward(self, dout):
        dx = super().backward(dout)
        self.db = dout.sum(axis=1)  # 错误：应为 dout.sum(axis=0)
        return dx


def check_db(N, M, D=3, layer_class=WrongAffine):
    """与 3.5 节相同的检验，只看 db：返回 (db 的形状, b 的形状, 梯度检验的结论)。"""
    set_seed(0)
    x = np.random.randn(N, D)
    layer = layer_class(np.random.randn(D, M), np.random.randn(M))
    dout = np.random.randn(N, M)
    layer.forward(x)
    layer.backward(dout)
    numerical = numerical_gradient(lambda _: np.sum(layer.forward(x) * dout), layer.b)
    try:
        max_diff = np.max(np.abs(layer.db - numerical))
        verdict = f"最大差 {max_diff:.2f}" if max_diff > 1e-3 else f"最大差 {max_diff:.0e}"  # 很小的差只看数量级
    except ValueError as error:  # 形状 (N,) 与 (M,) 不能相减
        verdict = f"相减时出错（{str(error).split(' (')[0]}）"
    return layer.db.shape, layer.b.shape, verdict


def solve():
    return {"N=4, M=2": check_db(4, 2), "N=2, M=2": check_db(2, 2),
            "对照：正确的 Affine，N=2, M=2": check_db(2, 2, layer_class=Affine)}


def main():
    for setting, (db_shape, b_shape, verdict) in solve().items():
        print(f"{setting}：db 的形状 {db_shape}，b 的形状 {b_shape}，梯度检验：{verdict}")


if __name__ == "__main__":
    main()
