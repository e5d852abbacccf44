"""激活函数、损失函数及其导数（理论第 1～3 章：docs/01_神经网络基础.md、docs/02_神经网络的学习.md、docs/03_反向传播算法.md）。

约定：
- 输入可以是 Python 数、列表或 NumPy 数组；整数输入先转成 float64。
- 保持浮点输入的 dtype：float32 进，float32 出（训练用 float32，梯度检验用 float64）。
- 数值稳定：输入为 ±1000 时也不产生溢出警告、NaN 或 inf。
  exp 的结果小到无法表示时会下溢（underflow）为 0，这是正确的舍入结果而不是错误，
  所以相关函数在内部用 ``np.errstate(under="ignore")`` 关掉下溢提示。
"""
import numpy as np


def _as_float_array(x):
    """把输入转成浮点数组：浮点数组原样返回（不复制），其余转成 float64。"""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    return x


# ---------------------------------------------------------------- 激活函数

def step_function(x):
    """阶跃函数（step function）：x > 0 输出 1，否则输出 0。

    x: 任意形状的数组；返回同形状、同浮点 dtype 的 0/1 数组。
    """
    x = _as_float_array(x)
    return (x > 0).astype(x.dtype)


def sigmoid(x):
    """sigmoid 函数 1 / (1 + exp(-x))，数值稳定版本。

    直接算 exp(-x) 在 x = -1000 时会溢出。这里只对 -|x| 取指数（结果在 (0, 1]，不会溢出），
    再按符号选公式：x >= 0 时 1 / (1 + e)，x < 0 时 e / (1 + e)，其中 e = exp(-|x|)。

    x: 任意形状；返回同形状、同 dtype，取值在 [0, 1]。
    """
    x = _as_float_array(x)
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def relu(x):
    """ReLU（Rectified Linear Unit）：max(0, x)。x: 任意形状；返回同形状、同 dtype。"""
    x = _as_float_array(x)
    return np.maximum(x, 0)


def tanh(x):
    """双曲正切 tanh(x)，取值在 (-1, 1)。x: 任意形状；返回同形状、同 dtype。"""
    return np.tanh(_as_float_array(x))


def leaky_relu(x, alpha=0.01):
    """Leaky ReLU：x > 0 时为 x，否则为 alpha * x（负半轴保留一个小斜率）。

    x: 任意形状；alpha: 负半轴斜率（默认 0.01，与 torch 相同）；返回同形状、同 dtype。
    """
    x = _as_float_array(x)
    return np.where(x > 0, x, alpha * x)


def swish(x):
    """Swish（即 SiLU）：x * sigmoid(x)。x: 任意形状；返回同形状、同 dtype。"""
    x = _as_float_array(x)
    with np.errstate(under="ignore"):
        return x * sigmoid(x)


def softplus(x):
    """softplus：log(1 + exp(x))，ReLU 的光滑版本。

    用 ``np.logaddexp(0, x)`` = log(exp(0) + exp(x)) 计算，x = 1000 时也不会溢出。
    x: 任意形状；返回同形状、同 dtype。
    """
    x = _as_float_array(x)
    with np.errstate(under="ignore"):
        return np.logaddexp(0, x)


def identity(x):
    """恒等函数（identity function），回归问题的输出层用它：原样返回 x。"""
    return x


def softmax(x):
    """softmax 函数，沿最后一个轴把分数变成概率。

    先减去每行的最大值再取指数：结果不变（分子分母同乘 exp(-max)），但指数不会溢出。
    x: (C,) 一个样本，或 (N, C) 一批样本；返回同形状、同 dtype，每行之和为 1。
    """
    x = _as_float_array(x)
    shifted = x - np.max(x, axis=-1, keepdims=True)
    with np.errstate(under="ignore"):
        exp_x = np.exp(shifted)
    return exp_x / np.sum(exp_x, axis=-1, keepdims=True)


def log_softmax(x):
    """log(softmax(x))，直接按 x - max - log(sum(exp(x - max))) 计算。

    比先算 softmax 再取 log 更精确：概率下溢为 0 时 log 会得到 -inf，这里不会。
    SoftmaxWithLoss 用它计算交叉熵。
    x: (C,) 或 (N, C)；返回同形状、同 dtype。
    """
    x = _as_float_array(x)
    shifted = x - np.max(x, axis=-1, keepdims=True)
    with np.errstate(under="ignore"):
        log_sum = np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
    return shifted - log_sum


# ---------------------------------------------------------------- 激活函数的导数

def sigmoid_grad(x):
    """sigmoid 在 x 处的导数：sigmoid(x) * (1 - sigmoid(x))。x: 任意形状；返回同形状、同 dtype。"""
    s = sigmoid(x)
    with np.errstate(under="ignore"):
        return s * (1 - s)


def relu_grad(x):
    """ReLU 在 x 处的导数：x > 0 为 1，否则为 0（x = 0 处取 0，与 torch 相同）。"""
    x = _as_float_array(x)
    return (x > 0).astype(x.dtype)


def tanh_grad(x):
    """tanh 在 x 处的导数：1 - tanh(x)^2。x: 任意形状；返回同形状、同 dtype。"""
    y = tanh(x)
    return 1 - y * y


def leaky_relu_grad(x, alpha=0.01):
    """Leaky ReLU 在 x 处的导数：x > 0 为 1，否则为 alpha。"""
    x = _as_float_array(x)
    return np.where(x > 0, 1, alpha).astype(x.dtype)


# ---------------------------------------------------------------- 损失函数

def _check_same_shape(name, y, t):
    """回归损失要求 y 与 t 形状相同；否则广播会悄悄算出错误的结果，所以直接报错。"""
    if y.shape != t.shape:
        raise ValueError(
            f"{name}: 预测 y 的形状 {y.shape} 与目标 t 的形状 {t.shape} 不一致，请先把两者整理成同一形状"
        )


def mean_squared_error(y, t):
    """均方误差（mean squared error）：所有元素上 (y - t)^2 的平均。

    与 torch.nn.MSELoss()（reduction='mean'）相同；注意书中的版本是 0.5 * sum((y - t)^2)。
    y, t: 形状相同，(D,) 一个样本或 (N, D) 一批；返回 Python float。
    """
    y, t = _as_float_array(y), _as_float_array(t)
    _check_same_shape("mean_squared_error", y, t)
    return float(np.mean((y - t) ** 2))


def mean_absolute_error(y, t):
    """平均绝对误差（mean absolute error）：所有元素上 |y - t| 的平均，与 torch.nn.L1Loss() 相同。

    y, t: 形状相同；返回 Python float。
    """
    y, t = _as_float_array(y), _as_float_array(t)
    _check_same_shape("mean_absolute_error", y, t)
    return float(np.mean(np.abs(y - t)))


def smooth_l1(y, t, beta=1.0):
    """Smooth L1 损失，与 torch.nn.SmoothL1Loss(beta=beta) 相同。

    设 d = |y - t|：d < beta 时为 0.5 * d^2 / beta（误差小时像平方误差，梯度平滑），
    否则为 d - 0.5 * beta（误差大时像绝对误差，对离群点不敏感）；再对所有元素取平均。
    beta = 0 时就是平均绝对误差。
    y, t: 形状相同；返回 Python float。
    """
    y, t = _as_float_array(y), _as_float_array(t)
    _check_same_shape("smooth_l1", y, t)
    if beta < 0:
        raise ValueError(f"smooth_l1: beta 应为非负数，实际为 {beta}")
    d = np.abs(y - t)
    if beta == 0:
        return float(np.mean(d))
    return float(np.mean(np.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta)))


def check_labels(name, t, num_classes):
    """检查分类标签，有问题时抛出 ValueError（cross_entropy 与 SoftmaxWithLoss 共用）。

    t: 整数标签 (N,)，取值应在 [0, num_classes) 之内——负数会被 NumPy 当成"倒数第几个"而悄悄算错，
       大于等于 num_classes 会在取下标时报出看不懂的 IndexError；
       或 one-hot / 软标签 (N, num_classes)：每行应有正数，全 0 的行对损失毫无贡献，多半是标签做错了。
    name: 报错时写在最前面的函数名。
    """
    if t.ndim == 1:
        if t.size and (t.min() < 0 or t.max() >= num_classes):
            bad = t[(t < 0) | (t >= num_classes)]
            raise ValueError(
                f"{name}: 整数标签应在 [0, {num_classes}) 之内（共 {num_classes} 个类别），"
                f"实际出现了 {sorted(set(bad.tolist()))[:5]}；请检查标签是否从 0 开始编号、类别数是否正确"
            )
        return
    empty_rows = np.flatnonzero(~np.any(t > 0, axis=1))
    if empty_rows.size:
        raise ValueError(
            f"{name}: one-hot 标签第 {empty_rows[:5].tolist()} 行全为 0（没有正确类别）；"
            f"每行应恰好在正确类别处为 1，请检查 one-hot 编码"
        )


def cross_entropy(y, t):
    """交叉熵误差（cross entropy error）：批内平均的 -log(正确类别的概率)。

    y: softmax 输出的概率，(N, C) 一批或 (C,) 一个样本。
    t: 与 y 同形状的 one-hot（也可以是软标签），或整数标签 (N,) / 单个整数，取值在 [0, C) 之内。
    返回 Python float。标签越界或 one-hot 出现全 0 的行时抛出 ValueError（见 check_labels）。

    log(0) = -inf，所以像书中一样在 log 里加上 1e-7：log(y + 1e-7)。
    代价是结果比精确值略小，约 1e-7 / y[正确类别]（y 为 0.1 时约 1e-6）。
    需要精确值或 logits 很大时，请用 SoftmaxWithLoss（它直接从 logits 经 log_softmax 计算）。
    """
    y = _as_float_array(y)
    t = np.asarray(t)
    if y.ndim == 1:  # 单个样本看成大小为 1 的批
        y = y.reshape(1, -1)
        t = t.reshape(1, -1) if t.ndim == 1 and t.size == y.size else t.reshape(1)
    if y.ndim != 2:
        raise ValueError(f"cross_entropy: y 应为 (N, C) 或 (C,)，实际形状为 {y.shape}")
    batch_size = y.shape[0]
    if t.shape == y.shape:  # one-hot 或软标签
        check_labels("cross_entropy", t, y.shape[1])
        return float(-np.sum(t * np.log(y + 1e-7)) / batch_size)
    if t.shape != (batch_size,) or not np.issubdtype(t.dtype, np.integer):
        raise ValueError(
            f"cross_entropy: t 应为与 y 同形状 {y.shape} 的 one-hot，或形状为 ({batch_size},) 的整数标签，"
            f"实际形状为 {t.shape}、dtype 为 {t.dtype}"
        )
    check_labels("cross_entropy", t, y.shape[1])
    correct_prob = y[np.arange(batch_size), t]
    return float(-np.sum(np.log(correct_prob + 1e-7)) / batch_size)
