"""基于层的两层神经网络：Affine1 → Relu1 → Affine2 → SoftmaxWithLoss，梯度用反向传播求。

与 ch03_train/two_layer_net.py 的区别：那里每个梯度都靠数值微分，这里把网络拆成层
（common/layers.py），正向时依次调用各层的 forward，反向时倒序调用 backward，
一次反向传播就得到全部参数的梯度。

    from two_layer_net import TwoLayerNet      # 本文件夹里的脚本这样导入
    net = TwoLayerNet(input_size=784, hidden_size=100, output_size=10)
    grads = net.gradient(x_batch, t_batch)     # {'W1': ..., 'b1': ..., 'W2': ..., 'b2': ...}
"""
from collections import OrderedDict

import numpy as np

from common.gradient import numerical_gradient
from common.layers import Affine, Relu, SoftmaxWithLoss


class TwoLayerNet:
    """两层全连接网络（一个隐藏层，激活函数为 ReLU）。

    input_size: 输入特征数（MNIST 为 784）；hidden_size: 隐藏层神经元数；output_size: 类别数
    weight_init_std: 权重初始值的标准差。"he"（默认）为 He 初始值 sqrt(2 / 上一层神经元数)，
        适合 ReLU；也可以直接给一个数（书中用 0.01）
    dtype: 参数的 dtype。训练用 np.float32（快、省内存）；梯度检验用 np.float64
        （数值微分在 float32 下误差太大，见 2_gradient_check.py）

    params: 参数字典 {'W1': (input_size, hidden_size), 'b1': (hidden_size,),
                      'W2': (hidden_size, output_size), 'b2': (output_size,)}
    layers: 按名字存放各层的 OrderedDict：'Affine1'、'Relu1'、'Affine2'
    权重用 np.random（全局随机数生成器）抽取，先 set_seed 即可复现。
    """

    def __init__(self, input_size, hidden_size, output_size, weight_init_std="he", dtype=np.float32):
        self.dtype = np.dtype(dtype)
        self.params = {}
        sizes = {"1": (input_size, hidden_size), "2": (hidden_size, output_size)}
        for index, (fan_in, fan_out) in sizes.items():
            if weight_init_std == "he":
                scale = np.sqrt(2.0 / fan_in)
            elif isinstance(weight_init_std, (int, float)) and weight_init_std > 0:
                scale = float(weight_init_std)
            else:
                raise ValueError(f"weight_init_std 应为 'he' 或一个正数，实际为 {weight_init_std!r}")
            self.params["W" + index] = (scale * np.random.randn(fan_in, fan_out)).astype(self.dtype)
            self.params["b" + index] = np.zeros(fan_out, dtype=self.dtype)

        # 各层引用 params 里的同一批数组：优化器原地更新 params，层里的权重也就跟着变了
        self.layers = OrderedDict()
        self.layers["Affine1"] = Affine(self.params["W1"], self.params["b1"])
        self.layers["Relu1"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W2"], self.params["b2"])
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x):
        """x: (N, input_size)；返回 (N, output_size) 的分数（softmax 之前的 logits）。

        推理只需要找最大的分数，softmax 不改变大小顺序，所以这里省掉它。
        """
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        """x: (N, input_size)；t: 整数标签 (N,) 或 one-hot (N, output_size)。返回批内平均交叉熵（float）。"""
        return self.last_layer.forward(self.predict(x), t)

    def accuracy(self, x, t):
        """识别精度：预测类别（分数最大者）与标签一致的比例，返回 float。"""
        y = np.argmax(self.predict(x), axis=1)
        if t.ndim != 1:  # one-hot 标签 → 整数标签
            t = np.argmax(t, axis=1)
        return float(np.mean(y == t))

    def gradient(self, x, t):
        """用反向传播求损失对各参数的梯度，返回与 params 同键、同形状、同 dtype 的字典。

        正向传播顺带算出的损失保存在 self.last_layer.loss 中，训练时可直接记录，不必再算一遍。
        """
        # 正向传播：各层记下反向传播要用的中间结果
        self.loss(x, t)

        # 反向传播：从输出层开始，倒序经过每一层，上游梯度乘以本层的局部导数
        dout = self.last_layer.backward(1)
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)

        # 按层的名字取出参数梯度（不依赖层在列表中的位置）
        return {
            "W1": self.layers["Affine1"].dW, "b1": self.layers["Affine1"].db,
            "W2": self.layers["Affine2"].dW, "b2": self.layers["Affine2"].db,
        }

    def numerical_gradient(self, x, t):
        """用数值微分求同样的梯度（很慢，只用来检查 gradient 是否写对）。"""
        loss_of_params = lambda _: self.loss(x, t)  # noqa: E731  参数在 params 中被原地扰动
        return {key: numerical_gradient(loss_of_params, self.params[key]) for key in self.params}
