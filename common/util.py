"""数组工具：one-hot 编码、im2col/col2im、卷积输出大小、小批量迭代器、曲线平滑。"""
import numpy as np


def one_hot(labels, num_classes=10):
    """把整数标签转成 one-hot 矩阵。

    labels: (N,) 的整数数组，取值 0..num_classes-1
    返回: (N, num_classes) 的 float32 数组，每行只有正确类别处为 1
    """
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels 应为一维整数数组 (N,)，实际形状为 {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"标签取值应在 0..{num_classes - 1} 之间，实际范围为 {labels.min()}..{labels.max()}"
        )
    result = np.zeros((labels.size, num_classes), dtype=np.float32)
    result[np.arange(labels.size), labels] = 1.0
    return result
