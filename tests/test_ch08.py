"""第 8 章（ch08_cnn）的测试：SimpleConvNet 的梯度、Fashion 模型的形状与数据增强、DDP 两进程训练。

脚本本身在快速模式下的冒烟运行由 tests/test_scripts.py 负责；这里检验它们依赖的行为。
"""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from common.paths import REPO_ROOT
from tests.chapter_files import import_chapter_file




simple_conv_net = import_chapter_file("ch08_cnn/simple_conv_net.py", "ch08_simple_conv_net")
fashion_cnn = import_chapter_file("ch08_cnn/fashion_cnn.py", "ch08_fashion_cnn")


def test_simple_conv_net_backprop_matches_numerical_gradient():
    # float64、小输入：中心差分的误差约 1e-8 量级，1e-6 的容差足以发现写错的反向传播
    np.random.seed(0)
    net = simple_conv_net.SimpleConvNet(input_dim=(1, 10, 10), filter_num=3, filter_size=3, hidden_size=8,
                                        dtype=np.float64)
    x = np.random.default_rng(1).standard_normal((3, 1, 10, 10))
    t = np.array([1, 7, 3])
    backprop = net.gradient(x, t)
    numerical = net.numerical_gradient(x, t)
    for key in net.params:
        assert backprop[key].shape == net.params[key].shape
        np.testing.assert_allclose(backprop[key], numerical[key], atol=1e-6, err_msg=key)
    assert np.abs(backprop["W1"]).max() > 1e-3  # 梯度确实不全为 0（否则比较没有意义）


def test_simple_conv_net_matches_the_same_network_in_torch():
    """同样的权重，NumPy 网络与 torch 搭的同一网络给出相同的损失和梯度（独立的参照实现）。"""
    np.random.seed(0)
    net = simple_conv_net.SimpleConvNet(dtype=np.float64)
    x = np.random.default_rng(2).random((4, 1, 28, 28))
    t = np.array([0, 3, 9, 3])
    grads = net.gradient(x, t)

    params = {k: torch.tensor(v, requires_grad=True) for k, v in net.params.items()}
    h = torch.relu(torch.nn.functional.conv2d(torch.tensor(x), params["W1"], params["b1"]))
    h = torch.nn.functional.max_pool2d(h, 2, stride=2).flatten(1)
    h = torch.relu(h @ params["W2"] + params["b2"])
    loss = torch.nn.functional.cross_entropy(h @ params["W3"] + params["b3"], torch.tensor(t))
    loss.backward()
    assert net.last_layer.loss == pytest.approx(loss.item(), rel=1e-10)
    for key in params:
        np.testing.assert_allclose(grads[key], params[key].grad.numpy(), atol=1e-10, err_msg=key)


def test_simple_conv_net_has_the_books_shapes():
    net = simple_conv_net.SimpleConvNet()
    shapes = {k: v.shape for k, v in net.params.items()}
    assert shapes == {"W1": (30, 1, 5, 5), "b1": (30,), "W2": (30 * 12 * 12, 100), "b2": (100,),
                      "W3": (100, 10), "b3": (10,)}
    assert all(v.dtype == np.float32 for v in net.params.values())


def test_fashion_cnn_output_shape_and_parameter_count():
    model = fashion_cnn.FashionCNN()
    assert model(torch.zeros(5, 1, 28, 28)).shape == (5, 10)
    # 卷积（无偏置）+ BN 的 γ、β + 两个全连接层，逐项相加
    convs = 9 * (1 * 32 + 32 * 32 + 32 * 64 + 64 * 64 + 64 * 128)
    batch_norms = 2 * (32 + 32 + 64 + 64 + 128)
    dense = (1152 * 256 + 256) + (256 * 10 + 10)
    assert sum(p.numel() for p in model.parameters()) == convs + batch_norms + dense


def test_augment_flips_and_shifts_each_image_independently():
    generator = torch.Generator().manual_seed(0)
    x = torch.arange(2 * 28 * 28, dtype=torch.float32).reshape(2, 1, 28, 28).repeat(50, 1, 1, 1)
    out = fashion_cnn.augment(x, max_shift=2, generator=generator)
    assert out.shape == x.shape
    assert not torch.equal(out, x)
    # 不修改输入；每张图的结果都是原图（可能翻转后）平移 -2..2 像素得到的
    assert torch.equal(x, torch.arange(2 * 28 * 28, dtype=torch.float32).reshape(2, 1, 28, 28).repeat(50, 1, 1, 1))
    background = x.amin()
    offsets = set()
    for original, result in zip(x, out):
        matches = []
        for flipped in (original, original.flip(2)):
            padded = torch.nn.functional.pad(flipped, (2, 2, 2, 2), value=float(background))
            for dy in range(5):
                for dx in range(5):
                    if torch.equal(padded[:, dy:dy + 28, dx:dx + 28], result):
                        matches.append((dy, dx))
        assert matches, "增强后的图像应是原图（或其镜像）平移后的结果"
        offsets.add(matches[0])
    assert len(offsets) > 5  # 不同的图用了不同的偏移量


def test_ddp_two_processes_see_different_data_and_end_with_identical_models(tmp_path):
    """用 2 个 CPU 进程（gloo）在快速模式下跑 6_fashion_ddp.py。"""
    env = dict(os.environ, DL_QUICK="1", MPLBACKEND="Agg", DL_OUTPUT_DIR=str(tmp_path),
               PYTHONIOENCODING="utf-8", OMP_NUM_THREADS="1")
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
               str(REPO_ROOT / "ch08_cnn" / "6_fashion_ddp.py"), "--device", "cpu"]
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, encoding="utf-8",
                            timeout=600)
    log = f"--- stdout ---\n{result.stdout[-4000:]}\n--- stderr ---\n{result.stderr[-4000:]}"
    assert result.returncode == 0, log
    assert "完成：2 个进程" in result.stdout, log

    record = json.loads((tmp_path / "ch08_cnn" / "6_fashion_ddp.json").read_text(encoding="utf-8"))
    assert record["world_size"] == 2 and record["backend"] == "gloo"
    ranks = sorted(record["ranks"], key=lambda r: r["rank"])
    assert [r["rank"] for r in ranks] == [0, 1]
    first, second = (set(r["first_epoch_indices"]) for r in ranks)
    n_train = record["settings"]["n_train"]
    # 两个进程各看一半，互不重叠，合起来恰好是整个训练集（n_train 为偶数时没有补齐的样本）
    assert n_train % 2 == 0
    assert len(first) == len(second) == n_train // 2
    assert not first & second
    assert first | second == set(range(n_train))
    # 每步都平均了梯度，所以两个进程的参数逐位相同
    assert ranks[0]["param_sha256"] == ranks[1]["param_sha256"]
    assert (tmp_path / "ch08_cnn" / "fashion_cnn_ddp.pt").exists()
