"""common/gradient.py 的测试：数值微分与数值梯度。"""
import numpy as np
import pytest

from common.gradient import _numerical_gradient_1d, numerical_diff, numerical_gradient

# 中心差分的截断误差约为 h^2 / 6 * f'''，h = 1e-4 时约 1e-8 × |f'''|；
# 下面的函数 f''' 不超过几十，舍入误差约 1e-16 / h = 1e-12，所以 1e-6 的绝对容差足够宽松。
CENTRAL_DIFF_TOL = 1e-6


def test_numerical_diff_of_square_is_two_x():
    assert numerical_diff(lambda x: x ** 2, 3.0) == pytest.approx(6.0, abs=CENTRAL_DIFF_TOL)


def test_numerical_diff_of_book_example():
    # 书中的 f(x) = 0.01x^2 + 0.1x，在 x = 5 处导数为 0.2
    assert numerical_diff(lambda x: 0.01 * x ** 2 + 0.1 * x, 5.0) == pytest.approx(0.2, abs=CENTRAL_DIFF_TOL)


def test_numerical_gradient_matches_analytic_gradient():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4))
    grad = numerical_gradient(lambda w: np.sum(w ** 3) + np.sum(w[0] * w[1]), x)
    expected = 3 * x ** 2
    expected[0] += x[1]
    expected[1] += x[0]
    np.testing.assert_allclose(grad, expected, rtol=0, atol=CENTRAL_DIFF_TOL)


def test_numerical_gradient_1d_matches_analytic_gradient():
    x = np.array([3.0, 4.0])
    grad = _numerical_gradient_1d(lambda w: w[0] ** 2 + w[1] ** 2, x)
    np.testing.assert_allclose(grad, [6.0, 8.0], rtol=0, atol=CENTRAL_DIFF_TOL)


def test_numerical_gradient_1d_rejects_2d_input():
    with pytest.raises(ValueError, match=r"\(2, 2\)"):
        _numerical_gradient_1d(np.sum, np.zeros((2, 2)))


def test_numerical_gradient_keeps_shape_and_dtype():
    for shape in [(), (5,), (2, 3), (2, 3, 2, 2)]:
        x = np.ones(shape)
        grad = numerical_gradient(np.sum, x)
        assert grad.shape == shape and grad.dtype == np.float64
        np.testing.assert_allclose(grad, 1.0, rtol=0, atol=CENTRAL_DIFF_TOL)


def test_numerical_gradient_works_through_a_closure():
    """像书中的网络代码一样：f 不用参数，而是通过闭包读取被原地扰动的权重。"""
    weight = np.array([[1.0, 2.0], [3.0, 4.0]])
    data = np.array([1.0, -1.0])

    def loss(_):
        return np.sum((data @ weight) ** 2)

    grad = numerical_gradient(loss, weight)
    expected = 2 * np.outer(data, data @ weight)
    np.testing.assert_allclose(grad, expected, rtol=0, atol=CENTRAL_DIFF_TOL)


def test_numerical_gradient_leaves_input_exactly_unchanged():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 5))
    original = x.copy()
    numerical_gradient(lambda w: np.sum(np.sin(w)), x)
    # 要求逐位相等：若用 x[i] += h; x[i] -= h 来恢复，舍入误差会让值变掉
    assert np.array_equal(x, original)


def test_numerical_gradient_restores_input_when_f_raises_midway():
    x = np.arange(6.0).reshape(2, 3) + 0.1
    original = x.copy()
    calls = {"count": 0}

    def failing_loss(w):
        calls["count"] += 1
        if calls["count"] == 5:  # 第 3 个元素的 f(x + h) 处出错，此时该元素正被扰动
            raise RuntimeError("f 中途出错")
        return np.sum(w ** 2)

    with pytest.raises(RuntimeError, match="中途出错"):
        numerical_gradient(failing_loss, x)
    assert np.array_equal(x, original)


def test_numerical_gradient_perturbs_a_non_contiguous_view_in_place():
    """x 是转置视图时，扰动必须写进原数组（网络里的权重可能就是视图）。"""
    base = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    view = base.T
    grad = numerical_gradient(lambda _: np.sum(base ** 2), view)  # 闭包读取 base
    np.testing.assert_allclose(grad, 2 * view, rtol=0, atol=CENTRAL_DIFF_TOL)
    assert np.array_equal(base, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])


def test_numerical_gradient_rejects_integer_array():
    # 整数数组无法加上 h = 1e-4（会被截断），直接报错而不是悄悄返回 0
    with pytest.raises(TypeError, match="浮点"):
        numerical_gradient(np.sum, np.arange(3))
