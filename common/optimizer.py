"""参数更新方法（docs/04_学习的技巧.md）：SGD、Momentum、Nesterov、AdaGrad、RMSprop、Adam。

用法都一样：optimizer.update(params, grads)。
params、grads 是以参数名（'W1'、'b1' ...）为键的数组字典，两者的键和每个数组的形状必须一致（否则 ValueError）；update 原地修改 params 中的数组
（各层引用的是同一个数组对象，所以层里的权重也随之更新）。
有状态的方法（速度、平方梯度的累积等）按参数名分别保存，第一次见到某个参数时初始化为 0。
核对梯度和逐个参数的循环写在基类 Optimizer 里，只写一次；每个类只写自己的公式（update_param）。
所有公式都选成与 torch.optim 中同名优化器逐步一致的形式（见 tests/test_optimizer.py）。
"""
import numpy as np


def check_grads(params, grads):
    """update 之前核对梯度字典：键与 params 一一对应、每个梯度与其参数同形状，否则抛出 ValueError；
    参数或梯度不是 NumPy 数组（例如列表）时抛出 TypeError。

    不核对的话，缺少的键会变成看不懂的 KeyError，多出的键会被悄悄忽略（那个参数从不更新），
    形状不同的梯度还可能被广播：(2,) 的梯度加到 (3, 2) 的参数上不会报错，却更新错了。
    """
    for key, value in params.items():
        if not isinstance(value, np.ndarray):  # update 原地修改数组，层里引用的才是同一份；数和列表做不到
            raise TypeError(f"optimizer.update: 参数 {key!r} 应为 NumPy 数组，实际为 {type(value).__name__}")
    for key, value in grads.items():
        if not isinstance(value, (np.ndarray, np.generic)):
            raise TypeError(f"optimizer.update: 梯度 {key!r} 应为 NumPy 数组，实际为 {type(value).__name__}；"
                            "请先用 np.asarray 转换")
    missing = sorted(set(params) - set(grads))
    unknown = sorted(set(grads) - set(params))
    wrong_shape = [f"{key}: 参数 {np.shape(params[key])}，梯度 {np.shape(grads[key])}"
                   for key in params if key in grads and np.shape(grads[key]) != np.shape(params[key])]
    problems = []
    if missing:
        problems.append(f"缺少这些参数的梯度 {missing}")
    if unknown:
        problems.append(f"多出了没有对应参数的梯度 {unknown}")
    if wrong_shape:
        problems.append(f"梯度与参数形状不同（{'；'.join(wrong_shape)}）")
    if problems:
        raise ValueError("optimizer.update: " + "；".join(problems)
                         + "。grads 应与 params 有相同的键，每个梯度与对应参数同形状")


def zeros_state(store, key, param):
    """有状态方法共用：取出参数 key 的状态数组（速度 v、平方梯度的累积 h 等）。

    store 是按参数名保存状态的字典（如 self.v）；第一次见到 key 时放进一个与 param 同形状、同 dtype 的 0 数组。
    返回的就是 store 里的那个数组，所以 v *= momentum 这样的原地运算直接更新了保存的状态。
    """
    if key not in store:
        store[key] = np.zeros_like(param)
    return store[key]


class Optimizer:
    """所有优化器共用的外层：update 先核对梯度字典，再对每个参数调用一次 update_param。

    各子类只写自己那一条公式（update_param），核对和逐个参数的循环都在这里，只写一次。
    """

    def update(self, params, grads):
        check_grads(params, grads)  # 核对通过之前不改任何参数，也不改任何状态
        self.start_step()
        for key in params:
            self.update_param(key, params[key], grads[key])

    def start_step(self):
        """每一步、更新各参数之前调用一次。默认什么也不做；Adam 在这里把步数 t 加 1。"""

    def update_param(self, key, param, grad):
        """原地更新一个参数数组 param（梯度 grad 与它同形状；key 是参数名，用来找这个参数的状态）。"""
        raise NotImplementedError


class SGD(Optimizer):
    """随机梯度下降（stochastic gradient descent）：W <- W - lr * dW。默认 lr=0.01。"""

    def __init__(self, lr=0.01):
        self.lr = lr

    def update_param(self, key, param, grad):
        param -= self.lr * grad


class Momentum(Optimizer):
    """Momentum：v <- momentum * v - lr * dW；W <- W + v。默认 lr=0.01, momentum=0.9。

    v 像"速度"：梯度方向一致时越走越快，来回振荡的方向相互抵消。
    torch.optim.SGD(momentum=m) 写成 b <- m * b + dW；W <- W - lr * b，
    令 v = -lr * b 即为同一公式（学习率不变时逐步相同）。
    """

    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = {}

    def update_param(self, key, param, grad):
        v = zeros_state(self.v, key, param)
        v *= self.momentum
        v -= self.lr * grad
        param += v


class Nesterov(Momentum):
    """Nesterov 加速梯度（Nesterov's accelerated gradient）。默认 lr=0.01, momentum=0.9。

    v <- momentum * v - lr * dW；W <- W + momentum * v - lr * dW。
    与 Momentum 相比，多"向前看"一步：按更新后的速度再走 momentum * v。
    这是 torch.optim.SGD(momentum=m, nesterov=True) 的公式（同样令 v = -lr * b）；
    书中代码的写法（W += m*m*v - (1+m)*lr*dW）与此不同，这里以 torch 为准。
    超参数和速度 v 与 Momentum 相同（继承它的 __init__），只有参数的那一步不同。
    """

    def update_param(self, key, param, grad):
        v = zeros_state(self.v, key, param)
        v *= self.momentum
        v -= self.lr * grad
        param += self.momentum * v - self.lr * grad


class AdaGrad(Optimizer):
    """AdaGrad：h <- h + dW * dW；W <- W - lr * dW / (sqrt(h) + eps)。默认 lr=0.01, eps=1e-7。

    每个参数有自己的学习率：累计梯度大的参数步子变小。h 只增不减，学习久了步子会趋于 0。
    eps 防止除以 0，加在 sqrt 外（与书和 torch 相同；torch 默认 eps=1e-10）。
    """

    def __init__(self, lr=0.01, eps=1e-7):
        self.lr = lr
        self.eps = eps
        self.h = {}

    def update_param(self, key, param, grad):
        h = zeros_state(self.h, key, param)
        h += grad * grad
        param -= self.lr * grad / (np.sqrt(h) + self.eps)


class RMSprop(Optimizer):
    """RMSprop：h <- decay_rate * h + (1 - decay_rate) * dW^2；W <- W - lr * dW / (sqrt(h) + eps)。

    默认 lr=0.01, decay_rate=0.99, eps=1e-7。
    与 AdaGrad 不同，h 是平方梯度的指数滑动平均，久远的梯度逐渐被"遗忘"，步子不会衰减到 0。
    对应 torch.optim.RMSprop(lr, alpha=decay_rate, eps=eps)（torch 默认 eps=1e-8，同样加在 sqrt 外）。
    """

    def __init__(self, lr=0.01, decay_rate=0.99, eps=1e-7):
        self.lr = lr
        self.decay_rate = decay_rate
        self.eps = eps
        self.h = {}

    def update_param(self, key, param, grad):
        h = zeros_state(self.h, key, param)
        h *= self.decay_rate
        h += (1 - self.decay_rate) * grad * grad
        param -= self.lr * grad / (np.sqrt(h) + self.eps)


class Adam(Optimizer):
    """Adam：Momentum 与 RMSprop 的结合，并做偏差修正。默认 lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8。

    第 t 步（t 从 1 开始）：
        m <- beta1 * m + (1 - beta1) * dW          梯度的滑动平均（动量）
        v <- beta2 * v + (1 - beta2) * dW^2        平方梯度的滑动平均
        m_hat = m / (1 - beta1^t)，v_hat = v / (1 - beta2^t)   修正初始为 0 带来的偏小
        W <- W - lr * m_hat / (sqrt(v_hat) + eps)
    这是原论文和 torch.optim.Adam 的公式。书中把修正并进学习率：
    lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)，W <- W - lr_t * m / (sqrt(v) + eps)，
    只在 eps 的位置上不同（写成上面的形式，相当于把 eps 换成 eps / sqrt(1 - beta2^t)），eps 很小时两者几乎一样。
    """

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.iter = 0  # 已更新的步数 t
        self.m = {}
        self.v = {}

    def start_step(self):
        self.iter += 1  # 一步里所有参数共用同一个 t

    def update_param(self, key, param, grad):
        m = zeros_state(self.m, key, param)
        v = zeros_state(self.v, key, param)
        m *= self.beta1
        m += (1 - self.beta1) * grad
        v *= self.beta2
        v += (1 - self.beta2) * grad * grad
        m_hat = m / (1 - self.beta1 ** self.iter)
        v_hat = v / (1 - self.beta2 ** self.iter)
        param -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
