"""理论第 1 章（docs/01_神经网络基础.md）的手写数字识别网络：784-50-100-10，两个 sigmoid 隐藏层，softmax 输出。

权重是训练好的，随仓库提供在 data/nn_sample（由 train_nn_sample.py 训练得到），
用 common.load_data.load_nn_sample() 读取。本章还没有讲"学习"，这里只做推理（正向传播）。

    from common.load_data import load_nn_sample
    from sample_network import predict         # 本文件夹里的脚本这样导入
    network = load_nn_sample()
    y = predict(network, x)                    # x: (784,) 一张图，或 (N, 784) 一批
"""
from common.functions import sigmoid, softmax


def predict(network, x):
    """三层网络的正向传播。

    network: 参数字典 {'W1': (784, 50), 'b1': (50,), 'W2': (50, 100), 'b2': (100,),
                      'W3': (100, 10), 'b3': (10,)}
    x: (784,) 一张展平的图像，或 (N, 784) 一批；取值 [0, 1]
    返回 softmax 概率：(10,) 或 (N, 10)，每行之和为 1；dtype 与参数相同（float32）。
    """
    W1, W2, W3 = network["W1"], network["W2"], network["W3"]
    b1, b2, b3 = network["b1"], network["b2"], network["b3"]
    z1 = sigmoid(x @ W1 + b1)  # 第 1 层：加权和 → 激活函数
    z2 = sigmoid(z1 @ W2 + b2)  # 第 2 层
    return softmax(z2 @ W3 + b3)  # 输出层：softmax 把分数变成概率
