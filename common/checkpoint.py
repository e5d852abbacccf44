"""PyTorch 检查点（模型文件）的保存与读取：原子写入、不悄悄覆盖更好的模型、读不了时说清楚。

    from common.checkpoint import save_checkpoint, load_checkpoint, keep_better_checkpoint

    save_checkpoint({"model_state": model.state_dict(), "val_acc": 0.93}, path)   # 原子写入
    checkpoint = load_checkpoint(path, required_keys=["model_state"],
                                 how_to_make="先运行 python ch08_cnn/4_fashion_category.py 训练一个")
    load_model_state(model, checkpoint["model_state"], path)   # 键或形状不对时给出简短的说明

torch 在函数内部才导入，NumPy 章节 import common 时不会加载它。
"""
import math
import os
import tempfile
import zipfile
from pathlib import Path

from common.paths import relative_to_repo


class CheckpointError(ValueError):
    """检查点文件不存在、已损坏、不是本仓库的格式，或与模型对不上。"""


def save_checkpoint(checkpoint, path):
    """把 checkpoint（dict，只含张量和普通的 Python 值）原子地写到 path，返回 Path。

    先写到同一目录下的临时文件，写完再用 os.replace 改名：改名是原子的，
    所以保存途中按 Ctrl-C、断电或两个进程同时保存，path 处要么是旧的完整文件，要么是新的完整文件，
    不会留下写了一半、读不出来的文件。
    """
    import torch

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # 临时文件放在同一目录下的一个临时文件夹里、用最终的文件名：torch.save 会把文件名写进压缩包，
    # 这样同样的内容总是得到逐字节相同的文件（sha256 可以复现）
    folder = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    temporary = folder / path.name
    try:
        torch.save(checkpoint, temporary)
        os.replace(temporary, path)
    finally:  # 包括 KeyboardInterrupt：删掉写了一半的临时文件，path 保持原样
        temporary.unlink(missing_ok=True)
        folder.rmdir()
    return path


def load_checkpoint(path, *, required_keys=(), map_location="cpu", how_to_make=""):
    """读取 save_checkpoint 写出的检查点（weights_only=True，不执行文件里的任何代码），返回 dict。

    出错时抛出 CheckpointError（文件不存在时是 FileNotFoundError），消息说明是哪个文件、出了什么问题、怎么办：
    how_to_make 是一句“怎样得到这个文件”的提示，如 "先运行 python ch08_cnn/4_fashion_category.py"。
    required_keys: 这些键必须都在，否则说明它不是该脚本保存的检查点。
    """
    import torch

    path = Path(path)
    shown = relative_to_repo(path)
    hint = f"；{how_to_make}" if how_to_make else ""
    if not path.is_file():
        raise FileNotFoundError(f"找不到检查点文件 {shown}{hint}")
    if path.stat().st_size == 0:
        raise CheckpointError(f"检查点文件 {shown} 是空的（0 字节），可能是保存时被中断了{hint}")
    try:
        checkpoint = torch.load(path, map_location=map_location, weights_only=True)
    except (RuntimeError, EOFError, zipfile.BadZipFile, OSError, ValueError, KeyError) as error:
        raise CheckpointError(f"检查点文件 {shown} 读不出来：已损坏、不完整或不是 PyTorch 保存的文件"
                              f"（{type(error).__name__}: {str(error).splitlines()[0][:200] if str(error) else ''}）"
                              f"{hint}") from None
    except Exception as error:
        if "Unsupported global" in str(error):  # weights_only=True 拒绝的内容：pickle 进去的任意对象
            raise CheckpointError(f"检查点文件 {shown} 含有不能安全读取的内容（只允许张量和普通的 Python 值），"
                                  f"它不是本仓库的脚本保存的{hint}") from None
        raise CheckpointError(f"检查点文件 {shown} 读不出来：已损坏、不完整或不是 PyTorch 保存的文件"
                              f"（{type(error).__name__}）{hint}") from None
    if required_keys:
        if not isinstance(checkpoint, dict):
            raise CheckpointError(f"检查点文件 {shown} 里是 {type(checkpoint).__name__}，不是本脚本保存的格式"
                                  f"（应是含有 {', '.join(required_keys)} 的字典）{hint}")
        missing = [key for key in required_keys if key not in checkpoint]
        if missing:
            raise CheckpointError(f"检查点文件 {shown} 缺少 {', '.join(missing)}，不是本脚本保存的检查点"
                                  f"（有的键：{', '.join(map(str, list(checkpoint)[:8]))}）{hint}")
    return checkpoint


def load_model_state(model, state_dict, path="检查点"):
    """把 state_dict 装进 model；键、形状对不上或权重里有 nan/inf 时抛出 CheckpointError，只列出前几项。"""
    import torch

    shown = relative_to_repo(path) if isinstance(path, (str, Path)) and Path(path).exists() else str(path)
    if not isinstance(state_dict, dict):
        raise CheckpointError(f"{shown} 里的模型参数应是 state_dict（字典），实际是 {type(state_dict).__name__}")
    expected = model.state_dict()
    missing = [key for key in expected if key not in state_dict]
    unexpected = [key for key in state_dict if key not in expected]
    wrong_shape = [f"{key} {tuple(state_dict[key].shape)}≠{tuple(value.shape)}" for key, value in expected.items()
                   if key in state_dict and hasattr(state_dict[key], "shape") and state_dict[key].shape != value.shape]
    if missing or unexpected or wrong_shape:
        parts = []
        for title, items in (("缺少", missing), ("多出", unexpected), ("形状不对", wrong_shape)):
            if items:
                more = f" 等 {len(items)} 项" if len(items) > 3 else ""
                parts.append(f"{title} {', '.join(items[:3])}{more}")
        raise CheckpointError(f"{shown} 里的参数与当前模型对不上（{'；'.join(parts)}）："
                              "它是另一个模型或另一组设置（如隐藏层大小）保存的")
    bad = [key for key, value in state_dict.items()
           if torch.is_tensor(value) and value.is_floating_point() and not torch.isfinite(value).all()]
    if bad:
        raise CheckpointError(f"{shown} 里的参数含有 nan/inf（{', '.join(bad[:3])}）：保存它的训练已经发散，不能使用")
    model.load_state_dict(state_dict)
    return model


def keep_better_checkpoint(checkpoint, path, *, score_key, higher_is_better=True, what=None):
    """训练结束时把本次的最好模型发布到 path，但不悄悄替换以前训练出的更好的模型。

    checkpoint[score_key] 是本次的成绩（如验证精度）。path 处已有一个同样格式、成绩更好的检查点时，
    保留它，把本次的写到 <名字>.latest<后缀>；否则（没有、更差、或读不出来）写到 path。
    返回 (实际写入的路径, 一句说明)；调用者把说明打印出来。
    """
    path = Path(path)
    what = what or score_key
    new_score = float(checkpoint[score_key])
    old_score = None
    if path.is_file():
        try:
            old = load_checkpoint(path)
            old_score = float(old[score_key]) if isinstance(old, dict) and score_key in old else None
        except (CheckpointError, TypeError, ValueError):
            old_score = None
    if old_score is not None and math.isfinite(old_score):
        old_is_better = old_score > new_score if higher_is_better else old_score < new_score
        if old_is_better:
            latest = path.with_name(f"{path.stem}.latest{path.suffix}")
            save_checkpoint(checkpoint, latest)
            return latest, (f"{relative_to_repo(path)} 里以前训练的模型更好（{what} {old_score:.4f}，本次 {new_score:.4f}），"
                            f"保留它；本次的模型另存为 {relative_to_repo(latest)}")
        save_checkpoint(checkpoint, path)
        return path, (f"本次的模型（{what} {new_score:.4f}）不比以前的（{old_score:.4f}）差，"
                      f"已替换 {relative_to_repo(path)}")
    save_checkpoint(checkpoint, path)
    return path, f"模型已保存：{relative_to_repo(path)}（{what} {new_score:.4f}）"
