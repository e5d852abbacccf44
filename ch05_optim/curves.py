"""第 5 章几个脚本共用的两种训练曲线图（不是编号脚本，被导入使用）。

- loss_curves_figure：几次训练的损失曲线（滑动平均）画在同一张图里，比较谁降得快
  （1_optimizer_compare.py 比较优化器，2_weight_init.py 比较权重初始值）；
- curve_grid、finish_curve_grid：每次训练一个小图、排成网格，所有小图共用同样的坐标轴
  （3_batch_norm.py 每种初始值一个小图，7_hyperparameter_search.py 每次试验一个小图）。
"""
import numpy as np

from common.plotting import plt
from common.util import smooth_curve


def loss_curves_figure(histories, top, title, window=31):
    """histories: {图例: history}，history["train_loss_list"] 是每次迭代的训练损失。返回 fig。

    每条曲线取 window 次迭代的滑动平均（单个小批量的损失噪声很大，不平滑就看不清谁高谁低）；纵轴从 0 画到 top。
    """
    fig, ax = plt.subplots(figsize=(8, 5))
    for label, history in histories.items():
        ax.plot(smooth_curve(history["train_loss_list"], window=window), label=label, linewidth=1.2)
    ax.set_xlabel("迭代次数")
    ax.set_ylabel("训练损失（滑动平均）")
    ax.set_ylim(0, top)
    ax.set_title(title)
    ax.legend()
    return fig


def curve_grid(count, cols, width, row_height):
    """count 个小图排成 cols 列的网格，所有小图共享横轴和纵轴（便于互相比较）。

    返回 (fig, axes)：axes 的形状总是 (行数, cols)，即使只有一行；图宽 width，每行高 row_height（英寸）。
    """
    rows = int(np.ceil(count / cols))
    return plt.subplots(rows, cols, figsize=(width, row_height * rows), sharex=True, sharey=True, squeeze=False)


def finish_curve_grid(fig, axes, count, xlabel, ylabel, title):
    """网格的收尾：前 count 个之后没用到的小图隐藏；横轴名只写在最下一行，纵轴名只写在最左一列；
    图例只放在左上角的小图里（各小图的曲线含义相同）；最后加上整张图的标题 title，排得紧凑些。"""
    for ax in axes.ravel()[count:]:
        ax.axis("off")
    for ax in axes[-1]:
        ax.set_xlabel(xlabel)
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel)
    axes[0, 0].legend(loc="lower right", fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
