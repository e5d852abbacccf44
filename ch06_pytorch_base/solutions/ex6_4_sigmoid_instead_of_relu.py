"""第 6 章练习 4 的参考答案：把 10_autograd_vs_backprop.py 的 predict 里的 torch.relu 换成 torch.sigmoid，会怎样？

不改章节脚本：按路径导入它，把模块里的 predict 换成 sigmoid 版，再做与脚本相同的对照
（同一个种子、同一组 float64 权重、前 100 张 MNIST 训练图像）。第 3 章的 TwoLayerNet 用的仍是 ReLU，
所以两边算的已经不是同一个函数，梯度对不上；脚本在“对照梯度”这一步就以非零退出码结束，不会开始训练。

    python ch06_pytorch_base/solutions/ex6_4_sigmoid_instead_of_relu.py
"""
import numpy as np
import torch

from common.chapters import load
from common.load_data import get_data
from common.seed import set_seed

SEED = 42  # 10_autograd_vs_backprop.py 的默认种子


def sigmoid_predict(params, x):
    """练习要求的改动：隐藏层的激活函数从 ReLU 换成 sigmoid。"""
    hidden = torch.sigmoid(x @ params["W1"] + params["b1"])
    return hidden @ params["W2"] + params["b2"]


def solve():
    """返回 {"relu": 对照结果, "sigmoid": 对照结果, "tolerance": 脚本的容差}；对照结果是脚本的 compare_gradients 的返回值。"""
    script = load("ch06_pytorch_base/10_autograd_vs_backprop.py")
    results, relu_predict = {}, script.predict
    try:
        for name, predict in (("relu", relu_predict), ("sigmoid", sigmoid_predict)):
            script.predict = predict  # compare_gradients 内部调用的是模块里的 predict
            set_seed(SEED)  # 与脚本的 main() 相同：先设种子，再创建网络
            TwoLayerNet = load("ch04_backward/two_layer_net.py").TwoLayerNet
            x_train, _, t_train, _ = get_data("mnist", n_train=script.COMPARE_BATCH, n_test=1)
            network = TwoLayerNet(784, script.HIDDEN_SIZE, 10, dtype=np.float64)
            results[name] = script.compare_gradients(network, x_train.astype(np.float64), t_train)
    finally:
        script.predict = relu_predict  # 放回原样：同一进程里别处用到的还是章节脚本本来的样子
    results["tolerance"] = script.RELATIVE_TOLERANCE
    return results


def main():
    r = solve()
    for name in ("relu", "sigmoid"):
        c = r[name]
        print(f"predict 用 {name}：损失 反向传播 {c['backprop_loss']:.6f}，自动求导 {c['autograd_loss']:.6f}")
        print("  最大相对差 " + "，".join(f"{key} {p['max_rel_diff']:.2e}" for key, p in c["params"].items()))
    c = r["sigmoid"]
    print(f"sigmoid 版的最大相对差 {c['max_rel_diff']:.2e} > 容差 {r['tolerance']:.0e}，"
          f"脚本在对照梯度这一步退出：错误：自动求导与反向传播的梯度相差 {c['max_rel_diff']:.2e}，超过容差 "
          f"{r['tolerance']:.0e}：检查 predict 和 cross_entropy 是否与 TwoLayerNet 一致")


if __name__ == "__main__":
    main()
