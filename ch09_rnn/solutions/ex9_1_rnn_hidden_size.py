"""第 9 章练习 1 的参考答案：隐藏层从 64 改成 256、把 W_hh 换成正交矩阵，RNN 的梯度衰减的斜率怎样变化？

与 2_rnn_test.ipynb 第 5 节相同的测量：100 步的随机序列通过 nn.RNN（tanh），损失取最后一步隐藏状态之和，
看损失对每一步输入的梯度范数（float64，20 次随机初始化）；斜率取往回第 10～90 步的稳定段上，每往回一步梯度平均乘的倍数。
另外打印 W_hh 的最大奇异值与谱半径（最大的特征值的模），解释斜率为什么几乎不随隐藏层大小变。

    python ch09_rnn/solutions/ex9_1_rnn_hidden_size.py             # 20 次初始化，几秒钟
    DL_QUICK=1 python ch09_rnn/solutions/ex9_1_rnn_hidden_size.py  # 3 次初始化
"""
import torch
from torch import nn

from common.quick import pick

T_LONG, D_SMALL = 100, 16  # 与 notebook 相同：100 步，每步 16 维的输入
N_TRIALS = pick(real=20, quick=3)
SETTINGS = [(64, False), (256, False), (64, True), (256, True)]  # (隐藏层大小, W_hh 是否设为正交矩阵)


def input_gradient_norms(hidden_size, orthogonal, seed):
    """返回 (RNN, (T,) 的梯度范数, tanh 导数 1 - h² 的平均)：梯度范数是最后一步隐藏状态之和对每一步输入 x_t 的梯度的范数。

    随机数的用法与 notebook 的 input_gradients 相同（先建模块，再抽输入），所以 H = 64、默认初始化时结果与 notebook 一致。
    """
    torch.manual_seed(seed)
    rnn = nn.RNN(D_SMALL, hidden_size, batch_first=True)
    if orthogonal:
        with torch.no_grad():
            nn.init.orthogonal_(rnn.weight_hh_l0)  # 所有奇异值都是 1
    rnn = rnn.double()
    x = torch.randn(1, T_LONG, D_SMALL, dtype=torch.float64, requires_grad=True)
    output, _ = rnn(x)
    output[:, -1].sum().backward()
    return rnn, x.grad[0].norm(dim=1), (1 - output.detach() ** 2).mean().item()


def solve():
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(1)  # 批量为 1 的小矩阵：一个线程比多个线程互相同步快得多
    try:
        return measure()
    finally:
        torch.set_num_threads(previous_threads)


def measure():
    results = {}
    for hidden_size, orthogonal in SETTINGS:
        norms, largest, radius, derivative = [], [], [], []
        for seed in range(N_TRIALS):
            rnn, gradient_norms, mean_derivative = input_gradient_norms(hidden_size, orthogonal, seed)
            norms.append(gradient_norms)
            derivative.append(mean_derivative)
            w_hh = rnn.weight_hh_l0.detach()
            largest.append(torch.linalg.matrix_norm(w_hh, ord=2).item())
            radius.append(torch.linalg.eigvals(w_hh).abs().max().item())
        norms = torch.stack(norms)  # (N_TRIALS, T)
        log_norms = norms.log10().mean(dim=0)  # 20 次初始化的 log10 范数的平均
        results[(hidden_size, orthogonal)] = {
            "rate": 10 ** ((log_norms[9] - log_norms[89]) / 80).item(),  # 稳定段每往回一步乘的倍数
            "back_50": norms[:, 49].mean().item(),  # 往回 50 步的梯度范数（与 notebook、正文的表一样取平均）
            "sigma_max": sum(largest) / len(largest),
            "spectral_radius": sum(radius) / len(radius),
            "tanh_derivative": sum(derivative) / len(derivative),  # 越接近 1，tanh 越不饱和
        }
    return results


def main():
    for (hidden_size, orthogonal), r in solve().items():
        name = f"H = {hidden_size}，{'正交 W_hh' if orthogonal else '默认初始化'}"
        print(f"{name}：稳定段每往回一步乘 {r['rate']:.3f}，往回 50 步的梯度范数 {r['back_50']:.1e}，"
              f"W_hh 的最大奇异值 {r['sigma_max']:.3f}、谱半径 {r['spectral_radius']:.3f}，"
              f"tanh 的导数平均 {r['tanh_derivative']:.3f}")


if __name__ == "__main__":
    main()
