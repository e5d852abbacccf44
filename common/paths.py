"""仓库里的固定位置：仓库根目录、数据目录、输出目录。

所有路径都以本文件所在位置为基准（而不是当前工作目录），
所以脚本无论从哪个目录、用什么方式启动，找到的都是同一批文件。
"""
import json
import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"

# 运行输出（图、结果 JSON）都写到 output/ 下，该目录已被 .gitignore 忽略。
# 设置环境变量 DL_OUTPUT_DIR 可以改写位置（测试里用它写到临时目录）。
OUTPUT_ENV = "DL_OUTPUT_DIR"


def output_dir():
    """返回输出目录（不存在时创建）。"""
    path = Path(os.environ.get(OUTPUT_ENV) or REPO_ROOT / "output")
    path.mkdir(parents=True, exist_ok=True)
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


def save_json(name, data):
    """把结果字典保存为 output/ 下的 JSON 文件（UTF-8，中文不转义），返回路径。"""
    path = output_path(name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=2)
    print(f"结果已保存：{relative_to_repo(path)}")
    return path
