"""common.layers 的 Convolution / Pooling 与 common.util.conv_output_size 在“除不尽”尺寸上的行为。

规则与 torch 相同：out = floor((H + 2*pad - FH) / stride) + 1，最后一个窗口够不到的行/列梯度为 0。
参照实现是 torch 本身（独立的实现，不是把我们的公式再写一遍），正向和反向都比较。
用 float64 计算，两边只差浮点舍入，所以容差取 1e-10。
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from common.layers import Convolution, Pooling
from common.util import col2im, conv_output_size, im2col

TOL = 1e-10  # float64 下两种实现的差别只来自求和顺序

# (H, W, FH, FW, stride, pad)：每组都有一个方向除不尽
NON_TILING_SHAPES = [
    (8, 8, 3, 3, 2, 1),    # ResNet 式降采样：8×8 → 4×4
    (7, 9, 2, 4, 3, 0),    # 长方形卷积核，步幅 3
    (10, 11, 5, 3, 2, 2),  # 大 pad，宽高不同
    (6, 5, 4, 4, 3, 1),
    (9, 9, 3, 3, 4, 0),    # 步幅大于卷积核：有的行/列根本不被任何窗口覆盖
]


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def test_conv_output_size_uses_the_floor_rule_like_torch():
    assert conv_output_size(8, 3, stride=2, pad=1) == 4  # issue 里的例子：与 nn.Conv2d 相同
    for h, _, fh, _, stride, pad in NON_TILING_SHAPES:
        x = torch.zeros(1, 1, h, h)
        expected = F.conv2d(x, torch.zeros(1, 1, fh, fh), stride=stride, padding=pad).shape[-1]
        assert conv_output_size(h, fh, stride, pad) == expected


def test_conv_output_size_still_rejects_a_filter_larger_than_the_padded_input():
    with pytest.raises(ValueError, match="卷积核大小 5"):
        conv_output_size(3, 5)
    with pytest.raises(ValueError, match="stride"):
        conv_output_size(8, 3, stride=0)


@pytest.mark.parametrize("shape", NON_TILING_SHAPES)
def test_convolution_matches_torch_forward_and_backward_on_non_tiling_shapes(shape, rng):
    h, w, fh, fw, stride, pad = shape
    x = rng.standard_normal((2, 3, h, w))
    W = rng.standard_normal((4, 3, fh, fw))
    b = rng.standard_normal(4)
    layer = Convolution(W, b, stride=stride, pad=pad)
    out = layer.forward(x)

    xt = torch.tensor(x, requires_grad=True)
    Wt = torch.tensor(W, requires_grad=True)
    bt = torch.tensor(b, requires_grad=True)
    out_t = F.conv2d(xt, Wt, bt, stride=stride, padding=pad)
    assert out.shape == tuple(out_t.shape)
    np.testing.assert_allclose(out, out_t.detach().numpy(), atol=TOL)

    upstream = rng.standard_normal(out.shape)
    out_t.backward(torch.tensor(upstream))
    dx = layer.backward(upstream)
    np.testing.assert_allclose(dx, xt.grad.numpy(), atol=TOL)
    np.testing.assert_allclose(layer.dW, Wt.grad.numpy(), atol=TOL)
    np.testing.assert_allclose(layer.db, bt.grad.numpy(), atol=TOL)


@pytest.mark.parametrize("shape", NON_TILING_SHAPES)
def test_pooling_matches_torch_forward_and_backward_on_non_tiling_shapes(shape, rng):
    h, w, ph, pw, stride, pad = shape
    pad = min(pad, ph // 2, pw // 2)  # torch 要求 pad 不超过池化窗口的一半
    x = rng.standard_normal((2, 3, h, w))
    layer = Pooling(ph, pw, stride=stride, pad=pad)
    out = layer.forward(x)

    xt = torch.tensor(x, requires_grad=True)
    out_t = F.max_pool2d(xt, (ph, pw), stride=stride, padding=pad)
    assert out.shape == tuple(out_t.shape)
    np.testing.assert_array_equal(out, out_t.detach().numpy())  # 取最大值不涉及舍入

    upstream = rng.standard_normal(out.shape)
    out_t.backward(torch.tensor(upstream))
    np.testing.assert_allclose(layer.backward(upstream), xt.grad.numpy(), atol=TOL)


def test_rows_and_columns_the_last_window_misses_get_zero_gradient(rng):
    # 9×9 输入、3×3 卷积核、步幅 4：窗口覆盖第 0–2 行和第 4–6 行，第 3、7、8 行/列一个窗口也不碰
    x = rng.standard_normal((1, 2, 9, 9))
    layer = Convolution(rng.standard_normal((3, 2, 3, 3)), np.zeros(3), stride=4, pad=0)
    out = layer.forward(x)
    assert out.shape == (1, 3, 2, 2)
    dx = layer.backward(np.ones_like(out))
    missed = [3, 7, 8]
    assert np.all(dx[:, :, missed, :] == 0) and np.all(dx[:, :, :, missed] == 0)
    assert np.all(dx[:, :, :3, :3] != 0)  # 被覆盖的位置确实收到了梯度

    pool = Pooling(3, 3, stride=4)
    pooled = pool.forward(x)
    dpool = pool.backward(np.ones_like(pooled))
    assert np.all(dpool[:, :, missed, :] == 0) and np.all(dpool[:, :, :, missed] == 0)
    assert dpool.sum() == pooled.size  # 每个窗口的梯度恰好流向一个位置


@pytest.mark.parametrize("shape", NON_TILING_SHAPES)
def test_col2im_is_the_adjoint_of_im2col_on_non_tiling_shapes(shape, rng):
    """<im2col(x), c> == <x, col2im(c)>：除不尽时也成立，没被覆盖的像素两边都贡献 0。"""
    h, w, fh, fw, stride, pad = shape
    x = rng.standard_normal((2, 3, h, w))
    col = im2col(x, fh, fw, stride, pad)
    other = rng.standard_normal(col.shape)
    left = np.sum(col * other)
    right = np.sum(x * col2im(other, x.shape, fh, fw, stride, pad))
    assert left == pytest.approx(right, rel=1e-12)
