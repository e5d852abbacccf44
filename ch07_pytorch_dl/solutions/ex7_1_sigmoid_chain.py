"""第 7 章练习 1 的参考答案：5 个 sigmoid 串起来，起点从 x = 0 改成 x = 3，导数变成多少？

与 activation_functions/1_sigmoid.py 的做法相同（float64，autograd 求导），再把链式法则的每个因子
σ'(a_k)（a_k 是第 k 个 sigmoid 的输入）单独列出来：导数就是它们的乘积。

    python ch07_pytorch_dl/solutions/ex7_1_sigmoid_chain.py
"""
import torch

N_LAYERS = 5


def chain_derivative(start):
    """返回 (autograd 求出的导数, 每一层的输入 a_k, 每一层的局部导数 σ'(a_k))。"""
    x = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    h, inputs = x, []
    for _ in range(N_LAYERS):
        inputs.append(h.item())
        h = torch.sigmoid(h)
    h.backward()
    local = [torch.sigmoid(torch.tensor(a)).item() * (1 - torch.sigmoid(torch.tensor(a)).item()) for a in inputs]
    return x.grad.item(), inputs, local


def solve():
    return {start: chain_derivative(start) for start in (0.0, 3.0)}


def main():
    results = solve()
    for start, (grad, inputs, local) in results.items():
        product = 1.0
        for factor in local:
            product *= factor
        print(f"从 x = {start:g} 出发：各层的输入 " + "、".join(f"{a:.4f}" for a in inputs))
        print("  各层的局部导数 σ'(a) " + "、".join(f"{g:.4f}" for g in local)
              + f"，乘积 {product:.3e}；autograd 的导数 {grad:.3e}")
    print(f"上界 0.25^5 = {0.25 ** N_LAYERS:.3e}；x = 3 的导数是 x = 0 的 {results[3.0][0] / results[0.0][0]:.3f} 倍")


if __name__ == "__main__":
    main()
