"""common/util.py 的测试：im2col / col2im、conv_output_size、minibatches、one_hot、smooth_curve。"""
import numpy as np
import pytest

from common.util import col2im, conv_output_size, im2col, minibatches, one_hot, smooth_curve

# (N, C, H, W, filter_h, filter_w, stride, pad)：输出大小都能整除
CONFIGS = [
    (2, 3, 5, 5, 3, 3, 1, 0),
    (2, 3, 7, 7, 3, 3, 2, 1),
    (1, 2, 6, 4, 2, 2, 2, 0),
    (3, 1, 5, 6, 3, 2, 1, 1),
]
CONFIG_IDS = ["3x3", "3x3-stride2-pad1", "2x2-stride2-nonsquare-input", "3x2-pad1"]


def naive_im2col(x, filter_h, filter_w, stride, pad):
    """逐个窗口、逐个元素地展开（慢但一目了然），作为参照。"""
    n, c, h, w = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out_h = (h + 2 * pad - filter_h) // stride + 1
    out_w = (w + 2 * pad - filter_w) // stride + 1
    rows = []
    for i in range(n):
        for oy in range(out_h):
            for ox in range(out_w):
                row = []
                for ch in range(c):
                    for fy in range(filter_h):
                        for fx in range(filter_w):
                            row.append(padded[i, ch, oy * stride + fy, ox * stride + fx])
                rows.append(row)
    return np.array(rows)


def naive_col2im(col, input_shape, filter_h, filter_w, stride, pad):
    """逐个元素把 col 的值加回来源像素（重叠处累加），作为参照。"""
    n, c, h, w = input_shape
    padded = np.zeros((n, c, h + 2 * pad, w + 2 * pad))
    out_h = (h + 2 * pad - filter_h) // stride + 1
    out_w = (w + 2 * pad - filter_w) // stride + 1
    row_index = 0
    for i in range(n):
        for oy in range(out_h):
            for ox in range(out_w):
                column_index = 0
                for ch in range(c):
                    for fy in range(filter_h):
                        for fx in range(filter_w):
                            padded[i, ch, oy * stride + fy, ox * stride + fx] += col[row_index, column_index]
                            column_index += 1
                row_index += 1
    return padded[:, :, pad:pad + h, pad:pad + w]


@pytest.mark.parametrize("config", CONFIGS, ids=CONFIG_IDS)
def test_im2col_matches_naive_loops(config):
    n, c, h, w, fh, fw, stride, pad = config
    x = np.random.default_rng(0).standard_normal((n, c, h, w))
    col = im2col(x, fh, fw, stride, pad)
    expected = naive_im2col(x, fh, fw, stride, pad)
    assert col.shape == expected.shape
    np.testing.assert_array_equal(col, expected)  # 只是搬运数据，应逐位相同


@pytest.mark.parametrize("config", CONFIGS, ids=CONFIG_IDS)
def test_col2im_matches_naive_loops(config):
    n, c, h, w, fh, fw, stride, pad = config
    out_size = conv_output_size(h, fh, stride, pad) * conv_output_size(w, fw, stride, pad)
    col = np.random.default_rng(1).standard_normal((n * out_size, c * fh * fw))
    result = col2im(col, (n, c, h, w), fh, fw, stride, pad)
    # 累加顺序不同只带来舍入差（float64 约 1e-16 × 重叠次数）
    np.testing.assert_allclose(result, naive_col2im(col, (n, c, h, w), fh, fw, stride, pad), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("config", CONFIGS, ids=CONFIG_IDS)
def test_col2im_is_the_adjoint_of_im2col(config):
    """<im2col(x), c> == <x, col2im(c)>：这正是卷积反向传播用 col2im 的理由。"""
    n, c, h, w, fh, fw, stride, pad = config
    rng = np.random.default_rng(2)
    x = rng.standard_normal((n, c, h, w))
    col = im2col(x, fh, fw, stride, pad)
    other = rng.standard_normal(col.shape)
    left = np.sum(col * other)
    right = np.sum(x * col2im(other, x.shape, fh, fw, stride, pad))
    assert left == pytest.approx(right, rel=1e-12)  # 同一个和的两种求和顺序，只差舍入


def test_col2im_accepts_row_major_col():
    """col 可以来自 im2col（按列存放的视图），也可以是普通的按行存放的数组，结果相同。"""
    rng = np.random.default_rng(3)
    col = rng.standard_normal((2 * 9, 3 * 4))
    a = col2im(np.ascontiguousarray(col), (2, 3, 4, 4), 2, 2, 1, 0)
    b = col2im(np.asfortranarray(col), (2, 3, 4, 4), 2, 2, 1, 0)
    np.testing.assert_array_equal(a, b)


def test_im2col_keeps_float32():
    x = np.ones((2, 3, 5, 5), dtype=np.float32)
    col = im2col(x, 3, 3, stride=2, pad=1)
    assert col.dtype == np.float32
    assert col2im(col, x.shape, 3, 3, stride=2, pad=1).dtype == np.float32


def test_conv_output_size_examples():
    assert conv_output_size(28, 5) == 24
    assert conv_output_size(28, 3, stride=1, pad=1) == 28
    assert conv_output_size(7, 3, stride=2, pad=1) == 4
    assert conv_output_size(24, 2, stride=2) == 12


def test_conv_output_size_rounds_down_when_sizes_do_not_divide():
    assert conv_output_size(8, 3, stride=2) == 3  # (8 - 3) / 2 = 2.5 → 2，再加 1，与 torch 相同
    with pytest.raises(ValueError, match="卷积核大小 5"):
        conv_output_size(3, 5)


def test_minibatches_cover_each_sample_exactly_once_per_epoch():
    np.random.seed(0)
    x = np.arange(23) * 10
    t = np.arange(23)
    seen = []
    sizes = []
    for x_batch, t_batch in minibatches(x, t, batch_size=5):
        np.testing.assert_array_equal(x_batch, t_batch * 10)  # x 与 t 仍一一对应
        seen.extend(t_batch.tolist())
        sizes.append(len(t_batch))
    assert sorted(seen) == list(range(23))
    assert sizes == [5, 5, 5, 5, 3]
    assert seen != list(range(23))  # 确实打乱了


def test_minibatches_are_reproducible_with_seed_and_ordered_without_shuffle():
    x = np.arange(10)
    np.random.seed(1)
    first = [b.tolist() for b, _ in minibatches(x, x, 4)]
    np.random.seed(1)
    second = [b.tolist() for b, _ in minibatches(x, x, 4)]
    assert first == second
    assert [b.tolist() for b, _ in minibatches(x, x, 4, shuffle=False)] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_minibatches_reject_mismatched_lengths():
    with pytest.raises(ValueError, match="10.*9"):
        next(minibatches(np.zeros(10), np.zeros(9), 4))


def test_one_hot_puts_a_single_one_per_row():
    result = one_hot(np.array([2, 0, 1]), num_classes=3)
    np.testing.assert_array_equal(result, [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    assert result.dtype == np.float32


@pytest.mark.parametrize("labels", [[0, 10], [0, -1], [-3, 2]], ids=["too-large", "minus-one", "negative"])
def test_one_hot_rejects_out_of_range_labels(labels):
    # 负数标签不报错的话，result[i, -1] = 1 会悄悄把它当成最后一个类别
    with pytest.raises(ValueError, match="0..9"):
        one_hot(np.array(labels), num_classes=10)


def test_smooth_curve_keeps_length_and_reduces_noise():
    rng = np.random.default_rng(0)
    noisy = np.linspace(2, 0, 200) + 0.3 * rng.standard_normal(200)
    smooth = smooth_curve(noisy)
    assert smooth.shape == noisy.shape
    assert np.std(np.diff(smooth)) < 0.3 * np.std(np.diff(noisy))
    np.testing.assert_allclose(smooth_curve(np.full(50, 3.0)), 3.0)  # 常数序列不变
    assert smooth_curve([1.0, 2.0, 3.0]).shape == (3,)  # 比窗口短的序列也可以
