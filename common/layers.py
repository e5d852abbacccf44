"""计算图的层（docs/03_反向传播算法.md 起）：每层有 forward（正向传播）和 backward（反向传播）。

约定：
- backward(dout) 接收上游传来的梯度 dout（损失对本层输出的导数），
  乘以本层的局部导数后，返回损失对本层输入的导数（链式法则）。
- 有参数的层把参数梯度存在属性里（Affine.dW、Affine.db 等），由网络收集后交给优化器。
- 不修改传入的数组（反向传播时上游的 dout 可能还要被别处使用）；
  保持输入的 dtype：float32 进、float32 出，float64 进、float64 出。
"""
import numpy as np

from common.functions import check_labels, log_softmax, sigmoid, softmax
from common.util import col2im, conv_output_size, im2col


def _check_array(where, x):
    """层的输入必须是 NumPy 数组：列表没有 shape、ndim，也不能做 x <= 0 这样的逐元素比较。"""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{where}: 输入应为 NumPy 数组，实际为 {type(x).__name__}；请先用 np.asarray(x) 转换")


def _check_forward_done(where, saved):
    """backward 要用 forward 保存的中间结果；还没有正向传播时给出明确的报错，而不是 None 引起的怪异错误。"""
    if saved is None:
        raise RuntimeError(f"{where}: 还没有调用 forward。反向传播要用正向传播时保存的中间结果，请先调用 forward 再调用 backward")


class MulLayer:
    """乘法节点 out = x * y（docs/03_反向传播算法.md 中买苹果的例子）。"""

    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        """x, y: 数或同形状的数组；返回 x * y。"""
        self.x = x
        self.y = y
        return x * y

    def backward(self, dout):
        """乘法节点把上游梯度乘以"另一个"输入：返回 (dx, dy) = (dout * y, dout * x)。"""
        _check_forward_done("MulLayer.backward", self.x)
        dx = dout * self.y
        dy = dout * self.x
        return dx, dy


class AddLayer:
    """加法节点 out = x + y。"""

    def forward(self, x, y):
        """x, y: 数或同形状的数组；返回 x + y。"""
        return x + y

    def backward(self, dout):
        """加法节点的局部导数是 1：上游梯度原样传给两个输入，返回 (dx, dy)。"""
        dx = dout * 1  # 乘 1 得到新的对象，两个输入各拿一份，互不影响
        dy = dout * 1
        return dx, dy


class Relu:
    """ReLU 层：out = max(0, x)。属性 mask 记录哪些位置 x <= 0。"""

    def __init__(self):
        self.mask = None

    def forward(self, x):
        """x: 任意形状的数组；返回同形状、同 dtype。"""
        _check_array("Relu.forward", x)
        self.mask = x <= 0
        return np.maximum(x, 0)

    def backward(self, dout):
        """x > 0 处梯度原样通过，x <= 0 处为 0。返回新数组，不改写 dout。"""
        _check_forward_done("Relu.backward", self.mask)
        return dout * ~self.mask  # 乘以"保留"掩码（True 当作 1，False 当作 0）


class Sigmoid:
    """Sigmoid 层：out = sigmoid(x)。属性 out 保存正向输出，反向传播要用。"""

    def __init__(self):
        self.out = None

    def forward(self, x):
        """x: 任意形状；返回同形状、同 dtype。"""
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        """sigmoid 的导数可以只用输出表示：y * (1 - y)。"""
        _check_forward_done("Sigmoid.backward", self.out)
        return dout * (1 - self.out) * self.out


class Affine:
    """全连接层（仿射变换）：out = x @ W + b。

    W: (D, M) 权重，b: (M,) 偏置；反向传播后 dW、db 与它们同形状。
    输入可以是 (N, D)，也可以是图像等多维数据 (N, C, H, W)：先展平成 (N, C*H*W)。
    """

    def __init__(self, W, b):
        _check_array("Affine 的权重 W", W)
        _check_array("Affine 的偏置 b", b)
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ValueError(
                f"Affine: W 应为 (D, M)、b 应为 (M,)，实际 W 的形状为 {W.shape}、b 的形状为 {b.shape}；"
                f"b 的长度应等于 W 的列数（输出神经元数）"
            )
        self.W = W
        self.b = b
        self.x = None  # 展平后的输入 (N, D)
        self.original_x_shape = None  # 原始输入形状，反向传播时把 dx 还原回去
        self.dW = None
        self.db = None

    def forward(self, x):
        """x: (N, D) 或 (N, ...)（展平后共 D 个特征）；返回 (N, M)。"""
        _check_array("Affine.forward", x)
        if x.ndim < 2:
            raise ValueError(f"Affine: x 应为批量数据 (N, D)，实际形状为 {x.shape}；单个样本请写成 x.reshape(1, -1)")
        self.original_x_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        if x.shape[1] != self.W.shape[0]:
            raise ValueError(
                f"Affine: x 的特征数 {x.shape[1]} 与 W 的行数 {self.W.shape[0]} 不一致"
                f"（x 的形状 {self.original_x_shape}，W 的形状 {self.W.shape}）"
            )
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        """dout: (N, M)；返回 dx，形状与正向输入相同。"""
        _check_forward_done("Affine.backward", self.x)
        dx = dout @ self.W.T
        self.dW = self.x.T @ dout  # (D, N) @ (N, M)：每个样本的贡献相加
        self.db = dout.sum(axis=0)  # 偏置被加到每个样本上，所以梯度沿批量方向求和
        return dx.reshape(self.original_x_shape)


class SoftmaxWithLoss:
    """Softmax 层与交叉熵误差合在一起的输出层。

    合在一起后反向传播非常简洁：dx = (y - t) / N（y 为 softmax 输出，t 为 one-hot 标签）。
    损失直接由 log_softmax(x) 计算（与 torch.nn.functional.cross_entropy 相同），
    不需要 cross_entropy 里的 1e-7 保护，logits 很大时也准确。
    属性：y（softmax 输出 (N, C)）、t（传入的标签）、loss（批内平均损失，float）。
    """

    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        """x: (N, C) 的分数（logits）；t: one-hot (N, C) 或整数标签 (N,)，取值在 [0, C) 之内。

        返回平均交叉熵（float）。标签越界或 one-hot 有全 0 的行时抛出 ValueError。
        """
        _check_array("SoftmaxWithLoss.forward", x)
        if x.ndim != 2:
            raise ValueError(f"SoftmaxWithLoss: x 应为 (N, C)，实际形状为 {x.shape}")
        t = np.asarray(t)
        batch_size = x.shape[0]
        is_one_hot = t.shape == x.shape
        if not is_one_hot and not (t.shape == (batch_size,) and np.issubdtype(t.dtype, np.integer)):
            raise ValueError(
                f"SoftmaxWithLoss: 标签 t 的形状 {t.shape}（dtype {t.dtype}）与 x 的形状 {x.shape} 不匹配，"
                f"t 应为 one-hot {x.shape} 或整数标签 ({batch_size},)"
            )
        check_labels("SoftmaxWithLoss", t, x.shape[1])
        self.t = t
        self.y = softmax(x)
        log_y = log_softmax(x)
        if is_one_hot:
            self.loss = float(-np.sum(t * log_y) / batch_size)
        else:
            self.loss = float(-np.sum(log_y[np.arange(batch_size), t]) / batch_size)
        return self.loss

    def backward(self, dout=1):
        """返回 dx = (y - t) / N * dout，形状 (N, C)，dtype 与 x 相同。"""
        _check_forward_done("SoftmaxWithLoss.backward", self.y)
        batch_size = self.y.shape[0]
        dx = self.y.copy()
        if self.t.shape == dx.shape:
            dx -= self.t  # 原地减法保持 y 的 dtype（即使 t 是 float64 的 one-hot）
        else:
            dx[np.arange(batch_size), self.t] -= 1  # 整数标签：只有正确类别处减 1
        dx *= dout / batch_size
        return dx


class Dropout:
    """Dropout 层（docs/04_学习的技巧.md）：训练时随机让一部分神经元输出 0，抑制过拟合。

    采用"反向 dropout"（inverted dropout，torch.nn.Dropout 也是如此）：
    训练时保留下来的值除以 (1 - dropout_ratio)，使输出的期望与输入相同；
    推理（train_flg=False）时什么都不做，原样输出。
    （书中的写法是训练时不缩放、推理时乘以 (1 - dropout_ratio)，两者的期望相同。）
    掩码用 np.random.rand（全局随机数生成器）抽取，先 set_seed 即可复现；保存在属性 mask 中。
    """

    def __init__(self, dropout_ratio=0.5):
        if not 0 <= dropout_ratio < 1:
            raise ValueError(f"Dropout: dropout_ratio 应在 [0, 1) 之间，实际为 {dropout_ratio}")
        self.dropout_ratio = dropout_ratio
        self.mask = None  # 布尔数组，True 表示保留；推理时为 None
        self.train_flg = None  # 上一次 forward 是否为训练模式；None 表示还没有正向传播过

    def forward(self, x, train_flg=True):
        """x: 任意形状的数组；返回同形状、同 dtype。"""
        _check_array("Dropout.forward", x)
        self.train_flg = train_flg
        if not train_flg:
            self.mask = None
            return x
        self.mask = np.random.rand(*x.shape) >= self.dropout_ratio  # 每个元素以 1 - ratio 的概率保留
        return x * self.mask / (1 - self.dropout_ratio)

    def backward(self, dout):
        """与正向使用同一个掩码：被丢弃的位置梯度为 0，保留的位置同样除以 (1 - ratio)。"""
        _check_forward_done("Dropout.backward", self.train_flg)
        if self.mask is None:
            return dout
        return dout * self.mask / (1 - self.dropout_ratio)


class BatchNormalization:
    """批归一化（batch normalization，docs/04_学习的技巧.md）。

    训练时（train_flg=True）用当前批的均值和方差把每个特征归一化为均值 0、方差 1，
    再做缩放平移：out = gamma * x_hat + beta；同时更新滑动平均（running_mean / running_var），
    推理时（train_flg=False）改用这两个滑动平均。

    输入 (N, D)：对每个特征 d 单独归一化；gamma, beta 为 (D,)。
    输入 (N, C, H, W)：对每个通道在 (N, H, W) 上归一化（与 torch.nn.BatchNorm2d 相同）；gamma, beta 为 (C,)。

    参数与 torch 的对应关系：
    - momentum=0.9 表示 新 = 0.9 * 旧 + 0.1 * 当前批；torch 的 momentum=0.1 表示的是同一件事（权重放在当前批上）。
    - eps=1e-5 与 torch 相同（书中为 1e-7），加在方差上防止除以 0。
    - 归一化用有偏方差（除以 m）；running_var 累积的是无偏方差（除以 m - 1），与 torch 相同。
      这里 m 是每个特征（通道）参与统计的值的个数：N 或 N*H*W。
    - running_mean 初始为 0，running_var 初始为 1（与 torch 相同）。
    属性：gamma, beta, dgamma, dbeta, running_mean, running_var。
    """

    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None, eps=1e-5):
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.eps = eps
        self.running_mean = running_mean
        self.running_var = running_var
        self.dgamma = None
        self.dbeta = None
        # 反向传播要用的中间结果
        self.train_flg = None
        self.xn = None  # 归一化后的 x_hat
        self.std = None  # sqrt(方差 + eps)，形状可与 x 广播

    def _axes_and_shape(self, x):
        """返回求统计量的轴，以及把 (C,) 参数广播到 x 上所需的形状。"""
        if x.ndim == 2:
            return (0,), (1, -1)
        if x.ndim == 4:
            return (0, 2, 3), (1, -1, 1, 1)
        raise ValueError(f"BatchNormalization: 输入应为 (N, D) 或 (N, C, H, W)，实际形状为 {x.shape}")

    def forward(self, x, train_flg=True):
        """x: (N, D) 或 (N, C, H, W)；返回同形状、同 dtype。"""
        _check_array("BatchNormalization.forward", x)
        axes, param_shape = self._axes_and_shape(x)
        channels = x.shape[1]
        if self.gamma.shape != (channels,) or self.beta.shape != (channels,):
            raise ValueError(
                f"BatchNormalization: gamma 的形状 {self.gamma.shape}、beta 的形状 {self.beta.shape} "
                f"应为 ({channels},)，与输入的特征数一致（x 的形状 {x.shape}）"
            )
        if self.running_mean is None:
            self.running_mean = np.zeros(channels, dtype=x.dtype)
            self.running_var = np.ones(channels, dtype=x.dtype)

        if train_flg:
            m = x.size // channels  # 每个特征参与统计的值的个数
            if m < 2:
                raise ValueError(
                    f"BatchNormalization: 训练模式下每个特征至少需要 2 个值来估计方差，x 的形状为 {x.shape}"
                )
            mean = x.mean(axis=axes, keepdims=True)
            xc = x - mean
            var = np.mean(xc * xc, axis=axes, keepdims=True)  # 有偏方差，用于归一化
            std = np.sqrt(var + self.eps)
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mean.ravel()
            unbiased_var = var.ravel() * (m / (m - 1))
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * unbiased_var
        else:
            xc = x - self.running_mean.reshape(param_shape)
            std = np.sqrt(self.running_var.reshape(param_shape) + self.eps)

        xn = xc / std
        self.train_flg = train_flg
        self.xn = xn
        self.std = std
        return self.gamma.reshape(param_shape) * xn + self.beta.reshape(param_shape)

    def backward(self, dout):
        """dout: 与输入同形状；返回 dx，并把参数梯度存入 dgamma、dbeta（形状同 gamma）。"""
        _check_forward_done("BatchNormalization.backward", self.xn)
        axes, param_shape = self._axes_and_shape(dout)
        self.dbeta = dout.sum(axis=axes)
        self.dgamma = (dout * self.xn).sum(axis=axes)
        dxn = dout * self.gamma.reshape(param_shape)
        if not self.train_flg:
            return dxn / self.std  # 推理时均值、方差是常数，只剩缩放
        # 训练时均值和方差也依赖 x，梯度有三条路径：
        # 直接经过 x_hat、经过均值（减去 dxn 的平均）、经过方差（减去 x_hat 方向上的分量）。
        mean_dxn = dxn.mean(axis=axes, keepdims=True)
        mean_dxn_xn = (dxn * self.xn).mean(axis=axes, keepdims=True)
        return (dxn - mean_dxn - self.xn * mean_dxn_xn) / self.std


class Convolution:
    """卷积层（卷积神经网络，ch08_cnn），用 im2col 把卷积变成矩阵乘法。

    W: (FN, C, FH, FW) 卷积核（FN 个，每个 C 通道、FH×FW 大小）；b: (FN,) 偏置。
    输入 (N, C, H, W)，输出 (N, FN, out_h, out_w)，out_h = floor((H + 2*pad - FH) / stride) + 1
    （与 torch.nn.Conv2d 相同；除不尽时最后一个窗口够不到的行/列不参与计算，梯度为 0）。
    属性 dW、db 为反向传播得到的参数梯度，col 为 im2col 展开后的输入。
    """

    def __init__(self, W, b, stride=1, pad=0):
        self.W = W
        self.b = b
        self.stride = stride
        self.pad = pad
        self.x = None
        self.col = None  # im2col 展开后的输入 (N*out_h*out_w, C*FH*FW)
        self.dW = None
        self.db = None

    def forward(self, x):
        """x: (N, C, H, W)；返回 (N, FN, out_h, out_w)，dtype 与 x 相同。"""
        _check_array("Convolution.forward", x)
        num_filters, channels, filter_h, filter_w = self.W.shape
        if x.ndim != 4 or x.shape[1] != channels:
            raise ValueError(
                f"Convolution: 输入应为 (N, {channels}, H, W)，实际形状为 {x.shape}（W 的形状 {self.W.shape}）"
            )
        n, _, h, w = x.shape
        out_h = conv_output_size(h, filter_h, self.stride, self.pad)
        out_w = conv_output_size(w, filter_w, self.stride, self.pad)

        col = im2col(x, filter_h, filter_w, self.stride, self.pad)  # (N*out_h*out_w, C*FH*FW)
        W_flat = self.W.reshape(num_filters, -1)  # (FN, C*FH*FW)：每行是一个展开的卷积核
        # 卷积 = 每个窗口（col 的一行）与每个卷积核（W_flat 的一行）做内积，再加偏置。
        # 写成 W_flat @ col.T 得到 (FN, N*out_h*out_w)，即 col @ W_flat.T 的转置；
        # 这样排列时矩阵乘法和下面的转置都更快（col.T 是连续内存，见 im2col）。
        out = W_flat @ col.T + self.b[:, np.newaxis]
        out = out.reshape(num_filters, n, out_h, out_w).transpose(1, 0, 2, 3)

        self.x = x
        self.col = col
        return np.ascontiguousarray(out)  # 转成连续内存，后面的层逐元素运算更快

    def backward(self, dout):
        """dout: (N, FN, out_h, out_w)；返回 dx (N, C, H, W)，并算出 dW、db。"""
        _check_forward_done("Convolution.backward", self.col)
        num_filters = self.W.shape[0]
        _, _, filter_h, filter_w = self.W.shape
        dout = dout.transpose(1, 0, 2, 3).reshape(num_filters, -1)  # (FN, N*out_h*out_w)，与正向的 out 一致

        self.db = dout.sum(axis=1)  # 偏置加到了每个输出位置上，梯度对所有位置求和
        self.dW = (dout @ self.col).reshape(self.W.shape)  # (FN, C*FH*FW) → (FN, C, FH, FW)
        W_flat = self.W.reshape(num_filters, -1)
        dcol = (W_flat.T @ dout).T  # (N*out_h*out_w, C*FH*FW)：每个窗口得到的梯度
        return col2im(dcol, self.x.shape, filter_h, filter_w, self.stride, self.pad)


class Pooling:
    """最大池化层（max pooling，ch08_cnn）：每个 pool_h×pool_w 窗口取最大值，各通道独立。

    输入 (N, C, H, W)，输出 (N, C, out_h, out_w)，输出大小的规则与 Convolution 相同（向下取整，同 torch）。
    反向传播时梯度只流向每个窗口中最大值所在的位置
    （有并列最大值时取第一个，与 np.argmax、torch 相同）。
    pad > 0 时用 -inf 填充（与 torch.nn.functional.max_pool2d 相同），填充值永远不会被选为最大值。
    属性 arg_max: (C, N*out_h*out_w)，每个窗口中最大值在窗口内的位置 0..pool_h*pool_w-1。
    """

    def __init__(self, pool_h, pool_w, stride=2, pad=0):
        self.pool_h = pool_h
        self.pool_w = pool_w
        self.stride = stride
        self.pad = pad
        self.x = None
        self.arg_max = None

    def forward(self, x):
        """x: (N, C, H, W)；返回 (N, C, out_h, out_w)，dtype 与 x 相同。"""
        _check_array("Pooling.forward", x)
        if x.ndim != 4:
            raise ValueError(f"Pooling: 输入应为 (N, C, H, W)，实际形状为 {x.shape}")
        n, c, h, w = x.shape
        out_h = conv_output_size(h, self.pool_h, self.stride, self.pad)
        out_w = conv_output_size(w, self.pool_w, self.stride, self.pad)
        padded = x
        if self.pad > 0:
            p = self.pad
            padded = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=-np.inf)

        pool_size = self.pool_h * self.pool_w
        col = im2col(padded, self.pool_h, self.pool_w, self.stride, 0)  # (N*out_h*out_w, C*pool_size)
        windows = col.T.reshape(c, pool_size, -1)  # (C, pool_size, 窗口数)：windows[:, k] 是各窗口的第 k 个值

        # 在窗口内的 pool_size 个位置上逐个比较（只循环 pool_size 次，每次处理所有窗口）：
        # out 是目前的最大值，arg_max 是它的位置；严格更大才更新，所以并列时保留第一个。
        # 结果与 np.argmax(windows, axis=1) 相同，但 argmax 沿这种很短的轴逐个窗口处理，慢十几倍。
        out = windows[:, 0].copy()
        arg_max = np.zeros(out.shape, dtype=np.min_scalar_type(pool_size - 1))  # 小整数类型，省内存也更快
        for k in range(1, pool_size):
            larger = windows[:, k] > out
            arg_max += larger * (k - arg_max)  # larger 处改为 k，其余不变（即 np.where(larger, k, arg_max)）
            np.maximum(out, windows[:, k], out=out)

        self.x = x
        self.arg_max = arg_max
        return np.ascontiguousarray(out.reshape(c, n, out_h, out_w).transpose(1, 0, 2, 3))

    def backward(self, dout):
        """dout: (N, C, out_h, out_w)；返回 dx (N, C, H, W)。"""
        _check_forward_done("Pooling.backward", self.x)
        n, c, h, w = self.x.shape
        p = self.pad
        pool_size = self.pool_h * self.pool_w
        dout = dout.transpose(1, 0, 2, 3).reshape(c, -1)  # (C, 窗口数)，与 arg_max 对应

        # 窗口内第 k 个位置的梯度：只有它是最大值时才等于 dout，否则为 0
        dwindows = np.empty((c, pool_size, dout.shape[1]), dtype=dout.dtype)
        for k in range(pool_size):
            np.multiply(dout, self.arg_max == k, out=dwindows[:, k])
        dcol = dwindows.reshape(c * pool_size, -1).T  # 与 im2col 的输出同样排列
        dx = col2im(dcol, (n, c, h + 2 * p, w + 2 * p), self.pool_h, self.pool_w, self.stride, 0)
        return dx[:, :, p:p + h, p:p + w]
