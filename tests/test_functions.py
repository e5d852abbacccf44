"""common/functions.py 的测试：激活函数、softmax、损失函数。

参照实现是 PyTorch（独立实现），不是把我们自己的公式再写一遍。
"""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from common import functions
from common.util import one_hot

ACTIVATIONS = [
    functions.step_function,
    functions.sigmoid,
    functions.relu,
    functions.tanh,
    functions.leaky_relu,
    functions.swish,
    functions.softplus,
    functions.sigmoid_grad,
    functions.relu_grad,
    functions.tanh_grad,
    functions.leaky_relu_grad,
]

# (我们的函数, torch 的对应函数)：逐元素的激活函数
TORCH_ACTIVATIONS = [
    (functions.sigmoid, torch.sigmoid),
    (functions.relu, torch.relu),
    (functions.tanh, torch.tanh),
    (functions.leaky_relu, lambda x: F.leaky_relu(x, 0.01)),
    (functions.swish, F.silu),
    (functions.softplus, F.softplus),
]

# (导数函数, 对应的激活函数在 torch 中的写法)：导数与 torch.autograd 比较
TORCH_DERIVATIVES = [
    (functions.sigmoid_grad, torch.sigmoid),
    (functions.relu_grad, torch.relu),
    (functions.tanh_grad, torch.tanh),
    (functions.leaky_relu_grad, lambda x: F.leaky_relu(x, 0.01)),
]

# float64 下两种实现的差别只来自舍入（机器精度约 2e-16，经过 exp/log 等几步运算），1e-12 留足余量
FLOAT64_TOL = 1e-12


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture
def extreme_inputs():
    """包含 ±1000 的输入：朴素实现在这里会溢出（exp(1000) = inf）。"""
    return np.array([-1000.0, -100.0, -1.0, 0.0, 1.0, 100.0, 1000.0])


def call_strictly(fn, *args):
    """把浮点异常和所有警告都变成错误后调用 fn：下溢、溢出、除零都会直接失败。"""
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(*args)


# ---------------------------------------------------------------- softmax

def test_softmax_rows_sum_to_one(rng):
    x = rng.standard_normal((5, 7)) * 10
    y = functions.softmax(x)
    assert y.shape == (5, 7)
    np.testing.assert_allclose(y.sum(axis=1), 1.0, rtol=0, atol=FLOAT64_TOL)
    assert np.all(y > 0)


def test_softmax_of_one_sample_sums_to_one_and_equals_batch_row(rng):
    x = rng.standard_normal(6)
    y = functions.softmax(x)
    assert y.shape == (6,)
    assert y.sum() == pytest.approx(1.0, abs=FLOAT64_TOL)
    np.testing.assert_allclose(y, functions.softmax(x[np.newaxis])[0], rtol=0, atol=FLOAT64_TOL)


def test_softmax_is_invariant_to_adding_a_constant(rng):
    x = rng.standard_normal((4, 5))
    shift = np.array([[0.0], [100.0], [-500.0], [1000.0]])  # 每行加不同的常数
    np.testing.assert_allclose(functions.softmax(x + shift), functions.softmax(x), rtol=0, atol=FLOAT64_TOL)


def test_softmax_matches_torch(rng):
    x = rng.standard_normal((4, 5)) * 3
    expected = torch.softmax(torch.tensor(x), dim=-1).numpy()
    np.testing.assert_allclose(functions.softmax(x), expected, rtol=FLOAT64_TOL, atol=0)


def test_log_softmax_matches_torch_even_for_huge_logits():
    x = np.array([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0]])
    expected = torch.log_softmax(torch.tensor(x), dim=-1).numpy()
    np.testing.assert_allclose(functions.log_softmax(x), expected, rtol=FLOAT64_TOL, atol=0)


# ---------------------------------------------------------------- 数值稳定

@pytest.mark.parametrize("fn", ACTIVATIONS, ids=lambda f: f.__name__)
def test_activation_is_finite_and_silent_at_plus_minus_1000(fn, extreme_inputs):
    y = call_strictly(fn, extreme_inputs)
    assert np.all(np.isfinite(y))


def test_sigmoid_saturates_correctly_at_extremes(extreme_inputs):
    y = call_strictly(functions.sigmoid, extreme_inputs)
    assert y[0] == 0.0 and y[-1] == 1.0
    assert y[3] == 0.5


def test_softmax_and_cross_entropy_are_finite_and_silent_at_plus_minus_1000():
    x = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0]])
    y = call_strictly(functions.softmax, x)
    assert np.all(np.isfinite(y))
    np.testing.assert_allclose(y[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(y[1], [1 / 3, 1 / 3, 1 / 3])
    # 正确类别的概率下溢为 0：log(0 + 1e-7) 使损失停在 -log(1e-7) ≈ 16.1，而不是 inf
    loss = call_strictly(functions.cross_entropy, y, np.array([1, 0]))
    assert np.isfinite(loss)
    assert loss == pytest.approx((-np.log(1e-7) - np.log(1 / 3 + 1e-7)) / 2)
    assert np.all(np.isfinite(call_strictly(functions.log_softmax, x)))


# ---------------------------------------------------------------- 与 torch 比较

@pytest.mark.parametrize("fn, torch_fn", TORCH_ACTIVATIONS, ids=lambda f: getattr(f, "__name__", "torch"))
def test_activation_matches_torch(fn, torch_fn, rng):
    x = rng.standard_normal((3, 4)) * 5
    expected = torch_fn(torch.tensor(x)).numpy()
    np.testing.assert_allclose(fn(x), expected, rtol=FLOAT64_TOL, atol=FLOAT64_TOL)


@pytest.mark.parametrize("grad_fn, torch_fn", TORCH_DERIVATIVES, ids=lambda f: getattr(f, "__name__", "torch"))
def test_activation_derivative_matches_torch_autograd(grad_fn, torch_fn, rng):
    x = rng.standard_normal((3, 4)) * 3
    x[np.abs(x) < 0.1] += 0.5  # 远离 0：ReLU 类函数在 0 处不可导
    xt = torch.tensor(x, requires_grad=True)
    torch_fn(xt).sum().backward()  # 逐元素函数：sum 的梯度就是每个元素处的导数
    np.testing.assert_allclose(grad_fn(x), xt.grad.numpy(), rtol=FLOAT64_TOL, atol=FLOAT64_TOL)


def test_relu_grad_at_exactly_zero_is_zero_like_torch():
    # ReLU 在 0 处不可导，约定取 0（torch 也取 0）；上面的比较特意避开了 0，所以这里单独检验
    x = np.array([-1.0, 0.0, 1.0])
    xt = torch.tensor(x, requires_grad=True)
    torch.relu(xt).sum().backward()
    np.testing.assert_array_equal(functions.relu_grad(x), xt.grad.numpy())
    assert functions.relu_grad(np.array([0.0]))[0] == 0.0


def test_step_function_is_one_only_for_positive_input():
    np.testing.assert_array_equal(functions.step_function(np.array([-2.0, 0.0, 0.5, 3.0])), [0, 0, 1, 1])


@pytest.mark.parametrize("shape", [(6,), (4, 3)], ids=["one-sample", "batch"])
def test_regression_losses_match_torch(shape, rng):
    y = rng.standard_normal(shape) * 2
    t = rng.standard_normal(shape) * 2
    yt, tt = torch.tensor(y), torch.tensor(t)
    assert functions.mean_squared_error(y, t) == pytest.approx(F.mse_loss(yt, tt).item(), rel=FLOAT64_TOL)
    assert functions.mean_absolute_error(y, t) == pytest.approx(F.l1_loss(yt, tt).item(), rel=FLOAT64_TOL)
    for beta in (1.0, 0.5, 0.0):
        expected = F.smooth_l1_loss(yt, tt, beta=beta).item()
        assert functions.smooth_l1(y, t, beta=beta) == pytest.approx(expected, rel=FLOAT64_TOL)


@pytest.mark.parametrize("loss_fn", [functions.mean_squared_error, functions.mean_absolute_error,
                                     functions.smooth_l1], ids=lambda f: f.__name__)
def test_regression_losses_reject_mismatched_shapes(loss_fn):
    # (3, 1) 与 (3,) 会被广播成 (3, 3)，悄悄算出错误的损失；应当报错并给出函数名和两个形状
    with pytest.raises(ValueError, match=loss_fn.__name__ + r".*\(3, 1\).*\(3,\)"):
        loss_fn(np.zeros((3, 1)), np.zeros(3))


@pytest.mark.parametrize("label_form", ["labels", "one-hot"])
def test_cross_entropy_matches_torch_nll_loss(label_form, rng):
    y = functions.softmax(rng.standard_normal((8, 5)))
    labels = rng.integers(0, 5, size=8)
    t = labels if label_form == "labels" else one_hot(labels, 5)
    expected = F.nll_loss(torch.log(torch.tensor(y)), torch.tensor(labels)).item()
    # 我们在 log 里加了 1e-7：-log(p + 1e-7) 比 -log(p) 小约 1e-7 / p，所以容差取 1e-7 / 最小的正确类别概率
    tolerance = 1e-7 / y[np.arange(8), labels].min()
    assert functions.cross_entropy(y, t) == pytest.approx(expected, abs=tolerance)


def test_cross_entropy_of_one_sample_equals_batch_of_one(rng):
    y = functions.softmax(rng.standard_normal(5))
    batch = functions.cross_entropy(y[np.newaxis], np.array([2]))
    assert functions.cross_entropy(y, 2) == pytest.approx(batch, rel=FLOAT64_TOL)
    assert functions.cross_entropy(y, one_hot([2], 5)[0]) == pytest.approx(batch, rel=FLOAT64_TOL)


def test_cross_entropy_rejects_labels_of_wrong_length(rng):
    y = functions.softmax(rng.standard_normal((4, 3)))
    with pytest.raises(ValueError, match=r"\(4, 3\).*\(5,\)"):
        functions.cross_entropy(y, np.zeros(5, dtype=int))


@pytest.mark.parametrize("bad_label", [-1, 3, 7])
def test_cross_entropy_rejects_labels_outside_the_class_range(bad_label, rng):
    # -1 会被 NumPy 当作"最后一个类别"悄悄算出一个损失，3 会变成看不懂的 IndexError：都应明确报错
    y = functions.softmax(rng.standard_normal((4, 3)))
    with pytest.raises(ValueError, match=r"\[0, 3\)") as info:
        functions.cross_entropy(y, np.array([0, 1, bad_label, 2]))
    assert str(bad_label) in str(info.value)
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        functions.cross_entropy(y[0], bad_label)  # 单个样本同样检查


def test_cross_entropy_rejects_an_all_zero_one_hot_row(rng):
    y = functions.softmax(rng.standard_normal((4, 3)))
    t = one_hot([0, 1, 2, 0], 3)
    t[2] = 0  # 这一行没有正确类别，对损失毫无贡献
    with pytest.raises(ValueError, match=r"\[2\].*全为 0"):
        functions.cross_entropy(y, t)


# ---------------------------------------------------------------- dtype

@pytest.mark.parametrize("fn", ACTIVATIONS + [functions.softmax, functions.log_softmax], ids=lambda f: f.__name__)
def test_float32_input_gives_float32_output(fn, rng):
    x = rng.standard_normal((3, 4)).astype(np.float32)
    assert fn(x).dtype == np.float32


def test_integer_input_is_treated_as_float64():
    assert functions.sigmoid(np.array([0, 1])).dtype == np.float64
    assert functions.softmax([1, 2, 3]).dtype == np.float64
