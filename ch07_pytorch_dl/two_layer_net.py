"""第 3 章 784-100-10 两层网络的 PyTorch 版本：一个自定义的 nn.Module（3_nn_test.py、4_nn_sequential.py 共用）。

与 ch04_backward/two_layer_net.py 的 NumPy 版对应：Affine1 → Relu1 → Affine2，权重用 He 初始值，偏置为 0。
Softmax 与交叉熵不放在模型里：nn.CrossEntropyLoss 直接接收最后一层的输出（logits）。
"""
import math

from torch import nn


class TwoLayerNet(nn.Module):
    """x: (N, 784) float32 → logits (N, 10)。

    __init__ 里把层作为属性创建：nn.Module 会自动登记它们的参数（model.parameters()、state_dict()）；
    forward 写出数据怎样流过这些层，调用 model(x) 时执行（不要直接调用 forward）。
    """

    def __init__(self, input_size=784, hidden_size=100, output_size=10):
        super().__init__()
        self.fc1 = nn.Linear(input_size, hidden_size)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(hidden_size, output_size)
        for layer in (self.fc1, self.fc2):
            # He 初始值：标准差 sqrt(2 / 输入个数)，与 NumPy 版相同（nn.Linear 默认的是另一种均匀分布，见 1_init.ipynb）
            nn.init.normal_(layer.weight, mean=0.0, std=math.sqrt(2.0 / layer.in_features))
            nn.init.zeros_(layer.bias)

    def forward(self, x):
        return self.fc2(self.relu(self.fc1(x)))
