"""ch06_pytorch_base 的测试：自动求导与第 3 章手写反向传播一致，线性回归的三种写法一致且可复现。

章节脚本的文件名以数字开头，不能用 import 语句导入，这里按文件路径导入（脚本的工作都在 main() 里，导入时不会运行）。
"""

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from common.divergence import DivergenceGuard, TrainingDivergedError
from common.chapters import load
from tests.in_process import run_script

autograd_vs_backprop = load("ch06_pytorch_base/10_autograd_vs_backprop.py")
linear_regression = load("ch06_pytorch_base/9_linear_regression.py")
TwoLayerNet = load("ch04_backward/two_layer_net.py").TwoLayerNet


def small_network_and_batch(seed=0, batch_size=6, input_size=8, hidden_size=5, classes=4):
    """一个 float64 的小 TwoLayerNet 和一个随机批（多于 1 个样本：ReLU 后的梯度才不会大多恒为 0）。"""
    np.random.seed(seed)
    network = TwoLayerNet(input_size, hidden_size, classes, dtype=np.float64)
    network.params["b1"][:] = np.random.randn(hidden_size)  # 偏置不为 0，b 的梯度公式也被检查到
    network.params["b2"][:] = np.random.randn(classes)
    x = np.random.randn(batch_size, input_size)
    t = np.random.randint(0, classes, size=batch_size)
    return network, x, t


# ---------------------------------------------------------------- 10_autograd_vs_backprop.py

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_autograd_gradients_equal_numpy_backprop(seed):
    network, x, t = small_network_and_batch(seed)
    result = autograd_vs_backprop.compare_gradients(network, x, t)
    # float64 下两边做同样的运算，只差求和顺序：差异是 1e-16 量级的舍入，1e-10 留足余量
    assert result["max_rel_diff"] < autograd_vs_backprop.RELATIVE_TOLERANCE
    assert result["autograd_loss"] == pytest.approx(result["backprop_loss"], rel=1e-12)
    assert set(result["params"]) == {"W1", "b1", "W2", "b2"}


def test_comparison_catches_a_wrong_forward_pass(monkeypatch):
    """对照不是摆设：把 ReLU 换成 sigmoid，梯度就对不上了。"""
    network, x, t = small_network_and_batch()

    def wrong_predict(params, x):
        return torch.sigmoid(x @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]

    monkeypatch.setattr(autograd_vs_backprop, "predict", wrong_predict)
    assert autograd_vs_backprop.compare_gradients(network, x, t)["max_rel_diff"] > 1e-3


def test_cross_entropy_matches_torch_and_survives_large_logits():
    torch.manual_seed(0)
    logits = torch.randn(7, 10, dtype=torch.float64) * 3
    labels = torch.randint(0, 10, (7,))
    expected = torch.nn.functional.cross_entropy(logits, labels)
    assert autograd_vs_backprop.cross_entropy(logits, labels).item() == pytest.approx(expected.item(), rel=1e-12)
    huge = autograd_vs_backprop.cross_entropy(logits + 1000, labels)  # 加同一个常数，softmax 不变
    assert huge.item() == pytest.approx(expected.item(), rel=1e-9)


def test_params_to_tensors_copies_and_keeps_dtype():
    network, _, _ = small_network_and_batch()
    params = autograd_vs_backprop.params_to_tensors(network.params)
    assert all(p.is_leaf and p.requires_grad and p.dtype == torch.float64 for p in params.values())
    params["W1"].data.add_(1.0)  # 改张量不影响 NumPy 的参数：是复制，不是共享
    assert not np.allclose(params["W1"].detach().numpy(), network.params["W1"])


# ---------------------------------------------------------------- 9_linear_regression.py

@pytest.fixture(scope="module")
def house_data():
    x_train, x_test, y_train, y_test, n_removed = linear_regression.load_area_and_log_price(seed=42)
    mean, std = x_train.mean(), x_train.std()
    return linear_regression.standardize(x_train, mean, std), y_train, n_removed, len(x_test)


def test_house_data_has_the_documented_split(house_data):
    z_train, y_train, n_removed, n_test = house_data
    assert n_removed == 4  # 面积超过 4,000 平方英尺的 4 套
    assert len(z_train) + n_test == 1456 and n_test == int(1456 * linear_regression.TEST_FRACTION)
    assert z_train.shape == (len(z_train), 1) and z_train.dtype == torch.float32
    assert abs(z_train.mean().item()) < 1e-5 and z_train.std().item() == pytest.approx(1.0, rel=1e-5)


def test_closed_form_matches_numpy_polyfit(house_data):
    z_train, y_train, _, _ = house_data
    w, b = linear_regression.fit_closed_form(z_train, y_train)
    slope, intercept = np.polyfit(z_train.squeeze(1).double().numpy(), y_train.squeeze(1).double().numpy(), deg=1)
    assert (w, b) == pytest.approx((slope, intercept), abs=1e-9)


@pytest.mark.slow  # 100 轮小批量 SGD：2 核 CPU 上 1.5～2.7 秒，贴着快速测试的 2 秒上限
def test_three_ways_agree_on_the_house_data(house_data):
    z_train, y_train, _, _ = house_data
    w_ref, b_ref = linear_regression.fit_closed_form(z_train, y_train)
    w_gd, b_gd, gd_losses = linear_regression.fit_autograd(z_train, y_train, lr=0.1, steps=200)
    w_sgd, b_sgd, sgd_losses = linear_regression.fit_nn_linear(z_train, y_train, lr=0.01, epochs=100,
                                                               batch_size=64, seed=42)
    # 容差的理由写在脚本里：全批量梯度下降只剩 float32 舍入，小批量 SGD 在最优点附近抖动
    assert max(abs(w_gd - w_ref), abs(b_gd - b_ref)) < linear_regression.GD_TOLERANCE
    assert max(abs(w_sgd - w_ref), abs(b_sgd - b_ref)) < linear_regression.SGD_TOLERANCE
    assert gd_losses[-1] < gd_losses[0] / 100 and sgd_losses[-1] < sgd_losses[0] / 100


def test_gradient_descent_recovers_a_known_line():
    x = torch.linspace(-2, 2, 50).unsqueeze(1)
    y = 2.5 * x - 0.7  # 没有噪声：最优解就是真实参数
    assert linear_regression.fit_closed_form(x, y) == pytest.approx((2.5, -0.7), abs=1e-6)
    w, b, _ = linear_regression.fit_autograd(x, y, lr=0.1, steps=300)
    assert (w, b) == pytest.approx((2.5, -0.7), abs=1e-4)


def test_nn_linear_fit_is_reproducible_with_the_same_seed(house_data):
    z_train, y_train, _, _ = house_data
    first = linear_regression.fit_nn_linear(z_train, y_train, lr=0.01, epochs=3, batch_size=64, seed=7)
    second = linear_regression.fit_nn_linear(z_train, y_train, lr=0.01, epochs=3, batch_size=64, seed=7)
    other = linear_regression.fit_nn_linear(z_train, y_train, lr=0.01, epochs=3, batch_size=64, seed=8)
    assert first == second
    assert first[:2] != other[:2]


def test_diverging_regression_stops_with_a_clear_error(house_data):
    z_train, y_train, _, _ = house_data
    with pytest.raises(TrainingDivergedError, match="学习率"):
        linear_regression.fit_autograd(z_train, y_train, lr=5.0, steps=500)


def _results(gd_diff, sgd_diff):
    return {"张量 + 自动求导": {"max_param_diff": gd_diff}, "nn.Linear + SGD": {"max_param_diff": sgd_diff}}


def test_quick_mode_makes_no_false_agreement_claim():
    """快速模式：差 12 时不能打印“三种写法一致（… 1.2e+01 ≤ 1e-04）”，而要说明没有检查。"""
    message, failures = linear_regression.agreement_report(_results(12.0, 0.3), quick=True)
    assert "没有检查" in message and "一致（" not in message and "≤" not in message and failures == []
    message, failures = linear_regression.agreement_report(_results(2e-6, 2e-3), quick=False)
    assert message.startswith("三种写法一致") and failures == []
    _, failures = linear_regression.agreement_report(_results(12.0, 2e-3), quick=False)
    assert len(failures) == 1 and "超过容差" in failures[0]


# ---------------------------------------------------------------- 发散

def test_tensor_only_training_stops_when_the_loss_explodes_but_stays_finite():
    """--lr 1e6：损失很快涨到开始时的成百上千倍（仍是有限的数），train 必须停下而不是“训练完成”。"""
    torch.manual_seed(0)
    network, _, _ = small_network_and_batch(input_size=784, hidden_size=20, classes=10, batch_size=2)
    params = autograd_vs_backprop.params_to_tensors({k: v.astype(np.float32) for k, v in network.params.items()})
    x, y = torch.rand(200, 784), torch.randint(0, 10, (200,))
    loader = DataLoader(TensorDataset(x, y), batch_size=20)
    optimizer = torch.optim.SGD(params.values(), lr=1e6, momentum=0.9)
    with pytest.raises(TrainingDivergedError, match="学习率"):
        autograd_vs_backprop.train(params, "cpu", loader, optimizer, 1, DivergenceGuard(), [])


def test_tensor_only_train_and_test_return_loss_and_accuracy():
    network, _, _ = small_network_and_batch(input_size=784, hidden_size=20, classes=10, batch_size=2)
    params = autograd_vs_backprop.params_to_tensors({k: v.astype(np.float32) for k, v in network.params.items()})
    torch.manual_seed(0)
    x, y = torch.rand(100, 784), torch.randint(0, 10, (100,))
    loader = DataLoader(TensorDataset(x, y), batch_size=25)
    optimizer = torch.optim.SGD(params.values(), lr=0.01)
    losses = []
    loss, accuracy = autograd_vs_backprop.train(params, "cpu", loader, optimizer, 1, DivergenceGuard(), losses)
    assert len(losses) == 4 and loss == pytest.approx(np.mean(losses)) and 0 <= accuracy <= 1
    test_loss, test_accuracy = autograd_vs_backprop.test(params, "cpu", loader)
    assert np.isfinite(test_loss) and 0 <= test_accuracy <= 1


def test_autograd_script_with_huge_lr_exits_nonzero_with_one_clear_line(tmp_path, monkeypatch, capsys):
    """整个脚本（快速模式、本进程内，经 common.cli.run）：学习率大到发散时一行说明、退出码 1、不写结果。"""
    monkeypatch.setenv("DL_OUTPUT_DIR", str(tmp_path))
    finished = run_script("ch06_pytorch_base/10_autograd_vs_backprop.py", "--lr", "1e6",
                          monkeypatch=monkeypatch, capsys=capsys)
    assert finished.code == 1, finished
    assert "训练发散了" in finished.last_error_line and finished.last_error_line.startswith("错误：")
    assert not (tmp_path / "ch06_pytorch_base/10_autograd_vs_backprop.json").exists()
