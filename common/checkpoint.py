"""PyTorch 检查点（模型文件）的保存与读取：原子写入、不悄悄覆盖更好的模型、读不了时说清楚。

    from common.checkpoint import save_checkpoint, load_checkpoint, keep_better_checkpoint

    save_checkpoint({"model_state": model.state_dict(), "val_acc": 0.93}, path)   # 原子写入
    checkpoint = load_checkpoint(path, required_keys=["model_state"],
                                 how_to_make="先运行 python ch08_cnn/4_fashion_category.py 训练一个")
    load_model_state(model, checkpoint["model_state"], path)   # 键或形状不对时给出简短的说明

长时间的训练用 BestModelFile 管理“目前最好的模型”的文件（本次运行自己的文件、发布、停下时的说明），
见它的说明。torch 在函数内部才导入，NumPy 章节 import common 时不会加载它。
"""
import math
import os
import tempfile
import time
import zipfile
from pathlib import Path

from common.divergence import TrainingDivergedError
from common.paths import output_path, relative_to_repo


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


class BestModelFile:
    """长时间训练中“目前最好的模型”的文件：训练途中写本次运行自己的文件，正常结束才发布到固定的名字。

        best_file = BestModelFile("ch08_cnn/fashion_cnn.pt", score_key="best_val_acc", what="验证精度")
        with best_file:  # 被 Ctrl-C 或发散打断时说明：以前发布的模型没有动，本次的模型在哪里（或已删掉）
            for epoch in range(1, epochs + 1):
                ...
                if val_acc > best_val_acc:  # 验证成绩更好：记住这一轮
                    best_state = copy.deepcopy(model.state_dict())
                    best_file.save({"model_state": best_state, "best_val_acc": val_acc, "epoch": epoch})
        best_file.publish()  # 发布到 output/ch08_cnn/fashion_cnn.pt，但不悄悄替换以前更好的模型

    - save：把 checkpoint 原子地写到本次运行自己的文件 output/<名字>.run-<时间>-<进程号>.pt
      （save_checkpoint）。中途停下（Ctrl-C、发散、断电）不会动到以前发布的模型，同时开始的两次运行也不会互相覆盖。
    - publish：训练正常结束时调用，按 keep_better_checkpoint 发布最后一次 save 的内容——以前发布的模型
      成绩更好时保留它，本次的另存为 <名字>.latest.pt——打印一句说明，删掉本次运行的文件，返回实际写入的路径。
    - with 块里出现 KeyboardInterrupt（Ctrl-C）时打印：以前发布的模型没有改动，本次目前最好的模型留在
      本次运行的文件里；出现 TrainingDivergedError 时删掉本次运行的文件并说明。异常照常抛出，
      由 common.cli.run 打印最后一行“错误：……”。
    score_key: checkpoint 里成绩的键；higher_is_better: 成绩越高越好（精度）还是越低越好（困惑度）；
    what: 打印时成绩的叫法；active=False（多进程训练中 0 号以外的进程）时什么都不写、不打印；
    resume_hint: Ctrl-C 时附在本次运行文件后面的一句用法，如“可用 --evaluate 评估”。
    """

    def __init__(self, model_file, *, score_key, higher_is_better=True, what=None, active=True,
                 resume_hint="可用 --evaluate 评估"):
        self.published = output_path(model_file)
        self.run_path = self.published.with_name(
            f"{self.published.stem}.run-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}{self.published.suffix}")
        self.score_key, self.higher_is_better, self.what = score_key, higher_is_better, what or score_key
        self.active, self.resume_hint = active, resume_hint
        self.checkpoint = None  # 最后一次 save 的内容（publish 发布它）

    def save(self, checkpoint):
        """记下 checkpoint（含 score_key 的 dict）并原子地写到本次运行的文件。"""
        self.checkpoint = checkpoint
        if self.active:
            save_checkpoint(checkpoint, self.run_path)

    def publish(self):
        """发布最后一次 save 的模型（不替换以前更好的模型），打印说明，返回实际写入的路径（没有 save 过时返回 None）。"""
        if not self.active:
            return None
        if self.checkpoint is None:
            print(f"本次没有保存模型，{relative_to_repo(self.published)} 没有改动")
            return None
        written, message = keep_better_checkpoint(self.checkpoint, self.published, score_key=self.score_key,
                                                  higher_is_better=self.higher_is_better, what=self.what)
        self.run_path.unlink(missing_ok=True)
        print(message)
        return written

    def stopped_message(self, reason, keep_run_file):
        """训练没有正常结束时的说明：以前发布的模型没有动；本次的模型文件保留（中断）或已删掉（发散）。"""
        shown = relative_to_repo(self.published)
        text = (f"{reason}。" + (f"以前发布的模型 {shown} 没有改动" if self.published.exists()
                                 else f"没有发布模型（{shown} 不存在）"))
        if keep_run_file and self.run_path.exists():
            epoch = self.checkpoint.get("epoch") if isinstance(self.checkpoint, dict) else None
            until = f"到第 {epoch} 轮为止" if epoch is not None else "目前"
            hint = f"（{self.resume_hint}）" if self.resume_hint else ""
            return text + f"；本次{until}最好的模型在 {relative_to_repo(self.run_path)}{hint}"
        return text + "；本次没有保存模型"

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if not self.active or kind is None:
            return False
        if issubclass(kind, KeyboardInterrupt):
            print(self.stopped_message("训练被中断（Ctrl-C）", keep_run_file=True), flush=True)
        elif issubclass(kind, TrainingDivergedError):
            self.run_path.unlink(missing_ok=True)
            print(self.stopped_message("训练发散，停止", keep_run_file=False), flush=True)
        return False  # 异常照常抛出
