"""全连接多层神经网络（理论第 3、4 章：docs/03_反向传播算法.md、docs/04_学习的技巧.md），可选批归一化、Dropout 和权重衰减。"""
from collections import OrderedDict

import numpy as np

from common.gradient import numerical_gradient
from common.layers import Affine, BatchNormalization, Dropout, Relu, Sigmoid, SoftmaxWithLoss


class MultiLayerNet:
    """全连接多层神经网络：(Affine → [BatchNorm] → 激活 → [Dropout]) × 隐藏层数 → Affine → SoftmaxWithLoss。

    input_size: 输入特征数（MNIST 为 784）
    hidden_size_list: 各隐藏层神经元数，如 [100, 100, 100]
    output_size: 类别数（MNIST 为 10）
    activation: 'relu' 或 'sigmoid'
    weight_init_std: 权重初始值的标准差。'relu' / 'he' 为 He 初始值 sqrt(2 / n)，
        'sigmoid' / 'xavier' 为 Xavier 初始值 sqrt(1 / n)（n 为上一层神经元数），也可以直接给一个数
    weight_decay_lambda: 权重衰减（L2 正则化）系数 λ，损失加上 0.5 * λ * Σ W^2
    use_batchnorm, use_dropout, dropout_ratio: 是否在每个隐藏层使用批归一化 / Dropout
    dtype: 参数的 dtype，训练用 float32，梯度检验用 float64

    参数字典 params：'W1', 'b1', ..., 使用批归一化时还有 'gamma1', 'beta1', ...（仅隐藏层）。
    层按名字存放在 OrderedDict layers 中：'Affine1', 'BatchNorm1', 'Activation_function1', 'Dropout1', ...
    权重用 np.random（全局随机数生成器）抽取，先 set_seed 即可复现。
    """

    def __init__(self, input_size, hidden_size_list, output_size, activation="relu",
                 weight_init_std="relu", weight_decay_lambda=0, use_batchnorm=False,
                 use_dropout=False, dropout_ratio=0.5, dtype=np.float32):
        if activation not in ("relu", "sigmoid"):
            raise ValueError(f"MultiLayerNet: activation 应为 'relu' 或 'sigmoid'，实际为 {activation!r}")
        self.input_size = input_size
        self.hidden_size_list = list(hidden_size_list)
        self.output_size = output_size
        self.hidden_layer_num = len(self.hidden_size_list)
        self.weight_decay_lambda = float(weight_decay_lambda)  # Python float：不会把 float32 提升为 float64
        self.use_batchnorm = use_batchnorm
        self.use_dropout = use_dropout
        self.dtype = np.dtype(dtype)
        self.params = {}
        self._init_weight(weight_init_std)

        activation_layer = {"relu": Relu, "sigmoid": Sigmoid}[activation]
        self.layers = OrderedDict()
        for i in range(1, self.hidden_layer_num + 1):
            self.layers[f"Affine{i}"] = Affine(self.params[f"W{i}"], self.params[f"b{i}"])
            if use_batchnorm:
                self.layers[f"BatchNorm{i}"] = BatchNormalization(self.params[f"gamma{i}"], self.params[f"beta{i}"])
            self.layers[f"Activation_function{i}"] = activation_layer()
            if use_dropout:
                self.layers[f"Dropout{i}"] = Dropout(dropout_ratio)
        last = self.hidden_layer_num + 1
        self.layers[f"Affine{last}"] = Affine(self.params[f"W{last}"], self.params[f"b{last}"])
        self.last_layer = SoftmaxWithLoss()

    def _init_weight(self, weight_init_std):
        """按层创建参数：W ~ 正态分布 × 标准差，b = 0；批归一化的 gamma = 1, beta = 0。"""
        all_sizes = [self.input_size] + self.hidden_size_list + [self.output_size]
        for i in range(1, len(all_sizes)):
            fan_in = all_sizes[i - 1]
            if isinstance(weight_init_std, str):
                name = weight_init_std.lower()
                if name in ("relu", "he"):
                    scale = np.sqrt(2.0 / fan_in)  # He 初始值：适合 ReLU
                elif name in ("sigmoid", "xavier"):
                    scale = np.sqrt(1.0 / fan_in)  # Xavier 初始值：适合 sigmoid、tanh
                else:
                    raise ValueError(
                        f"MultiLayerNet: weight_init_std 应为 'relu'/'he'、'sigmoid'/'xavier' 或一个数，实际为 {weight_init_std!r}"
                    )
            else:
                scale = float(weight_init_std)
            weight = scale * np.random.randn(fan_in, all_sizes[i])
            self.params[f"W{i}"] = weight.astype(self.dtype)
            self.params[f"b{i}"] = np.zeros(all_sizes[i], dtype=self.dtype)
            if self.use_batchnorm and i <= self.hidden_layer_num:
                self.params[f"gamma{i}"] = np.ones(all_sizes[i], dtype=self.dtype)
                self.params[f"beta{i}"] = np.zeros(all_sizes[i], dtype=self.dtype)

    def predict(self, x, train_flg=False):
        """x: (N, input_size)；返回 (N, output_size) 的分数（softmax 之前）。

        train_flg=True 时 Dropout 随机丢弃、批归一化用当前批的统计量；False 为推理模式。
        """
        for layer in self.layers.values():
            if isinstance(layer, (Dropout, BatchNormalization)):
                x = layer.forward(x, train_flg)
            else:
                x = layer.forward(x)
        return x

    def loss(self, x, t, train_flg=False):
        """x: (N, input_size)；t: one-hot (N, output_size) 或整数标签 (N,)。

        返回 交叉熵 + 0.5 * λ * Σ W^2（所有 Affine 层的权重），Python float。
        """
        y = self.predict(x, train_flg)
        weight_decay = 0.0
        for i in range(1, self.hidden_layer_num + 2):
            W = self.params[f"W{i}"]
            weight_decay += 0.5 * self.weight_decay_lambda * float(np.sum(W * W))
        return self.last_layer.forward(y, t) + weight_decay

    def accuracy(self, x, t):
        """推理模式下的识别精度：预测类别等于标签的比例（float）。t: one-hot 或整数标签。"""
        y = self.predict(x, train_flg=False)
        y = np.argmax(y, axis=1)
        t = np.asarray(t)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        return float(np.mean(y == t))

    def gradient(self, x, t):
        """用反向传播求梯度（训练模式）：返回与 params 同键的梯度字典。

        权重的梯度包含权重衰减项 λ * W（0.5 * λ * W^2 的导数）。
        """
        self.loss(x, t, train_flg=True)  # 正向传播，各层记下反向传播要用的中间结果

        dout = self.last_layer.backward(1)
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)

        grads = {}
        for i in range(1, self.hidden_layer_num + 2):
            affine = self.layers[f"Affine{i}"]
            grads[f"W{i}"] = affine.dW + self.weight_decay_lambda * affine.W
            grads[f"b{i}"] = affine.db
            if self.use_batchnorm and i <= self.hidden_layer_num:
                batch_norm = self.layers[f"BatchNorm{i}"]
                grads[f"gamma{i}"] = batch_norm.dgamma
                grads[f"beta{i}"] = batch_norm.dbeta
        return grads

    def numerical_gradient(self, x, t):
        """数值微分求梯度（训练模式，很慢，只用于检验 gradient）：返回与 params 同键的梯度字典。

        每次求损失都会更新批归一化的滑动平均，这里在结束后把它们恢复原样。
        使用 Dropout 时每次求损失都会重新抽取掩码，数值梯度没有意义；做梯度检验请关掉 Dropout。
        """
        batch_norms = [layer for layer in self.layers.values() if isinstance(layer, BatchNormalization)]
        saved_stats = [(bn.running_mean, bn.running_var) for bn in batch_norms]

        def loss_of_params(_):
            return self.loss(x, t, train_flg=True)  # 参数在 numerical_gradient 中被原地扰动

        grads = {}
        try:
            for key, param in self.params.items():
                grads[key] = numerical_gradient(loss_of_params, param)
        finally:
            for bn, (mean, var) in zip(batch_norms, saved_stats):
                bn.running_mean, bn.running_var = mean, var
        return grads
