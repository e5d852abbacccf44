"""仓库里的固定位置：仓库根目录、数据目录、输出目录。

所有路径都以本文件所在位置为基准（而不是当前工作目录），
所以脚本无论从哪个目录、用什么方式启动，找到的都是同一批文件。
"""
import json
import math
import os
import tempfile
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"

# 运行输出（图、结果 JSON）都写到 output/ 下，该目录已被 .gitignore 忽略。
# 设置环境变量 DL_OUTPUT_DIR 可以改写位置（测试里用它写到临时目录）。
OUTPUT_ENV = "DL_OUTPUT_DIR"


def output_dir():
    """返回输出目录（不存在时创建），并确认能在里面写文件，否则抛出 OSError，说明是哪个目录、怎样改。

    训练脚本在开头（训练之前）就调用一次：目录写不进去时立刻报错，而不是训练几分钟后才在保存结果时失败。
    """
    path = Path(os.environ.get(OUTPUT_ENV) or REPO_ROOT / "output")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):  # 真的写一次：比 os.access 可靠（例如只读挂载、root 用户）
            pass
    except OSError as error:
        raise OSError(
            f"输出目录 {path} 无法写入（{error.strerror or error}）。请换一个可写的目录："
            f"设置环境变量 {OUTPUT_ENV} 指向一个可写的目录，或修改该目录的权限"
        ) from error
    return path


def output_path(name):
    """返回输出目录下的文件路径，如 output_path("ch04_backward/train.json")，并创建其父目录。"""
    path = output_dir() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def relative_to_repo(path):
    """把路径写成相对仓库根目录的形式（打印给读者看时更短，也不暴露本机目录）。"""
    path = Path(path).resolve()
    try:
        return path.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return str(path)


def _json_ready(value):
    """把结果整理成标准 JSON 能表示的值：nan、inf 变成 null（None），NumPy 的数和数组变成 Python 的数和列表。"""
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_json_ready(item) for item in value]
    if isinstance(value, (np.bool_, np.integer)):
        return value.item()
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    return value


def save_json(name, data):
    """把结果字典保存为 output/ 下的 JSON 文件（UTF-8，中文不转义），返回路径。

    写出的是标准 JSON：Python 的 json 模块默认会写出 NaN、Infinity，但它们不是合法的 JSON，
    别的程序（浏览器、jq）读不了，所以这里把 nan、inf 写成 null（例如训练发散后的损失）。
    NumPy 的数和数组也一并转成普通的数和列表。
    """
    path = output_path(name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(_json_ready(data), f, ensure_ascii=False, indent=2, allow_nan=False)
    print(f"结果已保存：{relative_to_repo(path)}")
    return path
