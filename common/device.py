"""为 PyTorch 章节选择计算设备：有 CUDA 用 CUDA，其次 Apple 的 MPS，否则用 CPU。

torch 在函数内部才导入，NumPy 章节 import common 时不会加载它。
"""


def get_device(verbose=False):
    """返回 torch.device：'cuda'、'mps' 或 'cpu'。"""
    import torch

    if torch.cuda.is_available():
        device = torch.device("cuda")
    elif getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        device = torch.device("mps")
    else:
        device = torch.device("cpu")
    if verbose:
        print(f"使用设备：{device}")
    return device
