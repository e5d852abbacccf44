"""示意图的几个小零件：圆角框、圆圈里的运算符号、连接点、折线箭头，以及收尾（等比例、隐藏坐标轴）。

第 8 章（卷积、残差块）和第 9 章（LSTM、GRU 单元）的 figures.py 都用它们画框图：

    from common.diagram import arrow, box, finish, op
    fig, ax = plt.subplots()
    box(ax, 3, 2.4, "σ", "#c6dbef")                 # 以 (3, 2.4) 为中心的圆角框
    arrow(ax, [(3, 1.0), (3, 2.05)])                # 沿折线画，最后一段带箭头
    op(ax, 3, 6, "×")                               # 逐元素运算
    finish(ax, (-0.2, 11), (-1.1, 7.7), "LSTM 单元的一步")

坐标都是数据坐标；finish 让 x、y 同样的刻度，圆画出来才是圆。每个函数只往 ax 上添加图形，不返回任何东西。
"""
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

OP_COLOR = "#f0f0f0"  # 逐元素运算的圆圈
OP_RADIUS = 0.28  # 运算圆圈的半径：箭头画到离圆心这么远的地方停下


def box(ax, x, y, text, color, width=1.1, height=0.7, fontsize=11):
    """以 (x, y) 为中心、宽 width、高 height 的圆角框，框里居中写 text。"""
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height, boxstyle="round,pad=0.05",
                                facecolor=color, edgecolor="black", linewidth=1))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)


def op(ax, x, y, symbol):
    """圆圈里一个运算符号（×、+ 等），圆心在 (x, y)，半径 OP_RADIUS。"""
    ax.add_patch(Circle((x, y), OP_RADIUS, facecolor=OP_COLOR, edgecolor="black", linewidth=1))
    ax.text(x, y, symbol, ha="center", va="center", fontsize=13)


def dot(ax, x, y, color="black"):
    """两条线相连的地方画一个实心点（没有点的交叉只是穿过）。"""
    ax.add_patch(Circle((x, y), 0.07, color=color))


def arrow(ax, points, color="black", linewidth=1.3):
    """沿折线 points（[(x, y), ...]，至少两个点）画线，最后一段带箭头。"""
    for (x0, y0), (x1, y1) in zip(points[:-2], points[1:-1]):
        ax.plot([x0, x1], [y0, y1], color=color, linewidth=linewidth)
    ax.add_patch(FancyArrowPatch(points[-2], points[-1], arrowstyle="-|>", mutation_scale=12,
                                 color=color, linewidth=linewidth))


def finish(ax, xlim, ylim, title=None, fontsize=11):
    """收尾：坐标范围（ylim 可以从大到小，让 y 轴向下），x、y 同样的刻度，隐藏坐标轴；给了 title 时加标题。"""
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=fontsize)
