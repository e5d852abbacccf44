"""第 3 章练习 4 的参考答案：梯度检验改用 float32 参数，相对误差变成多大？

与 3.8 节相同的网络和数据，只把 dtype 从 np.float64 换成 np.float32。
运行：python ch04_backward/solutions/ex3_4_float32.py
"""
import numpy as np

from common.multi_layer_net import MultiLayerNet
from common.seed import set_seed


def relative_errors(dtype):
    """返回 {参数名: 反向传播与数值梯度的相对误差}。"""
    set_seed(1)
    net = MultiLayerNet(input_size=6, hidden_size_list=[5, 4], output_size=3, dtype=dtype)
    x = np.random.randn(8, 6)
    t = np.random.randint(0, 3, size=8)
    grad_backprop = net.gradient(x, t)
    grad_numerical = net.numerical_gradient(x, t)
    errors = {}
    for key in grad_backprop:
        a, b = grad_backprop[key].astype(np.float64), grad_numerical[key].astype(np.float64)
        errors[key] = float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))
    return errors


def solve():
    return {"float64": relative_errors(np.float64), "float32": relative_errors(np.float32)}


def main():
    results = solve()
    print("参数   float64 的相对误差   float32 的相对误差")
    for key in results["float64"]:
        print(f"{key:>4}  {results['float64'][key]:18.0e}  {results['float32'][key]:18.0e}")
    print(f"float32 的最大相对误差：{max(results['float32'].values()):.0e}")


if __name__ == "__main__":
    main()
