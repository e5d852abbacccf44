"""第 7 章（ch07_pytorch_dl）：torch 的损失、优化器与 common/ 的 NumPy 版本逐项相等；房价预处理不泄漏、不出错。

参照实现是独立的：torch.nn 的损失和 torch.optim 的优化器，对照 common.functions、common.layers、common.optimizer。
全部在 float64 下比较，容差见各测试的说明。
"""

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from common import optimizer as numpy_optim
from common.functions import mean_absolute_error, mean_squared_error, smooth_l1, softplus
from common.layers import SoftmaxWithLoss
from common.paths import REPO_ROOT
from tests.chapter_files import import_chapter_file

CHAPTER = REPO_ROOT / "ch07_pytorch_dl"
# float64 下两边是同一个公式、只是运算顺序不同，差别在 1e-15 量级；1e-10 远大于它，又远小于公式写错造成的差别
RTOL, ATOL = 1e-10, 1e-12


def load_script(relative):
    """按路径导入章节里的脚本（文件名以数字开头，不能直接 import）；脚本的主体在 main() 里，导入时不会运行。"""
    path = CHAPTER / relative
    return import_chapter_file(path.relative_to(REPO_ROOT), "ch07_" + path.stem.lstrip("0123456789_"))


# ---------------------------------------------------------------- 损失函数

@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_loss_script_comparisons_hold_on_new_inputs(seed):
    """4_loss_test.py 里的 19 项比较，在 5 组随机输入上都成立（比较函数内部断言，容差在该脚本的说明里）。"""
    rows = load_script("loss_functions/4_loss_test.py").compare_losses(seed)
    assert len(rows) == 19


@pytest.mark.parametrize("beta", [0.3, 1.0, 3.0])
def test_regression_losses_and_gradients_match_common(beta):
    rng = np.random.default_rng(7)
    y, t = rng.normal(size=(20, 4)) * 2, rng.normal(size=(20, 4)) * 2
    pairs = [(nn.MSELoss(), mean_squared_error(y, t)), (nn.L1Loss(), mean_absolute_error(y, t)),
             (nn.SmoothL1Loss(beta=beta), smooth_l1(y, t, beta=beta)),
             (nn.HuberLoss(delta=beta), beta * smooth_l1(y, t, beta=beta))]
    for loss_fn, expected in pairs:
        assert loss_fn(torch.from_numpy(y), torch.from_numpy(t)).item() == pytest.approx(expected, rel=1e-12)
    # MSE 的梯度 2(y - t)/n：autograd 与公式
    y_tensor = torch.from_numpy(y).requires_grad_(True)
    nn.MSELoss()(y_tensor, torch.from_numpy(t)).backward()
    np.testing.assert_allclose(y_tensor.grad.numpy(), 2 * (y - t) / y.size, rtol=1e-12)


def test_cross_entropy_value_and_gradient_match_softmax_with_loss():
    rng = np.random.default_rng(3)
    logits, labels = rng.normal(size=(32, 10)) * 4, rng.integers(0, 10, size=32)
    x = torch.from_numpy(logits).requires_grad_(True)
    loss = nn.CrossEntropyLoss()(x, torch.from_numpy(labels))
    loss.backward()
    layer = SoftmaxWithLoss()
    assert loss.item() == pytest.approx(layer.forward(logits, labels), rel=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), layer.backward(), rtol=1e-10, atol=1e-15)


def test_bce_with_logits_is_softplus_form_and_stays_finite_where_bce_saturates():
    z = np.array([-50.0, -3.0, 0.0, 2.0, 40.0])
    t = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
    expected = float(np.mean(softplus(z) - t * z))
    assert nn.BCEWithLogitsLoss()(torch.from_numpy(z), torch.from_numpy(t)).item() == pytest.approx(expected, rel=1e-12)
    # float32 中 sigmoid(200) == 1：BCELoss 把 log 截断在 -100，BCEWithLogitsLoss 给出正确的 200
    z32 = torch.tensor([200.0])
    assert nn.BCELoss()(torch.sigmoid(z32), torch.zeros(1)).item() == 100.0
    assert nn.BCEWithLogitsLoss()(z32, torch.zeros(1)).item() == 200.0


# ---------------------------------------------------------------- 优化器

OPTIMIZER_PAIRS = {
    # 名称：(common.optimizer 的实例, torch.optim 的类, torch 的参数)；eps 都设成相同的值
    "SGD": (lambda: numpy_optim.SGD(lr=0.1), torch.optim.SGD, {"lr": 0.1}),
    "Momentum": (lambda: numpy_optim.Momentum(lr=0.1, momentum=0.9), torch.optim.SGD, {"lr": 0.1, "momentum": 0.9}),
    "Nesterov": (lambda: numpy_optim.Nesterov(lr=0.1, momentum=0.9), torch.optim.SGD,
                 {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    "AdaGrad": (lambda: numpy_optim.AdaGrad(lr=0.5, eps=1e-7), torch.optim.Adagrad, {"lr": 0.5, "eps": 1e-7}),
    "RMSprop": (lambda: numpy_optim.RMSprop(lr=0.01, decay_rate=0.9, eps=1e-7), torch.optim.RMSprop,
                {"lr": 0.01, "alpha": 0.9, "eps": 1e-7}),
    "Adam": (lambda: numpy_optim.Adam(lr=0.05, beta1=0.8, beta2=0.99, eps=1e-8), torch.optim.Adam,
             {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-8}),
}


@pytest.mark.parametrize("name", list(OPTIMIZER_PAIRS))
def test_torch_optimizer_matches_common_step_by_step(name):
    make_numpy, torch_class, kwargs = OPTIMIZER_PAIRS[name]
    rng = np.random.default_rng(11)
    start = rng.normal(size=(3, 4))
    params = {"W": start.copy()}
    numpy_optimizer = make_numpy()
    w = torch.tensor(start, requires_grad=True)
    torch_optimizer = torch_class([w], **kwargs)
    for step in range(20):
        grad = rng.normal(size=start.shape) * (1 + step % 3)  # 梯度大小也在变
        numpy_optimizer.update(params, {"W": grad.copy()})
        w.grad = torch.from_numpy(grad.copy())
        torch_optimizer.step()
        np.testing.assert_allclose(w.detach().numpy(), params["W"], rtol=RTOL, atol=ATOL,
                                   err_msg=f"{name} 第 {step + 1} 步不一致")


def test_book_adam_equals_torch_once_eps_is_rescaled():
    """书中把偏差修正并进学习率；把 eps 换成 eps·sqrt(1 - β2^t) 后与 torch.optim.Adam 逐步相同。"""
    lr, beta1, beta2, eps = 0.01, 0.9, 0.999, 1e-8
    rng = np.random.default_rng(5)
    w_book = rng.normal(size=5)
    w = torch.tensor(w_book.copy(), requires_grad=True)
    optimizer = torch.optim.Adam([w], lr=lr, betas=(beta1, beta2), eps=eps)
    m, v = np.zeros(5), np.zeros(5)
    for t in range(1, 16):
        grad = rng.normal(size=5) * 1e-3  # 梯度很小时 eps 的位置才有影响，正好考验换算
        m += (1 - beta1) * (grad - m)
        v += (1 - beta2) * (grad ** 2 - v)
        lr_t = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
        w_book -= lr_t * m / (np.sqrt(v) + eps * np.sqrt(1 - beta2 ** t))
        w.grad = torch.from_numpy(grad.copy())
        optimizer.step()
        np.testing.assert_allclose(w.detach().numpy(), w_book, rtol=RTOL, atol=ATOL)


def test_momentum_lr_placement_differs_only_when_lr_changes():
    """torch 的速度 b 不含 lr，书的 v 含 lr：学习率不变时相同；中途改学习率后两者分开（这是约定上的真实差别）。"""
    rng = np.random.default_rng(0)
    params = {"W": np.zeros(3)}
    book = numpy_optim.Momentum(lr=0.1, momentum=0.9)
    w = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=0.1, momentum=0.9)
    grads = [rng.normal(size=3) for _ in range(6)]
    for step, grad in enumerate(grads):
        if step == 3:  # 学习率减半
            book.lr = 0.05
            optimizer.param_groups[0]["lr"] = 0.05
        book.update(params, {"W": grad.copy()})
        w.grad = torch.from_numpy(grad.copy())
        optimizer.step()
        if step < 3:
            np.testing.assert_allclose(w.detach().numpy(), params["W"], rtol=RTOL, atol=ATOL)
    assert not np.allclose(w.detach().numpy(), params["W"], rtol=1e-6)


@pytest.mark.parametrize("make_scheduler, formula", [
    (lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5), lambda e: 0.5 ** (e // 3)),
    (lambda o: torch.optim.lr_scheduler.MultiStepLR(o, milestones=[2, 5], gamma=0.1),
     lambda e: 0.1 ** sum(e >= m for m in (2, 5))),
    (lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.8), lambda e: 0.8 ** e),
], ids=["StepLR", "MultiStepLR", "ExponentialLR"])
def test_scheduler_follows_its_formula(make_scheduler, formula):
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    scheduler = make_scheduler(optimizer)
    for epoch in range(10):
        assert optimizer.param_groups[0]["lr"] == pytest.approx(formula(epoch), rel=1e-12)
        optimizer.step()
        scheduler.step()


# ---------------------------------------------------------------- 模型

def test_two_layer_net_shapes_parameters_and_he_init():
    TwoLayerNet = load_script("two_layer_net.py").TwoLayerNet
    torch.manual_seed(0)
    model = TwoLayerNet(784, 100, 10)
    assert sum(p.numel() for p in model.parameters()) == 79_510
    assert model(torch.zeros(5, 784)).shape == (5, 10)
    # He 初始值：标准差 sqrt(2/784)；78,400 个样本的标准差相对误差约 0.25%，容差 3%
    assert model.fc1.weight.std().item() == pytest.approx(np.sqrt(2 / 784), rel=0.03)
    assert torch.count_nonzero(model.fc1.bias) == 0


def test_named_sequential_loads_custom_module_state_dict_with_identical_outputs(tmp_path):
    from collections import OrderedDict

    TwoLayerNet = load_script("two_layer_net.py").TwoLayerNet
    torch.manual_seed(1)
    custom = TwoLayerNet()
    named = nn.Sequential(OrderedDict([("fc1", nn.Linear(784, 100)), ("relu", nn.ReLU()),
                                       ("fc2", nn.Linear(100, 10))]))
    named.load_state_dict(custom.state_dict())
    path = tmp_path / "model.pt"
    torch.save(named.state_dict(), path)
    restored = nn.Sequential(OrderedDict([("fc1", nn.Linear(784, 100)), ("relu", nn.ReLU()),
                                          ("fc2", nn.Linear(100, 10))]))
    restored.load_state_dict(torch.load(path, weights_only=True))
    x = torch.rand(8, 784)
    assert torch.equal(custom(x), named(x)) and torch.equal(custom(x), restored(x))


# ---------------------------------------------------------------- 房价预处理

def _toy_houses():
    return pd.DataFrame({
        "LotArea": [8000.0, 9000.0, np.nan, 120000.0, 7000.0, 8500.0],
        "GrLivArea": [1500, 1700, 1200, 2500, 1100, 1600],
        "Street": ["Pave", "Pave", "Grvl", "Pave", None, "Pave"],
    })


def test_house_preprocessor_uses_training_statistics_and_ignores_unseen_categories():
    Preprocessor = load_script("5_house_price.py").Preprocessor
    train = _toy_houses()
    prep = Preprocessor().fit(train)
    x_train = prep.transform(train)
    assert x_train.dtype == np.float32 and not np.isnan(x_train).any()
    # 训练部分标准化后均值为 0（统计量来自它自己）
    np.testing.assert_allclose(x_train[:, :2].mean(axis=0), 0, atol=1e-6)
    # 新数据：没见过的类别 → 所有 one-hot 列为 0；缺失的数值 → 训练部分的中位数
    new = pd.DataFrame({"LotArea": [np.nan], "GrLivArea": [1500], "Street": ["Gravel road"]})
    x_new = prep.transform(new)
    assert x_new.shape == (1, x_train.shape[1])
    assert np.all(x_new[0, 2:] == 0)
    median_row = prep.transform(pd.DataFrame({"LotArea": [train["LotArea"].median()], "GrLivArea": [1500],
                                              "Street": ["Pave"]}))
    assert x_new[0, 0] == pytest.approx(median_row[0, 0])
    # 缺失的类别当作一个类别
    assert "缺失" in prep.categories["Street"]


def test_house_log_rmse_is_the_competition_metric():
    log_rmse = load_script("5_house_price.py").log_rmse
    price, pred = np.array([100000.0, 200000.0]), np.array([110000.0, 180000.0])
    expected = np.sqrt(np.mean((np.log(pred) - np.log(price)) ** 2))
    assert log_rmse(np.log(pred), np.log(price)) == pytest.approx(expected)
