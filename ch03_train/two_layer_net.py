"""两层神经网络（本章版本）：用数值微分求梯度。

网络：输入 → Affine（W1, b1）→ sigmoid → Affine（W2, b2）→ softmax → 交叉熵误差。
本章只学过数值微分，所以 numerical_gradient 是训练用的方法：对每个参数做中心差分，
每个参数要把整个网络正向计算 2 次——参数有几万个，一次梯度就要几万次正向传播，非常慢
（4_digit_recognizer_nn_train.py 实测了有多慢）。理论第 3 章的反向传播解决的就是这个问题；
这里也附上了用反向传播公式写的 gradient，只用来检验 numerical_gradient（见 tests/）。

    from two_layer_net import TwoLayerNet      # 本文件夹里的脚本这样导入
    net = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)
"""
import numpy as np

from common.functions import cross_entropy, sigmoid, softmax
from common.gradient import numerical_gradient


class TwoLayerNet:
    """两层全连接网络（一个隐藏层，激活函数为 sigmoid）。

    input_size: 输入特征数（MNIST 为 784）；hidden_size: 隐藏层神经元数；output_size: 类别数
    weight_init_std: 权重初始值的标准差（权重 ~ N(0, weight_init_std^2)，偏置为 0）
    dtype: 参数的 dtype。默认 float64：数值微分用 h = 1e-4 的差分，float32 只有约 7 位有效数字，
        损失的差 f(x+h) - f(x-h) 会被舍入误差淹没
    params: {'W1': (input_size, hidden_size), 'b1': (hidden_size,),
             'W2': (hidden_size, output_size), 'b2': (output_size,)}
    权重用 np.random（全局随机数生成器）抽取，先 set_seed 即可复现。
    """

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01, dtype=np.float64):
        self.params = {
            "W1": (weight_init_std * np.random.randn(input_size, hidden_size)).astype(dtype),
            "b1": np.zeros(hidden_size, dtype=dtype),
            "W2": (weight_init_std * np.random.randn(hidden_size, output_size)).astype(dtype),
            "b2": np.zeros(output_size, dtype=dtype),
        }

    def predict(self, x):
        """x: (N, input_size)；返回 (N, output_size) 的 softmax 概率。"""
        W1, b1, W2, b2 = self.params["W1"], self.params["b1"], self.params["W2"], self.params["b2"]
        z1 = sigmoid(x @ W1 + b1)
        return softmax(z1 @ W2 + b2)

    def loss(self, x, t):
        """x: (N, input_size)；t: 整数标签 (N,) 或 one-hot (N, output_size)。返回批内平均交叉熵（float）。"""
        return cross_entropy(self.predict(x), t)

    def accuracy(self, x, t):
        """识别精度：预测类别（概率最大者）与标签一致的比例，返回 float。"""
        y = np.argmax(self.predict(x), axis=1)
        if t.ndim != 1:  # one-hot 标签 → 整数标签
            t = np.argmax(t, axis=1)
        return float(np.mean(y == t))

    def numerical_gradient(self, x, t):
        """用数值微分求损失对各参数的梯度，返回与 params 同键、同形状的字典。

        common.gradient.numerical_gradient 会原地扰动 self.params 中的数组，
        而 loss 读取的正是这些数组，所以这里传入的函数可以不理会它的参数。
        """
        loss_of_params = lambda _: self.loss(x, t)  # noqa: E731
        return {key: numerical_gradient(loss_of_params, self.params[key]) for key in self.params}

    def gradient(self, x, t):
        """用反向传播的公式直接算出同样的梯度（理论第 3 章讲它的推导；这里只用来检验数值梯度）。

        t: 整数标签 (N,) 或 one-hot (N, output_size)。
        """
        W1, b1, W2, b2 = self.params["W1"], self.params["b1"], self.params["W2"], self.params["b2"]
        batch_size = x.shape[0]
        z1 = sigmoid(x @ W1 + b1)
        y = softmax(z1 @ W2 + b2)
        if t.ndim == 1:  # 整数标签 → one-hot
            t = np.eye(y.shape[1], dtype=y.dtype)[t]
        dy = (y - t) / batch_size  # softmax + 交叉熵对输出层输入的导数
        dz1 = (dy @ W2.T) * z1 * (1 - z1)  # 经过 sigmoid：乘以它的导数 z1 * (1 - z1)
        return {"W1": x.T @ dz1, "b1": dz1.sum(axis=0), "W2": z1.T @ dy, "b2": dy.sum(axis=0)}
