"""画第 9 章的 LSTM 单元和 GRU 单元示意图：门、候选记忆（候选状态）、状态的“加法直路”。

    python ch09_rnn/figures.py      # 保存 output/ch09_rnn/lstm_cell.png 和 output/ch09_rnn/gru_cell.png

图中的每个框对应 docs/09 的 9.5、9.6 节的一行公式；画之前先用 nn.LSTM、nn.GRU 的权重按这些公式手算一步，
断言与模块的输出相等，确认图上画的连线（哪个门乘在哪里）就是 PyTorch 的算法。不训练任何东西，几秒钟画完。
"""

import torch
from torch import nn

from common.cli import script_parser
from common.diagram import OP_COLOR, OP_RADIUS, arrow, box, dot, finish, op
from common.paths import output_dir
from common.plotting import plt, save_figure, show
from common.seed import set_seed

GATE_COLOR = "#fdd49e"  # sigmoid 门
TANH_COLOR = "#c6dbef"  # tanh


def parse_args():
    return script_parser("画第 9 章的 LSTM 单元和 GRU 单元示意图", seed=0,
                         help={"seed": "检查公式时所用的随机权重和输入的种子"}).parse_args()


def lstm_step_by_formula(lstm, x_t, h_prev, c_prev):
    """按图上的连线手算一步 LSTM：四个门来自同一个 [x_t, h_{t-1}]，f 乘旧记忆，i 乘候选记忆，两者相加，o 乘 tanh(c)。"""
    pre = x_t @ lstm.weight_ih_l0.T + lstm.bias_ih_l0 + h_prev @ lstm.weight_hh_l0.T + lstm.bias_hh_l0
    pre_i, pre_f, pre_g, pre_o = pre.chunk(4, dim=1)  # PyTorch 的顺序：i、f、g、o
    i, f, g, o = torch.sigmoid(pre_i), torch.sigmoid(pre_f), torch.tanh(pre_g), torch.sigmoid(pre_o)
    c = f * c_prev + i * g
    return o * torch.tanh(c), c


def check_formula(seed):
    """图上的算法与 nn.LSTM 一致（float32 的舍入误差以内），否则图就画错了。"""
    set_seed(seed)
    lstm = nn.LSTM(5, 4, batch_first=True)
    x_t, h_prev, c_prev = torch.randn(3, 5), torch.randn(3, 4), torch.randn(3, 4)
    with torch.no_grad():
        h_hand, c_hand = lstm_step_by_formula(lstm, x_t, h_prev, c_prev)
        _, (h_module, c_module) = lstm(x_t.unsqueeze(1), (h_prev.unsqueeze(0), c_prev.unsqueeze(0)))
    error = max((h_hand - h_module[0]).abs().max().item(), (c_hand - c_module[0]).abs().max().item())
    assert error < 1e-6, f"按图上的公式算出的 h、c 与 nn.LSTM 相差 {error:.1e}，图与算法不一致"
    return error


def gru_step_by_formula(gru, x_t, h_prev):
    """按图上的连线手算一步 GRU：r 乘在 h_{t-1} W_hn^T + b_hn 的结果上，z 在旧状态与候选状态之间加权。"""
    x_r, x_z, x_n = (x_t @ gru.weight_ih_l0.T + gru.bias_ih_l0).chunk(3, dim=1)  # PyTorch 的顺序：r、z、n
    h_r, h_z, h_n = (h_prev @ gru.weight_hh_l0.T + gru.bias_hh_l0).chunk(3, dim=1)  # 隐藏侧三块一次算完
    r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + r * h_n)
    return z * h_prev + (1 - z) * n


def check_gru_formula(seed):
    """图上的 GRU 算法与 nn.GRU 一致（float32 的舍入误差以内）。"""
    set_seed(seed)
    gru = nn.GRU(5, 4, batch_first=True)
    x_t, h_prev = torch.randn(3, 5), torch.randn(3, 4)
    with torch.no_grad():
        h_hand = gru_step_by_formula(gru, x_t, h_prev)
        _, h_module = gru(x_t.unsqueeze(1), h_prev.unsqueeze(0))
    error = (h_hand - h_module[0]).abs().max().item()
    assert error < 1e-6, f"按图上的公式算出的 h 与 nn.GRU 相差 {error:.1e}，图与算法不一致"
    return error


def straight_path(ax, y, gate_x, plus_x, end_x, color):
    """状态的直路（红色粗线）：旧状态 → ×（乘一个门）→ +（加上新的部分）→ 新状态，画在高度 y 上。

    LSTM 的记忆单元 c 和 GRU 的隐藏状态 h 走的是同一种路：反向传播时沿它每一步只乘那一个门。
    """
    arrow(ax, [(0.2, y), (gate_x - OP_RADIUS, y)], color=color, linewidth=2.5)
    op(ax, gate_x, y, "×")
    arrow(ax, [(gate_x + OP_RADIUS, y), (plus_x - OP_RADIUS, y)], color=color, linewidth=2.5)
    op(ax, plus_x, y, "+")
    arrow(ax, [(plus_x + OP_RADIUS, y), (end_x, y)], color=color, linewidth=2.5)


def lstm_cell_figure():
    fig, ax = plt.subplots(figsize=(9, 5.6))
    memory = "#d62728"
    straight_path(ax, 6, gate_x=3, plus_x=6, end_x=10.3, color=memory)  # 记忆单元 c 的直路：c_{t-1} → ×f → +(i⊙g) → c_t
    ax.text(0.1, 6.3, "$c_{t-1}$", fontsize=12, color=memory)
    ax.text(9.8, 6.3, "$c_t$", fontsize=12, color=memory)

    # 四个门都读同一个输入 [x_t, h_{t-1}]
    ax.plot([0.2, 7.6], [1, 1], color="black", linewidth=1.3)
    ax.text(0.1, 0.55, "$h_{t-1}$", fontsize=12)
    arrow(ax, [(1.2, 0.0), (1.2, 1.0)])
    ax.text(1.35, 0.1, "$x_t$", fontsize=12)
    gates = [(3, "σ", GATE_COLOR, "$f_t$ 遗忘门"), (4.6, "σ", GATE_COLOR, "$i_t$ 输入门"),
             (6, "tanh", TANH_COLOR, "$g_t$ 候选记忆"), (7.6, "σ", GATE_COLOR, "$o_t$ 输出门")]
    for x, label, color, name in gates:
        arrow(ax, [(x, 1.0), (x, 2.05)])
        box(ax, x, 2.4, label, color)
        ax.text(x + 0.08, 1.5, name, fontsize=8.5, ha="left", va="center")  # 名字写在框下、箭头右边
    arrow(ax, [(3, 2.75), (3, 5.72)])  # f → ×
    op(ax, 5.3, 4.4, "×")  # i ⊙ g
    arrow(ax, [(4.6, 2.75), (4.6, 4.4), (5.02, 4.4)])
    arrow(ax, [(6, 2.75), (6, 4.4), (5.58, 4.4)])
    arrow(ax, [(5.3, 4.68), (5.3, 5.3), (6, 5.3), (6, 5.72)])
    # 输出：h_t = o ⊙ tanh(c_t)
    ax.plot([8.7, 8.7], [6, 5.5], color=memory, linewidth=1.3)
    box(ax, 8.7, 5.05, "tanh", TANH_COLOR, width=0.9, height=0.55)
    arrow(ax, [(8.7, 4.78), (8.7, 4.08)])
    op(ax, 8.7, 3.8, "×")
    arrow(ax, [(7.6, 2.75), (7.6, 3.8), (8.42, 3.8)])
    arrow(ax, [(8.98, 3.8), (10.3, 3.8)])
    ax.text(9.75, 3.95, "$h_t$", fontsize=12)
    arrow(ax, [(9.4, 3.8), (9.4, 1.0), (10.3, 1.0)])
    ax.text(9.55, 0.55, "$h_t$（下一步）", fontsize=10)

    ax.text(0.2, 7.2, "红线：记忆单元的直路 $c_t = f_t \\odot c_{t-1} + i_t \\odot g_t$，"
            "反向传播时每一步只乘遗忘门 $f_t$", fontsize=10, color=memory)
    ax.text(0.2, -0.75, "σ：sigmoid（门，取值 0～1）；×：逐元素乘；+：逐元素加。"
            "四个框的权重在 PyTorch 里叠成一个 (4H, D) 和一个 (4H, H) 的矩阵（顺序 i、f、g、o）。", fontsize=9)
    finish(ax, (-0.2, 11), (-1.1, 7.7), "LSTM 单元的一步", fontsize=12)
    return fig


def gru_cell_figure():
    fig, ax = plt.subplots(figsize=(9, 5.6))
    state = "#d62728"
    straight_path(ax, 6.6, gate_x=1.4, plus_x=5.8, end_x=8.6, color=state)  # 隐藏状态的直路：h_{t-1} → ×z → +((1-z)⊙n) → h_t
    ax.text(0.1, 6.9, "$h_{t-1}$", fontsize=12, color=state)
    ax.text(8.1, 6.9, "$h_t$", fontsize=12, color=state)
    ax.text(8.7, 6.5, "输出，也是下一步的 $h_{t-1}$", fontsize=9, va="center")

    # 输入：h_{t-1} 从左上角引下来（y = 1），x_t 在最下面（y = 0.3）
    ax.plot([0.55, 0.55, 4.2], [6.6, 1.0, 1.0], color="black", linewidth=1.3)
    dot(ax, 0.55, 6.6)
    ax.text(0.65, 3.6, "$h_{t-1}$", fontsize=11)
    ax.plot([0.35, 5.8], [0.3, 0.3], color="black", linewidth=1.3)
    ax.text(-0.15, 0.2, "$x_t$", fontsize=12)
    gates = [(1.4, "$z_t$ 更新门"), (2.8, "$r_t$ 重置门")]
    for x, name in gates:  # 两个门都读 x_t 和 h_{t-1}
        dot(ax, x, 0.3)
        dot(ax, x, 1.0)
        arrow(ax, [(x, 0.3), (x, 1.85)])
        box(ax, x, 2.2, "σ", GATE_COLOR)
        ax.text(x + 0.08, 1.42, name, fontsize=8.5, ha="left", va="center")
    dot(ax, 4.2, 1.0)
    arrow(ax, [(4.2, 1.0), (4.2, 1.85)])  # W_hn 只读 h_{t-1}
    box(ax, 4.2, 2.2, "$W_{hn}$", OP_COLOR, width=0.9)
    ax.text(4.28, 1.42, "只读 $h_{t-1}$", fontsize=8.5, ha="left", va="center")
    dot(ax, 5.8, 0.3)
    arrow(ax, [(5.8, 0.3), (5.8, 1.85)])  # W_in 只读 x_t
    box(ax, 5.8, 2.2, "$W_{in}$", OP_COLOR, width=0.9)
    ax.text(5.88, 1.42, "只读 $x_t$", fontsize=8.5, ha="left", va="center")

    # 候选状态：n = tanh(x W_in^T + b_in + r ⊙ (h W_hn^T + b_hn))
    op(ax, 3.5, 3.3, "×")
    arrow(ax, [(2.8, 2.55), (2.8, 3.3), (3.22, 3.3)])
    arrow(ax, [(4.2, 2.55), (4.2, 3.3), (3.78, 3.3)])
    arrow(ax, [(3.5, 3.58), (3.5, 4.2), (5.2, 4.2)])
    arrow(ax, [(5.8, 2.55), (5.8, 3.85)])
    box(ax, 5.8, 4.2, "tanh", TANH_COLOR)
    ax.text(6.45, 4.2, "$n_t$ 候选状态", fontsize=8.5, ha="left", va="center")
    # 更新门：z ⊙ h_{t-1} 走直路，(1 - z) ⊙ n 加进来
    arrow(ax, [(1.4, 2.55), (1.4, 6.32)])
    dot(ax, 1.4, 5.4)
    op(ax, 3.5, 5.4, "1−")
    arrow(ax, [(1.4, 5.4), (3.22, 5.4)])
    op(ax, 5.8, 5.4, "×")
    arrow(ax, [(3.78, 5.4), (5.52, 5.4)])
    arrow(ax, [(5.8, 4.55), (5.8, 5.12)])
    arrow(ax, [(5.8, 5.68), (5.8, 6.32)])

    ax.text(0.2, 7.6, "红线：隐藏状态的直路 $h_t = z_t \\odot h_{t-1} + (1 - z_t) \\odot n_t$，"
            "反向传播时沿这条路每一步只乘更新门 $z_t$", fontsize=10, color=state)
    ax.text(0.2, -0.45, "重置门 $r_t$ 乘在 $h_{t-1} W_{hn}^\\top + b_{hn}$ 的结果上：$r_t$ 接近 0 时，候选状态几乎只看 $x_t$（“从头开始”）。",
            fontsize=9)
    ax.text(0.2, -0.9, "σ：sigmoid（门，取值 0～1）；×：逐元素乘；+：逐元素加；1−：用 1 减。"
            "三块权重在 PyTorch 里叠成一个 (3H, D) 和一个 (3H, H) 的矩阵（顺序 r、z、n）。", fontsize=9)
    finish(ax, (-0.2, 11), (-1.2, 8.1), "GRU 单元的一步", fontsize=12)
    return fig


def main():
    args = parse_args()
    output_dir()  # 不可写时尽早报错
    error = check_formula(args.seed)
    print(f"按图上的公式手算一步与 nn.LSTM 的最大差：{error:.1e}")
    save_figure(lstm_cell_figure(), "ch09_rnn/lstm_cell.png")
    error = check_gru_formula(args.seed)
    print(f"按图上的公式手算一步与 nn.GRU 的最大差：{error:.1e}")
    save_figure(gru_cell_figure(), "ch09_rnn/gru_cell.png")
    show()


if __name__ == "__main__":
    main()
