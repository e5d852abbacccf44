"""common/layers.py 的测试。

每一层都从两方面检验（float64）：
1. 反向传播 vs 数值梯度（common.gradient.numerical_gradient，中心差分）；
2. 正向与反向 vs PyTorch（torch.autograd，独立的参照实现）。
再加上行为约定：不改写传入的数组、保持 float32、错误信息给出形状。

数值梯度检验的做法：取一个随机的"上游梯度" G，令标量 L = sum(forward(...) * G)，
则 L 对输入的梯度正是 backward(G) 应返回的值。
"""
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from common.gradient import numerical_gradient
from common.layers import (
    Affine,
    AddLayer,
    BatchNormalization,
    Convolution,
    Dropout,
    MulLayer,
    Pooling,
    Relu,
    Sigmoid,
    SoftmaxWithLoss,
)
from common.util import one_hot

# 数值梯度的相对误差上限：中心差分截断误差 O(h^2) ≈ 1e-8（h = 1e-4，本文件的函数三阶导数为 O(1)），
# float64 的舍入误差约 1e-16 / h = 1e-12，都远小于 1e-6；反向传播写错时相对误差通常为 O(1)。
GRAD_CHECK_TOL = 1e-6
# 与 torch 比较：两边都是 float64、同样的数学公式，只有运算顺序不同带来的舍入差（约 1e-15）
TORCH_TOL = 1e-10


def relative_error(analytic, numeric):
    """‖a - n‖ / (‖a‖ + ‖n‖)：不受梯度整体量级影响；两者都为 0 时定义为 0。"""
    analytic, numeric = np.asarray(analytic), np.asarray(numeric)
    denominator = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    if denominator == 0:
        return 0.0
    return np.linalg.norm(analytic - numeric) / denominator


def assert_gradients_close(analytic, numeric, name):
    assert analytic.shape == numeric.shape, f"{name}: 形状 {analytic.shape} != {numeric.shape}"
    error = relative_error(analytic, numeric)
    assert error < GRAD_CHECK_TOL, f"{name}: 相对误差 {error:.2e}"


def numeric_gradients(scalar_loss, arrays):
    """对每个数组求 scalar_loss() 的数值梯度（数组被原地扰动，scalar_loss 通过闭包读取它们）。"""
    return [numerical_gradient(lambda _: scalar_loss(), array) for array in arrays]


def assert_close_to_torch(ours, theirs, name):
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=TORCH_TOL, atol=TORCH_TOL, err_msg=name)


def tensor(array):
    return torch.tensor(array, requires_grad=True)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def away_from_zero(rng, shape, low=0.1):
    """绝对值在 [low, 1 + low) 内、符号随机的数：远离 ReLU 在 0 处的折点（扰动 h = 1e-4 跨不过去）。"""
    return rng.choice([-1.0, 1.0], size=shape) * (low + rng.random(shape))


def distinct_values(rng, shape):
    """互不相同、间隔至少 0.01 的数：最大池化的窗口里没有并列最大值，扰动 h = 1e-4 也不会改变谁最大。"""
    return rng.permutation(int(np.prod(shape))).reshape(shape) * 0.01 - 1.0


# ================================================================ 1. 反向传播 vs 数值梯度

def test_mul_layer_backward_matches_numerical(rng):
    x, y = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    upstream = rng.standard_normal((3, 4))
    layer = MulLayer()
    layer.forward(x, y)
    dx, dy = layer.backward(upstream)
    numeric = numeric_gradients(lambda: np.sum(layer.forward(x, y) * upstream), [x, y])
    assert_gradients_close(dx, numeric[0], "dx")
    assert_gradients_close(dy, numeric[1], "dy")


def test_add_layer_backward_matches_numerical(rng):
    x, y = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    upstream = rng.standard_normal((3, 4))
    layer = AddLayer()
    dx, dy = layer.backward(upstream)
    numeric = numeric_gradients(lambda: np.sum(layer.forward(x, y) * upstream), [x, y])
    assert_gradients_close(dx, numeric[0], "dx")
    assert_gradients_close(dy, numeric[1], "dy")


# 激活层和它的输入（ReLU 的输入离 0 远一些：0 处不可导，中心差分在那里没有意义）
ACTIVATION_INPUTS = {
    "relu": (Relu, lambda rng: away_from_zero(rng, (4, 5))),
    "sigmoid": (Sigmoid, lambda rng: rng.standard_normal((4, 5)) * 2),
}


@pytest.mark.parametrize("name", list(ACTIVATION_INPUTS))
def test_activation_backward_matches_numerical(name, rng):
    layer_class, make_input = ACTIVATION_INPUTS[name]
    x = make_input(rng)
    upstream = rng.standard_normal((4, 5))
    layer = layer_class()
    layer.forward(x)
    dx = layer.backward(upstream)
    (numeric,) = numeric_gradients(lambda: np.sum(layer.forward(x) * upstream), [x])
    assert_gradients_close(dx, numeric, "dx")


def test_affine_backward_matches_numerical_with_4d_input(rng):
    x = rng.standard_normal((3, 2, 3, 2))  # 展平成 (3, 12)
    W, b = rng.standard_normal((12, 5)), rng.standard_normal(5)
    upstream = rng.standard_normal((3, 5))
    layer = Affine(W, b)
    layer.forward(x)
    dx = layer.backward(upstream)
    dW, db = layer.dW.copy(), layer.db.copy()
    numeric = numeric_gradients(lambda: np.sum(layer.forward(x) * upstream), [x, W, b])
    assert dx.shape == x.shape
    for name, analytic, num in zip(["dx", "dW", "db"], [dx, dW, db], numeric):
        assert_gradients_close(analytic, num, name)


@pytest.mark.parametrize("label_form", ["labels", "one-hot"])
def test_softmax_with_loss_backward_matches_numerical(label_form, rng):
    x = rng.standard_normal((4, 3)) * 2
    labels = np.array([0, 2, 1, 2])
    t = labels if label_form == "labels" else one_hot(labels, 3).astype(np.float64)
    layer = SoftmaxWithLoss()
    layer.forward(x, t)
    dx = layer.backward()
    (numeric,) = numeric_gradients(lambda: layer.forward(x, t), [x])
    assert_gradients_close(dx, numeric, "dx")


def test_dropout_backward_matches_numerical_with_fixed_mask(rng):
    x = rng.standard_normal((4, 6))
    upstream = rng.standard_normal((4, 6))
    layer = Dropout(dropout_ratio=0.3)

    def loss_with_fixed_mask():
        np.random.seed(5)  # 每次正向传播都抽到同一个掩码
        return np.sum(layer.forward(x, train_flg=True) * upstream)

    loss_with_fixed_mask()
    dx = layer.backward(upstream)
    assert 0 < layer.mask.sum() < layer.mask.size  # 确实有被丢弃和被保留的元素
    (numeric,) = numeric_gradients(loss_with_fixed_mask, [x])
    assert_gradients_close(dx, numeric, "dx")


@pytest.mark.parametrize("shape", [(6, 4), (4, 3, 3, 2)], ids=["2d", "4d"])
@pytest.mark.parametrize("train_flg", [True, False], ids=["train", "eval"])
def test_batchnorm_backward_matches_numerical(shape, train_flg, rng):
    channels = shape[1]
    x = rng.standard_normal(shape) * 2 + 1
    gamma = rng.uniform(0.5, 1.5, channels)
    beta = rng.standard_normal(channels)
    upstream = rng.standard_normal(shape)
    layer = BatchNormalization(
        gamma, beta, running_mean=rng.standard_normal(channels), running_var=rng.uniform(0.5, 2, channels)
    )
    layer.forward(x, train_flg)
    dx = layer.backward(upstream)
    dgamma, dbeta = layer.dgamma.copy(), layer.dbeta.copy()
    numeric = numeric_gradients(lambda: np.sum(layer.forward(x, train_flg) * upstream), [x, gamma, beta])
    for name, analytic, num in zip(["dx", "dgamma", "dbeta"], [dx, dgamma, dbeta], numeric):
        assert_gradients_close(analytic, num, name)


def test_convolution_backward_matches_numerical_with_stride_2_and_pad_1(rng):
    x = rng.standard_normal((2, 3, 7, 7))
    W, b = rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
    layer = Convolution(W, b, stride=2, pad=1)
    out = layer.forward(x)
    assert out.shape == (2, 4, 4, 4)  # (7 + 2 - 3) / 2 + 1 = 4
    upstream = rng.standard_normal(out.shape)
    dx = layer.backward(upstream)
    dW, db = layer.dW.copy(), layer.db.copy()
    numeric = numeric_gradients(lambda: np.sum(layer.forward(x) * upstream), [x, W, b])
    for name, analytic, num in zip(["dx", "dW", "db"], [dx, dW, db], numeric):
        assert_gradients_close(analytic, num, name)


@pytest.mark.parametrize(
    "pool_h, pool_w, stride, pad",
    [(2, 2, 2, 0), (3, 3, 2, 1)],
    ids=["2x2-stride2", "3x3-stride2-pad1-overlapping"],
)
def test_pooling_backward_matches_numerical(pool_h, pool_w, stride, pad, rng):
    x = distinct_values(rng, (2, 3, 6, 6) if pad == 0 else (2, 3, 7, 7))
    layer = Pooling(pool_h, pool_w, stride=stride, pad=pad)
    out = layer.forward(x)
    upstream = rng.standard_normal(out.shape)
    dx = layer.backward(upstream)
    (numeric,) = numeric_gradients(lambda: np.sum(layer.forward(x) * upstream), [x])
    assert_gradients_close(dx, numeric, "dx")


# ================================================================ 2. 正向与反向 vs torch.autograd

# 层、torch 里对应的函数、输入（ReLU 的输入离 0 远一些：0 处不可导，两边的约定可以不同）
ACTIVATIONS = {
    "relu": (Relu, torch.relu, lambda rng: away_from_zero(rng, (4, 5))),
    "sigmoid": (Sigmoid, torch.sigmoid, lambda rng: rng.standard_normal((4, 5)) * 3),
}


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_layer_matches_torch(name, rng):
    layer_class, torch_function, make_input = ACTIVATIONS[name]
    x = make_input(rng)
    upstream = rng.standard_normal((4, 5))
    layer = layer_class()
    out, dx = layer.forward(x), layer.backward(upstream)
    xt = tensor(x)
    out_t = torch_function(xt)
    out_t.backward(torch.tensor(upstream))
    assert_close_to_torch(out, out_t, "out")
    assert_close_to_torch(dx, xt.grad, "dx")


def test_affine_matches_torch_with_4d_input(rng):
    x = rng.standard_normal((3, 2, 4, 4))
    W, b = rng.standard_normal((32, 6)), rng.standard_normal(6)
    upstream = rng.standard_normal((3, 6))
    layer = Affine(W, b)
    out = layer.forward(x)
    dx = layer.backward(upstream)

    xt, Wt, bt = tensor(x), tensor(W), tensor(b)
    out_t = xt.reshape(3, -1) @ Wt + bt
    out_t.backward(torch.tensor(upstream))
    assert_close_to_torch(out, out_t, "out")
    assert_close_to_torch(dx, xt.grad, "dx")
    assert_close_to_torch(layer.dW, Wt.grad, "dW")
    assert_close_to_torch(layer.db, bt.grad, "db")


@pytest.mark.parametrize("label_form", ["labels", "one-hot"])
def test_softmax_with_loss_matches_torch_cross_entropy(label_form, rng):
    x = rng.standard_normal((5, 4)) * 3
    labels = rng.integers(0, 4, size=5)
    t = labels if label_form == "labels" else one_hot(labels, 4).astype(np.float64)
    layer = SoftmaxWithLoss()
    loss = layer.forward(x, t)
    dx = layer.backward(dout=2.0)  # 上游梯度不为 1 时也应按比例缩放

    xt = tensor(x)
    target = torch.tensor(labels) if label_form == "labels" else torch.tensor(t)  # torch 接受类别下标或类别概率
    loss_t = F.cross_entropy(xt, target)
    (2.0 * loss_t).backward()
    assert loss == pytest.approx(loss_t.item(), rel=TORCH_TOL)
    assert_close_to_torch(layer.y, torch.softmax(xt, dim=1), "y")
    assert_close_to_torch(dx, xt.grad, "dx")


def test_softmax_with_loss_is_exact_for_huge_logits():
    """损失由 log_softmax 计算：logits 相差 2000 时也得到精确值 2000，而不是被 1e-7 保护截断在 16.1。"""
    x = np.array([[1000.0, -1000.0]])
    loss = SoftmaxWithLoss().forward(x, np.array([1]))
    assert loss == pytest.approx(F.cross_entropy(torch.tensor(x), torch.tensor([1])).item())
    assert loss == pytest.approx(2000.0)


def batch_norm_torch(x, gamma, beta, running_mean, running_var, training):
    """torch 版批归一化，返回 (out, x, gamma, beta 的张量, 更新后的 running_mean, running_var)。

    参数对应：我们的 momentum=0.9（新 = 0.9 * 旧 + 0.1 * 当前批）即 torch 的 momentum=0.1；eps 都是 1e-5；
    torch 的 running_var 累积无偏方差（除以 m - 1），我们也是。
    """
    xt, gt, bt = tensor(x), tensor(gamma), tensor(beta)
    mean_t, var_t = torch.tensor(running_mean), torch.tensor(running_var)  # F.batch_norm 原地更新它们
    out_t = F.batch_norm(xt, mean_t, var_t, gt, bt, training=training, momentum=0.1, eps=1e-5)
    return out_t, xt, gt, bt, mean_t, var_t


@pytest.mark.parametrize("shape", [(8, 5), (4, 3, 5, 5)], ids=["2d-BatchNorm1d", "4d-BatchNorm2d"])
@pytest.mark.parametrize("train_flg", [True, False], ids=["train", "eval"])
def test_batchnorm_matches_torch(shape, train_flg, rng):
    channels = shape[1]
    gamma, beta = rng.uniform(0.5, 1.5, channels), rng.standard_normal(channels)
    running_mean, running_var = rng.standard_normal(channels), rng.uniform(0.5, 2, channels)
    layer = BatchNormalization(gamma, beta, momentum=0.9, running_mean=running_mean.copy(),
                               running_var=running_var.copy(), eps=1e-5)
    out_t, xt, gt, bt, mean_t, var_t = None, None, None, None, None, None
    # 连续两批：第二批的输出（eval 时）用到第一批更新过的滑动平均
    for step in range(2):
        x = rng.standard_normal(shape) * 3 + 2
        upstream = rng.standard_normal(shape)
        out = layer.forward(x, train_flg)
        dx = layer.backward(upstream)
        out_t, xt, gt, bt, mean_t, var_t = batch_norm_torch(x, gamma, beta, running_mean, running_var, train_flg)
        out_t.backward(torch.tensor(upstream))
        running_mean, running_var = mean_t.numpy(), var_t.numpy()
        assert_close_to_torch(out, out_t, f"out (第 {step + 1} 批)")
        assert_close_to_torch(dx, xt.grad, f"dx (第 {step + 1} 批)")
        assert_close_to_torch(layer.dgamma, gt.grad, "dgamma")
        assert_close_to_torch(layer.dbeta, bt.grad, "dbeta")
        assert_close_to_torch(layer.running_mean, mean_t, "running_mean")
        assert_close_to_torch(layer.running_var, var_t, "running_var")


def test_batchnorm_default_running_stats_match_torch_initial_values(rng):
    """未给出滑动平均时，初始化为均值 0、方差 1（torch 的 BatchNorm 也是如此）：训练前的推理模式近似恒等映射。"""
    x = rng.standard_normal((4, 3))
    layer = BatchNormalization(np.ones(3), np.zeros(3))
    out = layer.forward(x, train_flg=False)
    torch_layer = torch.nn.BatchNorm1d(3, dtype=torch.float64).eval()
    assert_close_to_torch(out, torch_layer(torch.tensor(x)), "out")


@pytest.mark.parametrize("stride, pad", [(2, 1), (1, 0)])
def test_convolution_matches_torch(stride, pad, rng):
    x = rng.standard_normal((2, 3, 9, 9))
    W, b = rng.standard_normal((5, 3, 3, 3)), rng.standard_normal(5)
    layer = Convolution(W, b, stride=stride, pad=pad)
    out = layer.forward(x)
    upstream = rng.standard_normal(out.shape)
    dx = layer.backward(upstream)

    xt, Wt, bt = tensor(x), tensor(W), tensor(b)
    out_t = F.conv2d(xt, Wt, bt, stride=stride, padding=pad)
    out_t.backward(torch.tensor(upstream))
    assert_close_to_torch(out, out_t, "out")
    assert_close_to_torch(dx, xt.grad, "dx")
    assert_close_to_torch(layer.dW, Wt.grad, "dW")
    assert_close_to_torch(layer.db, bt.grad, "db")


@pytest.mark.parametrize(
    "pool_h, pool_w, stride, pad, size",
    [(2, 2, 2, 0, 8), (3, 3, 2, 1, 7), (2, 3, 1, 1, 6)],
    ids=["2x2-stride2", "3x3-stride2-pad1", "2x3-stride1-pad1"],
)
def test_pooling_matches_torch(pool_h, pool_w, stride, pad, size, rng):
    x = distinct_values(rng, (2, 3, size, size))
    layer = Pooling(pool_h, pool_w, stride=stride, pad=pad)
    out = layer.forward(x)
    upstream = rng.standard_normal(out.shape)
    dx = layer.backward(upstream)

    xt = tensor(x)
    out_t = F.max_pool2d(xt, (pool_h, pool_w), stride=stride, padding=pad)
    out_t.backward(torch.tensor(upstream))
    assert_close_to_torch(out, out_t, "out")
    assert_close_to_torch(dx, xt.grad, "dx")


def test_pooling_ties_send_gradient_to_the_first_maximum_like_torch():
    """ReLU 之后常有整窗的 0：并列最大值时梯度只给窗口中的第一个（按行优先），与 torch 相同，不会重复计算。"""
    x = np.zeros((1, 2, 4, 4))
    x[0, 1, :2, :2] = [[1.0, 3.0], [3.0, 2.0]]  # 第二个通道的左上窗口有两个并列的 3
    layer = Pooling(2, 2, stride=2)
    layer.forward(x)
    upstream = np.arange(1.0, 9.0).reshape(1, 2, 2, 2)
    dx = layer.backward(upstream)
    xt = tensor(x)
    F.max_pool2d(xt, 2, stride=2).backward(torch.tensor(upstream))
    assert_close_to_torch(dx, xt.grad, "dx")
    assert dx[0, 0, 0, 0] == upstream[0, 0, 0, 0] and dx[0, 0, :2, :2].sum() == upstream[0, 0, 0, 0]
    assert dx[0, 1, 0, 1] == upstream[0, 1, 0, 0] and dx[0, 1, 1, 0] == 0


def test_pooling_pads_with_minus_infinity_like_torch():
    x = -np.arange(1.0, 17.0).reshape(1, 1, 4, 4)  # 全是负数：若用 0 填充，边上的窗口会错误地取到 0
    out = Pooling(2, 2, stride=2, pad=1).forward(x)
    expected = F.max_pool2d(torch.tensor(x), 2, stride=2, padding=1)
    assert_close_to_torch(out, expected, "out")


def test_dropout_matches_torch_with_the_same_mask(rng, monkeypatch):
    """让 torch 的 F.dropout 自己抽掩码，再把同一个掩码交给我们的层，比较输出与梯度。

    这样检查的是 torch 真实的缩放约定（反向 dropout：保留的值除以 1 - p），而不是把我们的公式再写一遍。
    """
    ratio = 0.4
    x = rng.standard_normal((5, 8)) + 3.0  # 远离 0：输出为 0 当且仅当该元素被丢弃
    upstream = rng.standard_normal((5, 8))

    torch.manual_seed(0)
    xt = tensor(x)
    out_t = torch.nn.functional.dropout(xt, p=ratio, training=True)
    out_t.backward(torch.tensor(upstream))
    keep = (out_t != 0).detach().numpy()
    assert 0 < keep.sum() < keep.size  # 确实有被丢弃和被保留的元素

    # 我们的层保留 rand >= ratio 的元素：让 rand 在 torch 保留处取 0.99、丢弃处取 0
    monkeypatch.setattr(np.random, "rand", lambda *shape: np.where(keep, 0.99, 0.0))
    layer = Dropout(ratio)
    out = layer.forward(x, train_flg=True)
    dx = layer.backward(upstream)
    np.testing.assert_array_equal(layer.mask, keep)
    assert_close_to_torch(out, out_t, "out")
    assert_close_to_torch(dx, xt.grad, "dx")


def test_dropout_is_identity_in_eval_mode_and_keeps_expectation_in_training():
    np.random.seed(0)
    x = np.ones((200, 500))
    layer = Dropout(0.5)
    np.testing.assert_array_equal(layer.forward(x, train_flg=False), x)
    out = layer.forward(x, train_flg=True)
    # 10 万个元素，每个以 0.5 概率取 0 或 2：均值的标准差约 1 / sqrt(1e5) ≈ 0.003，容差取 5 倍
    assert out.mean() == pytest.approx(1.0, abs=0.015)
    assert set(np.unique(out)) == {0.0, 2.0}


def test_dropout_mask_is_reproducible_with_global_seed():
    x = np.ones((4, 6))
    np.random.seed(42)
    first = Dropout(0.5).forward(x)
    np.random.seed(42)
    second = Dropout(0.5).forward(x)
    np.testing.assert_array_equal(first, second)


# ================================================================ 3. 行为约定

LAYER_CASES = ["Relu", "Sigmoid", "Affine", "Dropout", "BatchNorm-train", "BatchNorm-eval",
               "Convolution", "Pooling", "SoftmaxWithLoss-labels", "SoftmaxWithLoss-one-hot"]


def make_layer_case(name, rng, dtype):
    """返回 (层, 正向输入列表, 正向关键字参数)：用于"不改写输入"和"保持 dtype"的通用检查。"""
    def r(*shape):
        return rng.standard_normal(shape).astype(dtype)

    cases = {
        "Relu": lambda: (Relu(), [r(4, 5)], {}),
        "Sigmoid": lambda: (Sigmoid(), [r(4, 5)], {}),
        "Affine": lambda: (Affine(r(12, 3), r(3)), [r(4, 3, 2, 2)], {}),
        "Dropout": lambda: (Dropout(0.5), [r(4, 5)], {"train_flg": True}),
        "BatchNorm-train": lambda: (BatchNormalization(r(5), r(5)), [r(4, 5)], {"train_flg": True}),
        "BatchNorm-eval": lambda: (BatchNormalization(r(3), r(3)), [r(2, 3, 4, 4)], {"train_flg": False}),
        "Convolution": lambda: (Convolution(r(2, 3, 3, 3), r(2), stride=2, pad=1), [r(2, 3, 5, 5)], {}),
        "Pooling": lambda: (Pooling(2, 2, stride=2), [r(2, 3, 4, 4)], {}),
        "SoftmaxWithLoss-labels": lambda: (SoftmaxWithLoss(), [r(4, 3), np.array([0, 1, 2, 0])], {}),
        "SoftmaxWithLoss-one-hot": lambda: (SoftmaxWithLoss(), [r(4, 3), one_hot([0, 1, 2, 0], 3)], {}),
    }
    return cases[name]()


def run_forward_backward(layer, inputs, kwargs, rng, dtype):
    """正向、反向各一次；返回 (正向输出, 上游梯度, 上游梯度在反向传播前的副本, dx)。"""
    out = layer.forward(*inputs, **kwargs)
    if isinstance(layer, SoftmaxWithLoss):
        upstream = np.array(1.0, dtype=dtype)  # 损失层的上游梯度是标量 dL/dL = 1
    else:
        upstream = rng.standard_normal(out.shape).astype(dtype)
    upstream_before = upstream.copy()
    return out, upstream, upstream_before, layer.backward(upstream)


@pytest.mark.parametrize("name", LAYER_CASES)
def test_layer_does_not_modify_its_inputs_or_upstream_gradient(name, rng):
    layer, inputs, kwargs = make_layer_case(name, rng, np.float64)
    inputs_before = [a.copy() for a in inputs]
    _, upstream, upstream_before, _ = run_forward_backward(layer, inputs, kwargs, rng, np.float64)
    for before, after in zip(inputs_before, inputs):
        assert np.array_equal(before, after), f"{name} 改写了正向输入"
    assert np.array_equal(upstream_before, upstream), f"{name} 改写了上游梯度 dout"


def test_relu_backward_returns_new_array_and_keeps_dout():
    layer = Relu()
    layer.forward(np.array([[-1.0, 2.0]]))
    dout = np.array([[5.0, 6.0]])
    dx = layer.backward(dout)
    np.testing.assert_array_equal(dx, [[0.0, 6.0]])
    np.testing.assert_array_equal(dout, [[5.0, 6.0]])  # 书中的 Relu 会把这里改成 0


@pytest.mark.parametrize("name", LAYER_CASES)
def test_layer_keeps_float32(name, rng):
    layer, inputs, kwargs = make_layer_case(name, rng, np.float32)
    out, _, _, dx = run_forward_backward(layer, inputs, kwargs, rng, np.float32)
    if not isinstance(layer, SoftmaxWithLoss):  # 损失层输出的是 Python float
        assert out.dtype == np.float32, f"{name} 正向输出为 {out.dtype}"
    assert dx.dtype == np.float32, f"{name} 反向输出为 {dx.dtype}"
    for attribute in ("dW", "db", "dgamma", "dbeta", "running_mean", "running_var"):
        value = getattr(layer, attribute, None)
        if value is not None:
            assert value.dtype == np.float32, f"{name}.{attribute} 为 {value.dtype}"


def test_softmax_with_loss_keeps_float32_with_float64_one_hot(rng):
    layer = SoftmaxWithLoss()
    layer.forward(rng.standard_normal((4, 3)).astype(np.float32), one_hot([0, 1, 2, 0], 3).astype(np.float64))
    assert layer.backward(np.float64(1.0)).dtype == np.float32


def test_affine_rejects_wrong_feature_count_naming_both_shapes(rng):
    layer = Affine(np.zeros((784, 50)), np.zeros(50))
    with pytest.raises(ValueError) as error:
        layer.forward(np.zeros((100, 783)))
    message = str(error.value)
    assert "783" in message and "784" in message
    assert "(100, 783)" in message and "(784, 50)" in message


def test_softmax_with_loss_rejects_labels_of_another_length_naming_both_shapes():
    layer = SoftmaxWithLoss()
    with pytest.raises(ValueError) as error:
        layer.forward(np.zeros((100, 10)), np.zeros(99, dtype=int))
    message = str(error.value)
    assert "(99,)" in message and "(100, 10)" in message


def test_convolution_rejects_wrong_channel_count():
    layer = Convolution(np.zeros((4, 3, 3, 3)), np.zeros(4))
    with pytest.raises(ValueError, match=r"\(2, 1, 5, 5\)"):
        layer.forward(np.zeros((2, 1, 5, 5)))


# ---------------------------------------------------------------- 错误的输入：明确报错，而不是悄悄算错

def test_batchnorm_rejects_gamma_or_beta_of_the_wrong_shape(rng):
    x = rng.standard_normal((6, 4))
    with pytest.raises(ValueError, match=r"gamma 的形状 \(3,\).*\(4,\)"):
        BatchNormalization(np.ones(3), np.zeros(4)).forward(x)
    with pytest.raises(ValueError, match=r"beta 的形状 \(1, 4\)"):
        BatchNormalization(np.ones(4), np.zeros((1, 4))).forward(x)


@pytest.mark.parametrize("ratio", [-0.1, 1.0, 1.5])
def test_dropout_rejects_a_ratio_outside_zero_to_one(ratio):
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        Dropout(ratio)


def test_dropout_accepts_the_edges_of_the_valid_range(rng):
    x = rng.standard_normal((3, 4))
    np.testing.assert_array_equal(Dropout(0.0).forward(x), x)  # 比例 0：什么都不丢
    assert Dropout(0.99).forward(x).shape == x.shape


@pytest.mark.parametrize("bad_label", [-1, 3])
def test_softmax_with_loss_rejects_labels_outside_the_class_range(bad_label):
    # -1 会被当成"最后一个类别"悄悄算出损失，3 会变成看不懂的 IndexError
    with pytest.raises(ValueError, match=r"SoftmaxWithLoss.*\[0, 3\)"):
        SoftmaxWithLoss().forward(np.zeros((4, 3)), np.array([0, 1, bad_label, 2]))


def test_softmax_with_loss_rejects_an_all_zero_one_hot_row():
    t = one_hot([0, 1, 2, 0], 3)
    t[1] = 0
    with pytest.raises(ValueError, match=r"\[1\].*全为 0"):
        SoftmaxWithLoss().forward(np.zeros((4, 3)), t)


@pytest.mark.parametrize("bias_shape", [(1, 3), (4,), ()], ids=["row-vector", "wrong-length", "scalar"])
def test_affine_rejects_a_bias_that_is_not_one_value_per_output(bias_shape):
    # (1, 3) 或标量的 b 会被广播，正向传播看不出问题，db 的形状却和 b 对不上
    with pytest.raises(ValueError, match=r"b 应为 \(M,\).*" + re.escape(str(bias_shape))):
        Affine(np.zeros((2, 3)), np.zeros(bias_shape))


BACKWARD_BEFORE_FORWARD = {
    "MulLayer": lambda: MulLayer().backward(1.0),
    "Relu": lambda: Relu().backward(np.ones((2, 3))),
    "Sigmoid": lambda: Sigmoid().backward(np.ones((2, 3))),
    "Affine": lambda: Affine(np.zeros((3, 2)), np.zeros(2)).backward(np.ones((4, 2))),
    "SoftmaxWithLoss": lambda: SoftmaxWithLoss().backward(),
    "Dropout": lambda: Dropout(0.5).backward(np.ones((2, 3))),
    "BatchNormalization": lambda: BatchNormalization(np.ones(3), np.zeros(3)).backward(np.ones((2, 3))),
    "Convolution": lambda: Convolution(np.zeros((2, 1, 3, 3)), np.zeros(2)).backward(np.ones((1, 2, 2, 2))),
    "Pooling": lambda: Pooling(2, 2).backward(np.ones((1, 1, 2, 2))),
}


@pytest.mark.parametrize("name", BACKWARD_BEFORE_FORWARD)
def test_backward_before_forward_says_so(name):
    with pytest.raises(RuntimeError, match=name + r"\.backward.*还没有调用 forward"):
        BACKWARD_BEFORE_FORWARD[name]()


FORWARD_WITH_A_LIST = {
    "Relu": lambda x: Relu().forward(x),
    "Affine": lambda x: Affine(np.zeros((3, 2)), np.zeros(2)).forward(x),
    "SoftmaxWithLoss": lambda x: SoftmaxWithLoss().forward(x, np.array([0, 1])),
    "Dropout": lambda x: Dropout(0.5).forward(x),
    "BatchNormalization": lambda x: BatchNormalization(np.ones(3), np.zeros(3)).forward(x),
    "Convolution": lambda x: Convolution(np.zeros((2, 1, 1, 1)), np.zeros(2)).forward(x),
    "Pooling": lambda x: Pooling(1, 1).forward(x),
}


@pytest.mark.parametrize("name", FORWARD_WITH_A_LIST)
def test_forward_with_a_list_asks_for_an_array(name):
    with pytest.raises(TypeError, match=name + r"\.forward.*list.*np\.asarray"):
        FORWARD_WITH_A_LIST[name]([[1.0, -2.0, 3.0], [0.5, 0.0, -1.0]])
