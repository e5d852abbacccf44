"""用 common/ 的层搭成的简单卷积神经网络（书中的 SimpleConvNet），5_simple_convnet_numpy.py 用它在 MNIST 上训练。

    Conv1(30 个 5×5) → Relu1 → Pool1(2×2, 步幅 2) → Affine1(100) → Relu2 → Affine2(10) → SoftmaxWithLoss

    from simple_conv_net import SimpleConvNet        # 本文件夹里的脚本和 notebook 这样导入
    net = SimpleConvNet()
    grads = net.gradient(x_batch, t_batch)           # {'W1', 'b1', 'W2', 'b2', 'W3', 'b3'}
"""
from collections import OrderedDict

import numpy as np

from common.gradient import numerical_gradient
from common.layers import Affine, Convolution, Pooling, Relu, SoftmaxWithLoss
from common.util import conv_output_size


class SimpleConvNet:
    """卷积层 + 池化层 + 两个全连接层。

    input_dim: 输入图像的 (C, H, W)，MNIST 为 (1, 28, 28)
    filter_num, filter_size, stride, pad: 卷积层的卷积核个数、边长、步幅、填充
    hidden_size: 第一个全连接层的神经元数；output_size: 类别数
    weight_init_std: "he"（默认）时每层用 He 初始值 sqrt(2 / fan_in)（卷积层的 fan_in = C*FH*FW）；
        也可以给一个数（书中用 0.01）
    filter_init_std: 只用于卷积层卷积核 W1 的标准差；None（默认）表示与 weight_init_std 相同。
        给一个很小的数（如 0.01）时卷积核从几乎为 0 开始，训练后的样子几乎全是学出来的，便于观察
    dtype: 训练用 np.float32（快一倍），梯度检验用 np.float64

    params: 'W1' (FN, C, FH, FW)、'b1' (FN,)、'W2' (FN*pool_h*pool_w, hidden)、'b2'、'W3' (hidden, out)、'b3'
    权重用 np.random（全局随机数生成器）抽取，先 set_seed 即可复现。
    """

    def __init__(self, input_dim=(1, 28, 28), filter_num=30, filter_size=5, stride=1, pad=0,
                 hidden_size=100, output_size=10, weight_init_std="he", filter_init_std=None,
                 dtype=np.float32):
        channels, height, width = input_dim
        conv_h = conv_output_size(height, filter_size, stride, pad)
        conv_w = conv_output_size(width, filter_size, stride, pad)
        pool_h, pool_w = conv_h // 2, conv_w // 2  # 2×2、步幅 2 的池化把边长减半（奇数时向下取整）
        pooled_size = filter_num * pool_h * pool_w

        self.dtype = np.dtype(dtype)
        shapes = {
            "W1": (filter_num, channels, filter_size, filter_size), "b1": (filter_num,),
            "W2": (pooled_size, hidden_size), "b2": (hidden_size,),
            "W3": (hidden_size, output_size), "b3": (output_size,),
        }
        fan_in = {"W1": channels * filter_size * filter_size, "W2": pooled_size, "W3": hidden_size}
        self.params = {}
        for name, shape in shapes.items():
            if name.startswith("b"):
                self.params[name] = np.zeros(shape, dtype=self.dtype)
                continue
            init = filter_init_std if (name == "W1" and filter_init_std is not None) else weight_init_std
            if init == "he":
                scale = np.sqrt(2.0 / fan_in[name])
            elif isinstance(init, (int, float)) and init > 0:
                scale = float(init)
            else:
                raise ValueError(f"初始值的标准差应为 'he' 或一个正数，实际为 {init!r}")
            self.params[name] = (scale * np.random.randn(*shape)).astype(self.dtype)

        # 各层引用 params 里的同一批数组：优化器原地更新 params，层里的权重也就跟着变了
        self.layers = OrderedDict()
        self.layers["Conv1"] = Convolution(self.params["W1"], self.params["b1"], stride, pad)
        self.layers["Relu1"] = Relu()
        self.layers["Pool1"] = Pooling(pool_h=2, pool_w=2, stride=2)
        self.layers["Affine1"] = Affine(self.params["W2"], self.params["b2"])
        self.layers["Relu2"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W3"], self.params["b3"])
        self.last_layer = SoftmaxWithLoss()
        # 哪一层持有哪两个参数（按名字找，不靠层在列表中的位置）
        self.param_layers = {"Conv1": ("W1", "b1"), "Affine1": ("W2", "b2"), "Affine2": ("W3", "b3")}

    def predict(self, x):
        """x: (N, C, H, W)；返回 (N, output_size) 的分数（softmax 之前）。"""
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        """x: (N, C, H, W)；t: 整数标签 (N,) 或 one-hot。返回批内平均交叉熵（float）。"""
        return self.last_layer.forward(self.predict(x), t)

    def accuracy(self, x, t, batch_size=1000):
        """识别精度（float）。分批计算，避免 im2col 一次展开上万张图像占用太多内存。"""
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        correct = 0
        for start in range(0, len(x), batch_size):
            y = np.argmax(self.predict(x[start:start + batch_size]), axis=1)
            correct += int(np.sum(y == t[start:start + batch_size]))
        return correct / len(x)

    def gradient(self, x, t):
        """反向传播求梯度：返回与 params 同键、同形状、同 dtype 的字典。损失保存在 self.last_layer.loss。"""
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)
        grads = {}
        for layer_name, (weight, bias) in self.param_layers.items():
            grads[weight] = self.layers[layer_name].dW
            grads[bias] = self.layers[layer_name].db
        return grads

    def numerical_gradient(self, x, t):
        """数值微分求同样的梯度（很慢，只用于在很小的输入上检查 gradient）。"""
        loss_of_params = lambda _: self.loss(x, t)  # noqa: E731  参数在 params 中被原地扰动
        return {key: numerical_gradient(loss_of_params, self.params[key]) for key in self.params}
