"""matplotlib 的统一设置：中文字体、保存图片、有显示器时才弹出窗口。

用法（每个画图的脚本都这样写）：

    from common.plotting import plt, save_figure, show
    fig, ax = plt.subplots()
    ax.set_title("损失函数的变化")
    save_figure(fig, "ch04_backward/loss.png")   # 保存到 output/ch04_backward/loss.png
    show()                                       # 有显示器时弹窗；否则只关闭图

导入本模块时自动完成设置，重复导入不会重复设置。
"""
import importlib.util
import os
import sys
from pathlib import Path

import matplotlib

from common.paths import output_path, relative_to_repo
from common.quick import is_quick

# 常见系统中文字体：pip 装的 Noto Sans SC 找不到时依次尝试
SYSTEM_CJK_FONTS = [
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Microsoft YaHei",  # Windows
    "SimHei",  # Windows
    "PingFang SC",  # macOS
    "Hiragino Sans GB",  # macOS
    "Heiti SC",  # macOS
    "Arial Unicode MS",  # macOS
    "WenQuanYi Micro Hei",  # Linux
    "WenQuanYi Zen Hei",  # Linux
    "Droid Sans Fallback",  # Linux
]
_NON_INTERACTIVE = {"agg", "pdf", "ps", "svg", "pgf", "cairo", "template"}


def _in_notebook():
    """是否运行在 Jupyter 内核里（此时由内核决定后端，图直接嵌在 notebook 中）。"""
    return "ipykernel" in sys.modules


def _choose_backend():
    """没有显示器（或处于快速模式）时改用不弹窗的 Agg 后端。"""
    if os.environ.get("MPLBACKEND") or _in_notebook():
        return  # 用户或 Jupyter 已经指定了后端
    no_screen = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    if no_screen or is_quick():
        matplotlib.use("Agg")


def _pip_font_file():
    """pip 安装的 zhplot 包自带的 Noto Sans SC 字体文件（找不到时返回 None）。"""
    spec = importlib.util.find_spec("zhplot")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "fonts" / "NotoSansSC-Regular.ttf"
    return path if path.is_file() else None


def setup_chinese_font():
    """让标题、坐标轴、图例中的中文正常显示，返回所用中文字体的名称（找不到则为 None）。"""
    from matplotlib import font_manager

    names = []
    font_file = _pip_font_file()
    if font_file is not None:
        font_manager.fontManager.addfont(str(font_file))
        names.append(font_manager.FontProperties(fname=str(font_file)).get_name())
    installed = {f.name for f in font_manager.fontManager.ttflist}
    names += [name for name in SYSTEM_CJK_FONTS if name in installed and name not in names]
    if not names:
        print("警告：没有找到中文字体，图中的中文可能显示为方框。请运行 "
              "`python -m pip install zhplot` 安装自带中文字体的包。", file=sys.stderr)
    matplotlib.rcParams["font.family"] = ["sans-serif"]
    matplotlib.rcParams["font.sans-serif"] = names + ["DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False  # 负号用 ASCII '-'，避免缺字
    return names[0] if names else None


def has_display():
    """当前后端能否把图显示出来（弹出窗口或嵌入 notebook）。"""
    return matplotlib.get_backend().lower() not in _NON_INTERACTIVE


_choose_backend()
CHINESE_FONT = setup_chinese_font()

import matplotlib.pyplot as plt  # noqa: E402  （必须在选定后端之后导入）


def save_figure(fig, name, dpi=120):
    """把图保存到 output/ 下（name 如 "ch03_train/tangent_line.png"），打印并返回保存路径。"""
    path = output_path(name if Path(name).suffix else f"{name}.png")
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    print(f"图已保存：{relative_to_repo(path)}")
    return path


def show():
    """有显示器时显示所有图（脚本里会等待关闭窗口）；否则关闭它们以释放内存。"""
    if has_display():
        plt.show()
    else:
        plt.close("all")
