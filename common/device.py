"""为 PyTorch 章节选择计算设备：有 CUDA 用 CUDA，其次 Apple 的 MPS，否则用 CPU。

torch 在函数内部才导入，NumPy 章节 import common 时不会加载它。

    device = get_device(verbose=True)               # 自动选择，打印“使用设备：cpu”
    device = get_device(args.device, verbose=True)  # 命令行 --device 给了就用它（None 时自动选择）
"""


def _available(torch, kind):
    """这台机器上 torch 能不能用 kind 类型的设备。"""
    if kind == "cuda":
        return torch.cuda.is_available()
    if kind == "mps":
        return getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    return kind == "cpu"


def get_device(requested=None, verbose=False):
    """返回 torch.device。

    requested: None（默认）时按 CUDA → MPS → CPU 自动选择；也可以是 "cpu"、"cuda"、"cuda:1"、"mps"
        或 torch.device（例如训练脚本的 --device 选项），这时检查这台机器确实能用它。
    verbose: 为 True 时打印一行“使用设备：…”。
    """
    import torch

    if requested is None:
        device = next(torch.device(kind) for kind in ("cuda", "mps", "cpu") if _available(torch, kind))
        how = ""
    else:
        try:
            device = torch.device(requested)
        except (RuntimeError, TypeError) as error:
            raise ValueError(f"不认识的设备 {requested!r}：请用 cpu、cuda、cuda:0 或 mps（{error}）") from None
        if not _available(torch, device.type):
            raise ValueError(f"指定了设备 {requested!r}，但这台机器上的 PyTorch 不能用 {device.type}："
                             "去掉 --device 让程序自动选择，或改用 --device cpu")
        if device.type == "cuda" and device.index is not None and device.index >= torch.cuda.device_count():
            count = torch.cuda.device_count()
            raise ValueError(f"指定了设备 {requested!r}，但这台机器只有 {count} 块 GPU（编号 0～{count - 1}）："
                             "改用 --device cuda 或一个存在的编号")
        how = "（命令行指定）"
    if verbose:
        print(f"使用设备：{device}{how}")
    return device
