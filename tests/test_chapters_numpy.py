"""NumPy 章节（ch02～ch04）代码的测试：随附的预训练权重、两个 TwoLayerNet 的梯度、权重训练脚本。

章节文件夹不是包，辅助模块（two_layer_net.py 等）在两个章节里同名，
所以这里按文件路径以不同的模块名导入它们。
"""
import hashlib
import os
import pickle
import shutil
import subprocess
import sys

import numpy as np
import pytest

from common import load_data
from common.load_data import CHECKSUMS, CorruptedDataError, get_data, load_nn_sample
from common.paths import REPO_ROOT
from common.chapters import load




sample_network = load("ch02_nn_base/sample_network.py")
ch03_net = load("ch03_train/two_layer_net.py")
ch04_net = load("ch04_backward/two_layer_net.py")


def relative_error(a, b):
    """||a - b|| / (||a|| + ||b||)：与梯度整体大小无关的相对误差。"""
    return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))


def small_batch(rng, batch_size=6, input_size=8, classes=4):
    """一个小的 float64 随机批（不是 1 个样本：那样很多梯度恒为 0，比较不出问题）。"""
    x = rng.standard_normal((batch_size, input_size))
    t = rng.integers(0, classes, size=batch_size)
    return x, t


# ---------------------------------------------------------------- 随附的预训练权重 data/nn_sample

def test_nn_sample_is_registered_and_matches_its_checksum():
    path = load_data.DATA_DIR / "nn_sample"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == CHECKSUMS["nn_sample"]


def test_nn_sample_has_the_documented_shapes_and_float32():
    network = load_nn_sample()
    shapes = {"W1": (784, 50), "b1": (50,), "W2": (50, 100), "b2": (100,), "W3": (100, 10), "b3": (10,)}
    assert {key: value.shape for key, value in network.items()} == shapes
    assert all(value.dtype == np.float32 for value in network.values())


def test_nn_sample_scores_at_least_0_95_on_the_full_test_set():
    # 书中随附的权重为 0.9352；我们训练的权重为 0.9719（data/README.md），0.95 留出余量
    _, x_test, _, t_test = get_data("mnist", n_train=1)
    predictions = np.argmax(sample_network.predict(load_nn_sample(), x_test), axis=1)
    assert len(x_test) == 10000
    assert np.mean(predictions == t_test) >= 0.95


def test_nn_sample_predict_gives_the_same_class_for_one_image_and_for_a_batch():
    network = load_nn_sample()
    _, x_test, _, _ = get_data("mnist", n_train=1, n_test=20)
    batch = sample_network.predict(network, x_test)
    single = np.array([sample_network.predict(network, image) for image in x_test])
    assert batch.shape == (20, 10) and single.shape == (20, 10)
    np.testing.assert_allclose(batch.sum(axis=1), 1, rtol=1e-5)  # float32 的 10 项求和，舍入误差约 1e-7
    np.testing.assert_array_equal(batch.argmax(axis=1), single.argmax(axis=1))


@pytest.fixture
def data_dir_copy(tmp_path, monkeypatch):
    """把 nn_sample 复制到临时 data 目录，让加载器指向它（不碰仓库里的 data/）。"""
    shutil.copyfile(load_data.DATA_DIR / "nn_sample", tmp_path / "nn_sample")
    monkeypatch.setattr(load_data, "DATA_DIR", tmp_path)
    monkeypatch.setattr(load_data, "_verified", {})
    return tmp_path


class _TouchOnUnpickle:
    """反序列化时会创建一个文件的对象：用来证明被替换的文件根本没有被反序列化。"""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (self.marker.touch, ())


def test_load_nn_sample_checks_the_checksum_before_unpickling(data_dir_copy):
    marker = data_dir_copy / "code_was_executed"
    (data_dir_copy / "nn_sample").write_bytes(pickle.dumps(_TouchOnUnpickle(marker)))
    with pytest.raises(CorruptedDataError, match="nn_sample"):
        load_nn_sample()
    assert not marker.exists()


def test_load_nn_sample_says_how_to_restore_a_missing_file(data_dir_copy):
    (data_dir_copy / "nn_sample").unlink()
    with pytest.raises(FileNotFoundError, match="git checkout -- data/nn_sample"):
        load_nn_sample()


# ---------------------------------------------------------------- ch03 的 TwoLayerNet（数值梯度）

def test_ch03_numerical_gradient_matches_the_backprop_formula():
    np.random.seed(0)
    rng = np.random.default_rng(0)
    net = ch03_net.TwoLayerNet(input_size=8, hidden_size=5, output_size=4, weight_init_std=0.5)
    x, t = small_batch(rng)
    numerical = net.numerical_gradient(x, t)
    exact = net.gradient(x, t)
    for key in net.params:
        assert numerical[key].shape == net.params[key].shape
        # cross_entropy 在 log 里加了 1e-7（防止 log 0），它对梯度的影响约为 1e-7 / 概率 ≈ 1e-6，
        # 中心差分的截断误差约 1e-8；所以取 1e-5
        assert relative_error(numerical[key], exact[key]) < 1e-5, key


def test_ch03_numerical_gradient_leaves_the_parameters_unchanged():
    np.random.seed(0)
    net = ch03_net.TwoLayerNet(input_size=8, hidden_size=5, output_size=4)
    before = {key: value.copy() for key, value in net.params.items()}
    net.numerical_gradient(*small_batch(np.random.default_rng(1)))
    for key in net.params:
        np.testing.assert_array_equal(net.params[key], before[key])


# ---------------------------------------------------------------- ch04 的 TwoLayerNet（反向传播）

def test_ch04_backprop_gradient_matches_its_numerical_gradient():
    np.random.seed(0)
    net = ch04_net.TwoLayerNet(input_size=8, hidden_size=5, output_size=4, dtype=np.float64)
    x, t = small_batch(np.random.default_rng(0))
    backprop = net.gradient(x, t)
    numerical = net.numerical_gradient(x, t)
    for key in net.params:
        assert np.count_nonzero(backprop[key]) > 0, key  # 全为 0 的梯度比较不出问题
        # SoftmaxWithLoss 直接由 log_softmax 计算、没有 1e-7 的保护项，剩下的只有中心差分的
        # 截断误差（约 h^2 = 1e-8）与舍入误差，所以取 1e-6
        assert relative_error(backprop[key], numerical[key]) < 1e-6, key


def test_ch04_float32_network_keeps_float32_everywhere():
    np.random.seed(0)
    net = ch04_net.TwoLayerNet(input_size=8, hidden_size=5, output_size=4)
    x, t = small_batch(np.random.default_rng(0))
    grads = net.gradient(x.astype(np.float32), t)
    assert all(value.dtype == np.float32 for value in net.params.values())
    assert all(grads[key].dtype == np.float32 and grads[key].shape == net.params[key].shape for key in net.params)


def test_ch04_accuracy_accepts_integer_and_one_hot_labels():
    np.random.seed(0)
    net = ch04_net.TwoLayerNet(input_size=8, hidden_size=5, output_size=4, dtype=np.float64)
    x, t = small_batch(np.random.default_rng(2), batch_size=50)
    assert net.accuracy(x, t) == net.accuracy(x, np.eye(4)[t])


# ---------------------------------------------------------------- 权重训练脚本不会悄悄覆盖 data/

def _run_train_nn_sample(tmp_path, *args):
    env = dict(os.environ, DL_QUICK="1", MPLBACKEND="Agg", DL_OUTPUT_DIR=str(tmp_path / "output"),
               PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, str(REPO_ROOT / "ch02_nn_base" / "train_nn_sample.py"), *args],
                          cwd=tmp_path, env=env, capture_output=True, text=True, encoding="utf-8", timeout=300)


@pytest.mark.slow
def test_train_nn_sample_writes_to_output_and_leaves_data_alone(tmp_path):
    shipped = (load_data.DATA_DIR / "nn_sample").read_bytes()
    result = _run_train_nn_sample(tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    written = tmp_path / "output" / "ch02_nn_base" / "nn_sample"
    assert written.is_file()
    assert hashlib.sha256(written.read_bytes()).hexdigest() in result.stdout
    assert (load_data.DATA_DIR / "nn_sample").read_bytes() == shipped


@pytest.mark.slow
def test_train_nn_sample_refuses_to_install_quick_mode_weights(tmp_path):
    shipped = (load_data.DATA_DIR / "nn_sample").read_bytes()
    result = _run_train_nn_sample(tmp_path, "--install")
    assert result.returncode != 0 and "--install" in result.stderr
    assert (load_data.DATA_DIR / "nn_sample").read_bytes() == shipped
