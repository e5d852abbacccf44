"""画第 8 章的三张示意图：多通道卷积的一个窗口（各通道相乘求和、再把通道加起来）、im2col 怎样把窗口排成矩阵，
以及 ResNet 的基本残差块（捷径是恒等映射，或下采样时的 1×1 卷积）。

    python ch08_cnn/figures.py      # 保存 output/ch08_cnn/ 下的 conv_channels.png、im2col.png、residual_block.png

图里的每个数都由 common/ 的代码算出（Convolution、im2col），并与手算的结果断言相等，所以图和代码不会对不上。
不训练任何东西，几秒钟画完。
"""

import numpy as np
from matplotlib.patches import Rectangle

from common.cli import run, script_parser
from common.diagram import arrow, box, dot, finish, op
from common.layers import Convolution
from common.plotting import plt, save_figure, show
from common.util import conv_output_size, im2col

WINDOW_COLORS = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e"]  # 每个窗口一种颜色（im2col 图）


def parse_args():
    return script_parser("画第 8 章的示意图：多通道卷积、im2col、残差块").parse_args()


def draw_grid(ax, values, left, top, title=None, fmt="{:g}", fill=None):
    """在 ax 上画一个数字方格，左上角在 (left, top)，每格边长 1（y 轴向下）。fill：{(行, 列): 颜色}。"""
    rows, cols = values.shape
    fill = fill or {}
    for i in range(rows):
        for j in range(cols):
            color = fill.get((i, j), "white")
            ax.add_patch(Rectangle((left + j, top + i), 1, 1, facecolor=color, edgecolor="gray", linewidth=0.8))
            ax.text(left + j + 0.5, top + i + 0.5, fmt.format(values[i, j]), ha="center", va="center", fontsize=9)
    if title:
        ax.text(left + cols / 2, top - 0.35, title, ha="center", va="bottom", fontsize=9)


def outline(ax, left, top, height, width, color, linewidth=2.2, inset=0.0):
    """窗口的边框（inset 让相邻窗口的边框错开一点，看得清）。"""
    ax.add_patch(Rectangle((left + inset, top + inset), width - 2 * inset, height - 2 * inset,
                           fill=False, edgecolor=color, linewidth=linewidth))


def conv_channels_figure():
    """3 个输入通道、一个 3×3×3 的卷积核：左上角窗口里每个通道各自相乘求和，3 个部分和再加起来（加偏置）得到输出的一个数。"""
    x = np.arange(48, dtype=np.float64).reshape(1, 3, 4, 4) % 5  # (N, C, H, W)，小整数便于心算
    kernel = np.array([[[1, 0, -1], [1, 0, -1], [1, 0, -1]],      # 通道 0：竖边核
                       [[1, 1, 1], [0, 0, 0], [-1, -1, -1]],      # 通道 1：横边核
                       [[0, 0, 0], [0, 1, 0], [0, 0, 0]]],        # 通道 2：只取中心
                      dtype=np.float64).reshape(1, 3, 3, 3)       # (FN, C, FH, FW)
    bias = np.array([1.0])
    y = Convolution(kernel, bias, stride=1, pad=0).forward(x)[0, 0]  # (2, 2)

    partial = [float(np.sum(x[0, c, :3, :3] * kernel[0, c])) for c in range(3)]  # 每个通道的部分和
    assert np.isclose(sum(partial) + bias[0], y[0, 0]), "手算的窗口与 Convolution 的输出不一致"

    fig, ax = plt.subplots(figsize=(9.5, 6.2))
    window = {(i, j): "#fde0dd" for i in range(3) for j in range(3)}
    for c in range(3):
        top = c * 5.2
        draw_grid(ax, x[0, c], 0, top, title=f"输入 通道 {c}", fill=window)
        outline(ax, 0, top, 3, 3, "#d62728")
        ax.text(4.9, top + 2, "⊙", ha="center", va="center", fontsize=16)
        draw_grid(ax, kernel[0, c], 6, top + 0.5, title=f"卷积核 通道 {c}")
        ax.text(9.9, top + 2, f"= {partial[c]:g}", ha="left", va="center", fontsize=11)
    terms = " + ".join(f"({v:g})" if v < 0 else f"{v:g}" for v in partial + [bias[0]])  # 负数加括号
    ax.text(13.2, 7.2, f"三个通道相加，再加偏置：\n{terms} = {y[0, 0]:g}", ha="left", va="center", fontsize=10)
    draw_grid(ax, y, 14, 9.6, title="输出（一个卷积核 → 一张 2×2 特征图）", fill={(0, 0): "#fde0dd"})
    outline(ax, 14, 9.6, 1, 1, "#d62728")
    ax.text(0, 15.6, "⊙：对应元素相乘再求和。窗口向右、向下滑动，得到输出的其他 3 个数；"
            "F_N 个卷积核得到 F_N 张特征图。", fontsize=9, va="top")
    finish(ax, (-0.5, 21), (16.3, -1.2), "多通道卷积：每个通道各自相乘求和，再把通道加起来")
    return fig, partial, y


def im2col_figure():
    """2 个通道的 3×3 输入、2×2 窗口、步幅 1：4 个窗口各成 col 的一行，每行 C·FH·FW = 8 个数。"""
    x = np.arange(1, 19, dtype=np.float64).reshape(1, 2, 3, 3)
    col = im2col(x, 2, 2, stride=1, pad=0)  # (N·OH·OW, C·FH·FW) = (4, 8)
    assert col.shape == (4, 8)
    starts = [(0, 0), (0, 1), (1, 0), (1, 1)]  # 4 个窗口的左上角，按行优先的顺序，也就是 col 的行序
    for row, (i, j) in enumerate(starts):  # 手算每个窗口：通道 0 的 4 个数，接着通道 1 的 4 个数
        assert np.array_equal(col[row], x[0, :, i:i + 2, j:j + 2].reshape(-1)), "im2col 的行与窗口对不上"

    fig, ax = plt.subplots(figsize=(10, 4.6))
    for c in range(2):
        left = c * 4.2
        draw_grid(ax, x[0, c], left, 0, title=f"输入 通道 {c}")
        for k, (i, j) in enumerate(starts):
            outline(ax, left + j, i, 2, 2, WINDOW_COLORS[k], linewidth=1.8, inset=0.06 * (k + 1))
    ax.text(8.6, 1.5, "→\nim2col", ha="center", va="center", fontsize=11)
    fill = {(r, k): WINDOW_COLORS[r] + "33" for r in range(4) for k in range(8)}  # 行的颜色 = 窗口的颜色（淡）
    draw_grid(ax, col, 10, 0, title="col：(窗口数 4, C·FH·FW = 8)", fill=fill)
    for k in range(8):
        ax.text(10 + k + 0.5, 4.35, f"c{k // 4}\n{divmod(k % 4, 2)}", ha="center", va="top", fontsize=7, color="dimgray")
    ax.text(0, 5.7, "每个窗口展开成 col 的一行（颜色对应）：先是通道 0 的 2×2，再是通道 1 的 2×2。"
            "重叠的像素（如 5、14）被复制到几行里。\n"
            "卷积 = col @ W_flat.T + b，W_flat 的形状是 (F_N, C·FH·FW)：一次矩阵乘法算出全部窗口、全部卷积核。",
            fontsize=9, va="top")
    finish(ax, (-0.5, 18.5), (7.2, -1.0), "im2col：把每个窗口排成矩阵的一行")
    return fig, col


def block_box(ax, x, y, text, color, width):
    """残差块里一层的框：高 0.64，字号 10。"""
    box(ax, x, y, text, color, width=width, height=0.64, fontsize=10)


def residual_block_figure(size=56, channels=64):
    """ResNet 的基本残差块（与 3_deep_cnn.ipynb 的 BasicBlock 相同）：左边形状不变，右边下采样。

    先用输出大小公式检查右边两条路的输出一样大（3×3 卷积填充 1、步幅 2 与 1×1 卷积步幅 2 都把边长减半），才能相加。
    """
    main_path = conv_output_size(conv_output_size(size, 3, stride=2, pad=1), 3, stride=1, pad=1)
    shortcut = conv_output_size(size, 1, stride=2, pad=0)
    assert main_path == shortcut == size // 2, "两条路的输出大小不同，不能相加"
    conv_color, relu_color, shortcut_color = "#c6dbef", "#fdd49e", "#d62728"
    fig, ax = plt.subplots(figsize=(12, 6.6))
    panels = [(3.1, None, f"x：{channels}×{size}×{size}", f"输出：{channels}×{size}×{size}",
               "3×3 卷积 → BN → ReLU", "形状不变：捷径是恒等映射"),
              (10.3, "1×1 卷积（步幅 2）→ BN", f"x：{channels}×{size}×{size}",
               f"输出：{2 * channels}×{main_path}×{main_path}", "3×3 卷积（步幅 2）→ BN → ReLU", "下采样：捷径用 1×1 卷积对齐形状")]
    for x, shortcut_box, top_text, bottom_text, first_conv, title in panels:
        ax.text(x, 10.1, title, ha="center", fontsize=11)
        ax.text(x, 9.3, top_text, ha="center", va="center", fontsize=10)
        arrow(ax, [(x, 9.0), (x, 8.12)])
        block_box(ax, x, 7.8, first_conv, conv_color, width=4.6)
        arrow(ax, [(x, 7.48), (x, 6.72)])
        block_box(ax, x, 6.4, "3×3 卷积 → BN", conv_color, width=4.6)
        arrow(ax, [(x, 6.08), (x, 5.28)])
        ax.text(x + 0.12, 5.65, "$F(x)$", fontsize=10, va="center")
        op(ax, x, 5.0, "+")
        # 捷径（红线）：从 x 分出来，绕过两个卷积，在 + 处汇合
        right = x + 3.0 if shortcut_box is None else x + 4.4
        dot(ax, x, 8.7, color=shortcut_color)
        if shortcut_box is None:
            arrow(ax, [(x, 8.7), (right, 8.7), (right, 5.0), (x + 0.28, 5.0)], color=shortcut_color, linewidth=2.5)
            ax.text(right + 0.12, 6.9, "捷径\n恒等映射", fontsize=9.5, color=shortcut_color, va="center")
        else:
            arrow(ax, [(x, 8.7), (right, 8.7), (right, 7.22)], color=shortcut_color, linewidth=2.5)
            block_box(ax, right, 6.9, shortcut_box, "#f2f2f2", width=3.3)
            arrow(ax, [(right, 6.58), (right, 5.0), (x + 0.28, 5.0)], color=shortcut_color, linewidth=2.5)
            ax.text(right + 0.12, 5.7, "捷径", fontsize=9.5, color=shortcut_color, va="center")
        arrow(ax, [(x, 4.72), (x, 4.02)])
        block_box(ax, x, 3.7, "ReLU", relu_color, width=1.2)
        arrow(ax, [(x, 3.38), (x, 2.75)])
        ax.text(x, 2.45, bottom_text, ha="center", va="center", fontsize=10)
    ax.text(0.6, 1.5, "输出 = ReLU(F(x) + 捷径(x))。F 的权重全为 0 时，左边的块就是 ReLU(x)：加深网络至少容易表示浅网络。", fontsize=9.5)
    ax.text(0.6, 1.0, "反向传播时，+ 把梯度原样分给两条路：左边红色的恒等捷径上，梯度不经过任何层，直接传回 x。", fontsize=9.5)
    finish(ax, (0.4, 16.6), (0.7, 10.5))
    return fig, main_path


def main():
    parse_args()
    fig, partial, y = conv_channels_figure()
    print(f"多通道卷积：三个通道的部分和 {partial}，加偏置后输出的左上角 {y[0, 0]:g}，整张输出 {y.tolist()}")
    save_figure(fig, "ch08_cnn/conv_channels.png")
    fig, col = im2col_figure()
    print(f"im2col：输入 (1, 2, 3, 3) → col {col.shape}")
    save_figure(fig, "ch08_cnn/im2col.png")
    fig, half = residual_block_figure()
    print(f"残差块：56×56 的输入下采样后两条路都是 {half}×{half}")
    save_figure(fig, "ch08_cnn/residual_block.png")
    show()


if __name__ == "__main__":
    run(main)
