"""第 5 章练习 4 的参考答案：只用 one_hot、逐元素乘法和求和，取出每个样本正确类别的概率。

与 5_tensor_index.ipynb 相同：第 1 章的预训练网络（load_nn_sample）对 1000 张 MNIST 测试图像算出 (N, 10) 的概率，
再与 gather 的结果比较。

    python ch06_pytorch_base/solutions/ex5_4_one_hot_pick.py
"""
import torch
import torch.nn.functional as F

from common.load_data import get_data, load_nn_sample

N_IMAGES = 1000


def class_probabilities():
    """与 5_tensor_index.ipynb 相同的正向传播：返回 (probs (N, 10), labels (N,))。"""
    _, x_test, _, t_test = get_data("mnist", n_train=1, n_test=N_IMAGES)
    x, labels = torch.from_numpy(x_test), torch.from_numpy(t_test)
    params = {key: torch.from_numpy(value) for key, value in load_nn_sample().items()}
    hidden1 = torch.sigmoid(x @ params["W1"] + params["b1"])
    hidden2 = torch.sigmoid(hidden1 @ params["W2"] + params["b2"])
    return torch.softmax(hidden2 @ params["W3"] + params["b3"], dim=1), labels


def solve():
    probs, labels = class_probabilities()
    mask = F.one_hot(labels, num_classes=10)  # (N, 10)：正确类别处为 1，其余为 0（int64）
    # 乘以掩码只留下正确类别的概率，其余 9 个变成 0；沿类别求和就得到它（加 0 不改变浮点数）
    picked = (probs * mask).sum(dim=1)
    gathered = probs.gather(1, labels.unsqueeze(1)).squeeze(1)
    return {"picked": picked, "gathered": gathered, "mask_dtype": mask.dtype, "product_dtype": (probs * mask).dtype}


def main():
    r = solve()
    print(f"one_hot 的 dtype {r['mask_dtype']}，与 float32 的概率相乘得 {r['product_dtype']}（逐元素运算提升类型）")
    print(f"(probs * one_hot).sum(dim=1) 与 gather 的结果逐位相同：{torch.equal(r['picked'], r['gathered'])}")
    print(f"前 5 张图正确类别的概率：{[round(p, 4) for p in r['picked'][:5].tolist()]}")
    print(f"交叉熵误差：{-torch.log(r['picked']).mean().item():.4f}")


if __name__ == "__main__":
    main()
