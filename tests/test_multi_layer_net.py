"""common/multi_layer_net.py 的测试。"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from common.layers import Dropout, Relu, Sigmoid, SoftmaxWithLoss
from common.multi_layer_net import MultiLayerNet
from common.optimizer import SGD
from common.util import one_hot

# 数值梯度的相对误差上限：中心差分截断误差 O(h^2) ≈ 1e-8（h = 1e-4），float64 舍入误差约 1e-12；
# 反向传播写错（如漏掉权重衰减项）时相对误差为 O(1e-2) 以上。
GRAD_CHECK_TOL = 1e-6
# 与 torch 比较：都是 float64、同样的公式，只差运算顺序带来的舍入
TORCH_TOL = 1e-10


# 梯度恒为 0 时两边都只剩舍入噪声（数值梯度约 1e-16 × |L| / h ≈ 1e-12），相对误差没有意义，改看绝对值
ZERO_GRAD_ATOL = 1e-9


def relative_error(analytic, numeric):
    """‖a - n‖ / (‖a‖ + ‖n‖)：不受梯度整体量级影响；两者都为 0 时定义为 0。"""
    denominator = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return 0.0 if denominator == 0 else np.linalg.norm(analytic - numeric) / denominator


def assert_gradients_close(grads, numeric):
    assert grads.keys() == numeric.keys()
    for key in grads:
        if np.abs(grads[key]).max() < ZERO_GRAD_ATOL and np.abs(numeric[key]).max() < ZERO_GRAD_ATOL:
            continue
        error = relative_error(grads[key], numeric[key])
        assert error < GRAD_CHECK_TOL, f"{key}: 相对误差 {error:.2e}"


def small_batch(n=6, input_size=5, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    # 输入按 0.5 量级取值、批量大小 6：隐藏层 ReLU 的输入几乎不可能落在 0 附近 1e-4 以内（折点）
    return rng.standard_normal((n, input_size)), rng.integers(0, classes, size=n)


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_gradient_matches_numerical_with_batchnorm_and_weight_decay(activation):
    np.random.seed(0)
    net = MultiLayerNet(5, [4, 3], 3, activation=activation, weight_init_std=activation,
                        weight_decay_lambda=0.1, use_batchnorm=True, dtype=np.float64)
    x, t = small_batch()
    grads = net.gradient(x, t)
    assert grads.keys() == net.params.keys()
    assert_gradients_close(grads, net.numerical_gradient(x, t))
    # 批归一化紧跟在 Affine 之后：偏置 b 会在减均值时被抵消，所以梯度恒为 0（gamma、beta 取代了它的作用）
    assert np.abs(grads["b1"]).max() < ZERO_GRAD_ATOL


def test_gradient_matches_numerical_without_batchnorm_with_one_hot_labels():
    np.random.seed(1)
    net = MultiLayerNet(5, [6], 3, weight_decay_lambda=0.05, dtype=np.float64)
    x, labels = small_batch(seed=1)
    t = one_hot(labels, 3)
    assert_gradients_close(net.gradient(x, t), net.numerical_gradient(x, t))


def test_loss_and_gradient_match_torch_with_weight_decay():
    """同一个网络（两个隐藏层、ReLU、权重衰减）用 torch 重建，比较损失和所有参数的梯度。

    偏置取非零值：权重衰减只作用于权重 W，错加到偏置上时损失和 b 的梯度都会不同（偏置为 0 时看不出来）。
    """
    np.random.seed(2)
    lam = 0.1
    net = MultiLayerNet(5, [4, 3], 3, weight_decay_lambda=lam, dtype=np.float64)
    for i in (1, 2, 3):
        net.params[f"b{i}"][:] = np.random.uniform(0.5, 1.0, size=net.params[f"b{i}"].shape)  # 原地改：层里是同一个数组
    x, t = small_batch(seed=2)
    loss = net.loss(x, t)
    grads = net.gradient(x, t)

    p = {k: torch.tensor(v, requires_grad=True) for k, v in net.params.items()}
    h = torch.relu(torch.tensor(x) @ p["W1"] + p["b1"])
    h = torch.relu(h @ p["W2"] + p["b2"])
    scores = h @ p["W3"] + p["b3"]
    decay = sum(0.5 * lam * (p[f"W{i}"] ** 2).sum() for i in (1, 2, 3))
    loss_t = F.cross_entropy(scores, torch.tensor(t)) + decay
    loss_t.backward()

    assert loss == pytest.approx(loss_t.item(), rel=TORCH_TOL)
    for key in net.params:
        np.testing.assert_allclose(grads[key], p[key].grad.numpy(), rtol=TORCH_TOL, atol=TORCH_TOL, err_msg=key)


def test_params_and_layers_are_named_like_the_book():
    net = MultiLayerNet(4, [3, 3], 2, use_batchnorm=True, use_dropout=True)
    assert list(net.params) == ["W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3"]
    assert list(net.layers) == [
        "Affine1", "BatchNorm1", "Activation_function1", "Dropout1",
        "Affine2", "BatchNorm2", "Activation_function2", "Dropout2",
        "Affine3",
    ]
    assert net.layers["Affine1"].W is net.params["W1"]  # 层与参数字典共用同一个数组，优化器原地更新即可


def test_weights_are_reproducible_with_global_seed():
    np.random.seed(3)
    first = MultiLayerNet(4, [3], 2)
    np.random.seed(3)
    second = MultiLayerNet(4, [3], 2)
    np.testing.assert_array_equal(first.params["W1"], second.params["W1"])


@pytest.mark.parametrize("weight_init_std, expected_std", [
    ("relu", np.sqrt(2 / 400)), ("he", np.sqrt(2 / 400)),
    ("sigmoid", np.sqrt(1 / 400)), ("xavier", np.sqrt(1 / 400)), (0.01, 0.01),
])
def test_weight_init_std(weight_init_std, expected_std):
    np.random.seed(4)
    net = MultiLayerNet(400, [300], 10, weight_init_std=weight_init_std)
    # 12 万个样本估计标准差，相对误差约 1 / sqrt(2 * 12e4) ≈ 0.2%，容差 2%
    assert net.params["W1"].std() == pytest.approx(expected_std, rel=0.02)


def test_float32_network_stays_float32():
    np.random.seed(5)
    net = MultiLayerNet(5, [4], 3, weight_decay_lambda=0.1, use_batchnorm=True, use_dropout=True)
    x, t = small_batch()
    x = x.astype(np.float32)
    grads = net.gradient(x, t)
    assert all(g.dtype == np.float32 for g in grads.values()), {k: g.dtype for k, g in grads.items()}
    assert net.predict(x).dtype == np.float32
    assert isinstance(net.loss(x, t), float)


def test_accuracy_accepts_labels_and_one_hot():
    np.random.seed(6)
    net = MultiLayerNet(5, [4], 3)
    x, t = small_batch()
    predicted = np.argmax(net.predict(x), axis=1)
    assert net.accuracy(x, t) == pytest.approx(np.mean(predicted == t))
    assert net.accuracy(x, one_hot(t, 3)) == net.accuracy(x, t)


def test_predict_in_eval_mode_is_deterministic_with_dropout():
    np.random.seed(7)
    net = MultiLayerNet(5, [8], 3, use_dropout=True, dropout_ratio=0.5)
    x, _ = small_batch()
    np.testing.assert_array_equal(net.predict(x, train_flg=False), net.predict(x, train_flg=False))
    assert not np.array_equal(net.predict(x, train_flg=True), net.predict(x, train_flg=True))


def test_numerical_gradient_leaves_batchnorm_running_stats_unchanged():
    np.random.seed(8)
    net = MultiLayerNet(5, [4], 3, use_batchnorm=True, dtype=np.float64)
    x, t = small_batch()
    net.gradient(x, t)  # 训练一步：滑动平均被初始化并更新
    before = net.layers["BatchNorm1"].running_mean.copy()
    net.numerical_gradient(x, t)
    np.testing.assert_array_equal(net.layers["BatchNorm1"].running_mean, before)


def test_a_few_sgd_steps_fit_a_tiny_dataset():
    np.random.seed(9)
    x, t = small_batch(n=20, seed=9)
    net = MultiLayerNet(5, [16], 3, use_batchnorm=True)
    x = x.astype(np.float32)
    optimizer = SGD(lr=0.5)
    first_loss = net.loss(x, t)
    for _ in range(100):
        optimizer.update(net.params, net.gradient(x, t))
    assert net.loss(x, t) < 0.5 * first_loss
    assert net.accuracy(x, t) > 0.8


def test_accuracy_and_default_loss_use_inference_mode_with_dropout_and_batchnorm():
    """accuracy 与默认的 loss 必须用推理模式：Dropout 不丢弃、批归一化用滑动平均（也不更新它）。"""
    np.random.seed(10)
    net = MultiLayerNet(5, [16, 16], 3, use_batchnorm=True, use_dropout=True, dropout_ratio=0.5, dtype=np.float64)
    x, t = small_batch(n=12, seed=10)
    for _ in range(3):
        net.gradient(x + 2.0, t)  # 在另一批数据上训练几步：滑动平均与这一批的统计量不同
    running_mean = net.layers["BatchNorm1"].running_mean.copy()

    scores = net.predict(x, train_flg=False)
    expected_accuracy = np.mean(np.argmax(scores, axis=1) == t)
    expected_loss = SoftmaxWithLoss().forward(scores, t)
    for _ in range(3):  # 训练模式每次都会抽新的掩码，结果不会次次相同
        assert net.accuracy(x, t) == expected_accuracy
        assert net.loss(x, t) == pytest.approx(expected_loss, rel=1e-12)
    np.testing.assert_array_equal(net.layers["BatchNorm1"].running_mean, running_mean)
    assert net.loss(x, t, train_flg=True) != pytest.approx(expected_loss, rel=1e-6)  # 两种模式确实不同


def test_the_dropout_ratio_given_is_the_one_used():
    np.random.seed(11)
    net = MultiLayerNet(20, [2000], 3, use_dropout=True, dropout_ratio=0.2)
    dropout = net.layers["Dropout1"]
    assert isinstance(dropout, Dropout) and dropout.dropout_ratio == 0.2
    net.predict(np.random.randn(50, 20), train_flg=True)
    # 10 万个掩码元素，丢弃比例的标准差约 sqrt(0.2 * 0.8 / 1e5) ≈ 0.0013，容差 0.01（默认的 0.5 差得很远）
    assert 1 - dropout.mask.mean() == pytest.approx(0.2, abs=0.01)


@pytest.mark.parametrize("activation, layer_class", [("relu", Relu), ("sigmoid", Sigmoid)])
def test_each_activation_name_builds_its_own_layer(activation, layer_class):
    net = MultiLayerNet(4, [3, 3], 2, activation=activation)
    for i in (1, 2):
        assert type(net.layers[f"Activation_function{i}"]) is layer_class


def test_unknown_activation_or_list_input_gives_a_clear_error():
    with pytest.raises(ValueError, match="'tanh'"):
        MultiLayerNet(4, [3], 2, activation="tanh")
    net = MultiLayerNet(4, [3], 2)
    with pytest.raises(TypeError, match="np.asarray"):
        net.accuracy([[0.0, 1.0, 2.0, 3.0]], [1])
