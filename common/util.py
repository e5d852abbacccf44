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


def conv_output_size(input_size, filter_size, stride=1, pad=0):
    """卷积或池化输出的边长：floor((input_size + 2 * pad - filter_size) / stride) + 1。

    与 torch.nn.Conv2d / MaxPool2d 的规则相同：除不尽时向下取整，最后一个窗口够不到的几行/列
    （填充后输入的末尾）不参与计算，反向传播时它们的梯度为 0。
    例如 8×8 的输入、3×3 卷积核、步幅 2、pad 1：floor((8 + 2 - 3) / 2) + 1 = 4。
    所有参数都是整数；返回 int。
    """
    if stride < 1:
        raise ValueError(f"步幅 stride 应为正整数，实际为 {stride}")
    if pad < 0:
        raise ValueError(f"填充 pad 应为非负整数，实际为 {pad}")
    span = input_size + 2 * pad - filter_size
    if span < 0:
        raise ValueError(
            f"卷积核大小 {filter_size} 大于填充后的输入大小 {input_size + 2 * pad}"
            f"（输入 {input_size}，pad {pad}），请减小卷积核或增大 pad"
        )
    return span // stride + 1


def im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    """把图像中每个卷积核窗口展开成一行，卷积就变成一次矩阵乘法（卷积神经网络，ch08_cnn）。

    input_data: (N, C, H, W) 的图像批；输出大小按 conv_output_size 的向下取整规则，
    最后一个窗口够不到的行/列不会出现在任何一行里
    返回: (N * out_h * out_w, C * filter_h * filter_w) 的二维数组，dtype 与输入相同。
          行按 (样本, 输出行, 输出列) 排列，列按 (通道, 卷积核行, 卷积核列) 排列，
          所以卷积核 W (FN, C, FH, FW) 展开成 W.reshape(FN, -1).T 后可直接相乘。
    为了速度，返回的是一个 (C*FH*FW, N*out_h*out_w) 连续数组的转置视图（值与形状同上，
    只是内存按列存放）；矩阵乘法和 col2im 都能直接使用它，不必复制。
    """
    n, c, h, w = input_data.shape
    out_h = conv_output_size(h, filter_h, stride, pad)
    out_w = conv_output_size(w, filter_w, stride, pad)
    img = input_data
    if pad > 0:
        img = np.pad(input_data, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    # 卷积核里的每个位置 (dy, dx) 对应一次循环：按步幅从图像中取出所有窗口在该位置的像素，
    # 整批、所有窗口一起处理，只循环 filter_h * filter_w 次。
    # 按 (C, FH, FW, N, out_h, out_w) 存放，每次写入的都是一整块连续内存。
    col = np.empty((c, filter_h, filter_w, n, out_h, out_w), dtype=input_data.dtype)
    for dy in range(filter_h):
        y_end = dy + stride * out_h
        for dx in range(filter_w):
            x_end = dx + stride * out_w
            patch = img[:, :, dy:y_end:stride, dx:x_end:stride]  # (N, C, out_h, out_w)
            col[:, dy, dx] = patch.transpose(1, 0, 2, 3)
    return col.reshape(c * filter_h * filter_w, n * out_h * out_w).T


def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    """im2col 的逆操作（准确地说是伴随操作）：把每行的值加回它来自的像素位置。

    窗口重叠时，同一像素会从多行收到值，这里把它们累加起来——
    这正是卷积反向传播需要的：一个像素参与了几个窗口，就汇总几份梯度；
    没有被任何窗口覆盖的像素（步幅除不尽时末尾的行/列）得到 0。
    col: (N * out_h * out_w, C * filter_h * filter_w)，排列方式与 im2col 的输出相同
    input_shape: 原图像形状 (N, C, H, W)
    返回: (N, C, H, W) 的数组，dtype 与 col 相同。
    """
    n, c, h, w = input_shape
    out_h = conv_output_size(h, filter_h, stride, pad)
    out_w = conv_output_size(w, filter_w, stride, pad)
    # 转置成 (C, FH, FW, N, out_h, out_w)：col 来自 im2col 那样的列存放时不需要复制
    col = col.T.reshape(c, filter_h, filter_w, n, out_h, out_w)
    img = np.zeros((n, c, h + 2 * pad, w + 2 * pad), dtype=col.dtype)
    for dy in range(filter_h):
        y_end = dy + stride * out_h
        for dx in range(filter_w):
            x_end = dx + stride * out_w
            img[:, :, dy:y_end:stride, dx:x_end:stride] += col[:, dy, dx].transpose(1, 0, 2, 3)
    return img[:, :, pad:pad + h, pad:pad + w]


def minibatches(x, t, batch_size, shuffle=True):
    """按小批量遍历一轮（epoch）数据：每个样本恰好出现一次。

    shuffle=True 时每轮用 np.random 的全局随机数生成器重新排列一次（先 set_seed 即可复现）；
    这与书中每步有放回地随机抽取 (np.random.choice) 不同，后者一轮内有的样本会被抽到多次、有的一次也没有。
    最后一批可能不足 batch_size。
    x: (N, ...)，t: (N, ...)；每次产出 (x_batch, t_batch)。
    """
    n = len(x)
    if len(t) != n:
        raise ValueError(f"minibatches: x 有 {n} 个样本而 t 有 {len(t)} 个，两者应一一对应")
    if batch_size < 1:
        raise ValueError(f"minibatches: batch_size 应为正整数，实际为 {batch_size}")
    order = np.random.permutation(n) if shuffle else np.arange(n)
    for start in range(0, n, batch_size):
        index = order[start:start + batch_size]
        yield x[index], t[index]


def smooth_curve(x, window=11):
    """对损失曲线做滑动平均，便于看清趋势。

    x: (L,) 的一维序列；window: 窗口长度（取奇数，较长的序列可以更大）。
    返回 (L,) 的 float64 数组，与输入等长，可直接与原曲线画在同一横轴上；
    两端窗口放不下时只对能取到的点平均。
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"smooth_curve: x 应为一维序列，实际形状为 {x.shape}")
    if len(x) == 0:
        return x.copy()
    half = min(max(window, 1) // 2, (len(x) - 1) // 2)  # 窗口不超过序列长度
    kernel = np.ones(2 * half + 1)
    total = np.convolve(x, kernel, mode="same")  # 每个点 ± half 范围内的和
    count = np.convolve(np.ones_like(x), kernel, mode="same")  # 其中实际有几个点
    return total / count
