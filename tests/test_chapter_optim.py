"""理论第 4 章“学习的技巧”（ch05_optim/）用到的工具：学习率衰减策略与训练循环 train_network。"""

import numpy as np
import pytest

from common.multi_layer_net import MultiLayerNet
from common.optimizer import SGD
from common.chapters import load
from common.seed import set_seed
from common.divergence import TrainingDivergedError, check_finite_loss
from common.trainer import train_network


def _load_lr_schedules():
    """ch05_optim 不是包，按文件路径导入其中的 lr_schedules.py。"""
    return load("ch05_optim/lr_schedules.py")


schedules = _load_lr_schedules()
BASE_LR = 0.1
TOTAL = 50


def _torch_lrs(make_scheduler, steps):
    """用 torch.optim.lr_scheduler 生成前 steps 次迭代的学习率，作为独立的参考实现。"""
    import torch

    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=BASE_LR)
    scheduler = make_scheduler(torch.optim.lr_scheduler, optimizer)
    lrs = []
    for _ in range(steps):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return np.array(lrs)


# torch 的学习率用 float64 逐步相乘（或按闭式公式）算出，与我们的闭式公式只差舍入误差，取相对误差 1e-9
@pytest.mark.parametrize("name, ours, theirs", [
    ("step", lambda it: schedules.step_decay(it, BASE_LR, step_size=7, gamma=0.5),
     lambda sched, opt: sched.StepLR(opt, step_size=7, gamma=0.5)),
    ("exponential", lambda it: schedules.exponential_decay(it, BASE_LR, gamma=0.9),
     lambda sched, opt: sched.ExponentialLR(opt, gamma=0.9)),
    ("cosine", lambda it: schedules.cosine_annealing(it, BASE_LR, TOTAL, min_lr=0.001),
     lambda sched, opt: sched.CosineAnnealingLR(opt, T_max=TOTAL, eta_min=0.001)),
])
def test_lr_schedule_matches_torch_scheduler(name, ours, theirs):
    expected = _torch_lrs(theirs, TOTAL)
    actual = np.array([ours(it) for it in range(TOTAL)])
    np.testing.assert_allclose(actual, expected, rtol=1e-9, err_msg=name)


def test_constant_lr_never_changes():
    assert all(schedules.constant_lr(it, BASE_LR) == BASE_LR for it in range(TOTAL))


def test_warmup_rises_linearly_then_follows_cosine_down_to_min_lr():
    warmup = 10
    lrs = [schedules.warmup_cosine(it, BASE_LR, TOTAL, warmup, min_lr=0.0) for it in range(TOTAL + 1)]
    np.testing.assert_allclose(lrs[:warmup], BASE_LR * np.arange(1, warmup + 1) / warmup)
    assert lrs[warmup] == pytest.approx(BASE_LR)  # 预热结束时正好到达 base_lr（只差浮点舍入，用 approx 默认的相对误差 1e-6）
    assert all(a >= b for a, b in zip(lrs[warmup:], lrs[warmup + 1:]))  # 之后单调不增
    assert lrs[TOTAL] == pytest.approx(0.0, abs=1e-12)


def test_schedules_reject_meaningless_settings():
    with pytest.raises(ValueError, match="step_size"):
        schedules.step_decay(0, BASE_LR, step_size=0)
    with pytest.raises(ValueError, match="warmup_iterations"):
        schedules.warmup_cosine(0, BASE_LR, total_iterations=10, warmup_iterations=10)


class _RecordingNetwork:
    """假网络：记下每个小批量里的样本编号，参数和梯度都是摆设。"""

    def __init__(self):
        self.params = {"W": np.zeros(1)}
        self.seen = []
        self.last_layer = type("Loss", (), {"loss": 0.0})()

    def gradient(self, x, t):
        self.seen.extend(int(i) for i in x[:, 0])
        return {"W": np.zeros(1)}

    def accuracy(self, x, t):
        return 0.5


def test_train_network_uses_every_sample_once_per_epoch_and_applies_the_schedule():
    set_seed(0)
    n, batch_size, epochs = 23, 5, 3
    x = np.arange(n, dtype=np.float32).reshape(n, 1)  # 第 0 列就是样本编号
    t = np.zeros(n, dtype=np.int64)
    network = _RecordingNetwork()
    history = train_network(network, SGD(lr=1.0), x, t, x[:4], t[:4], epochs=epochs, batch_size=batch_size,
                            lr_schedule=lambda it: 1.0 / (it + 1), progress=False)

    iters_per_epoch = 5  # ceil(23 / 5)：最后一批只有 3 个样本
    assert history["iterations"] == len(history["train_loss_list"]) == epochs * iters_per_epoch
    assert len(history["train_acc_list"]) == len(history["test_acc_list"]) == epochs + 1  # 含训练前
    for epoch in range(epochs):
        assert sorted(network.seen[epoch * n:(epoch + 1) * n]) == list(range(n))  # 不重复、不遗漏
    assert network.seen[:n] != network.seen[n:2 * n]  # 每轮重新打乱
    assert history["lr_list"] == [1.0 / (it + 1) for it in range(epochs * iters_per_epoch)]


def _small_run(seed):
    set_seed(seed)
    x = np.random.rand(60, 8).astype(np.float32)
    t = (x[:, 0] > 0.5).astype(np.int64)  # 一个能学会的简单规则
    network = MultiLayerNet(8, [16], 2)
    return train_network(network, SGD(lr=0.5), x, t, x, t, epochs=20, batch_size=10, progress=False)


def test_train_network_is_reproducible_and_learns():
    first, second = _small_run(3), _small_run(3)
    assert first["train_loss_list"] == second["train_loss_list"]  # 同一个种子，完全相同的数字
    assert first["test_acc_list"] == second["test_acc_list"]
    assert first["train_acc_list"][-1] > 0.9 > first["train_acc_list"][0]


class _RecordingSGD(SGD):
    """记下每次 update 时用的学习率：学习率衰减必须在同一次迭代的更新之前生效。"""

    def __init__(self, lr):
        super().__init__(lr)
        self.lrs_at_update = []

    def update(self, params, grads):
        self.lrs_at_update.append(self.lr)
        super().update(params, grads)


def test_lr_schedule_is_applied_before_the_update_of_the_same_iteration():
    x = np.zeros((10, 1), dtype=np.float32)
    t = np.zeros(10, dtype=np.int64)
    optimizer = _RecordingSGD(lr=123.0)
    schedule = lambda it: 0.1 * (it + 1)  # noqa: E731
    train_network(_RecordingNetwork(), optimizer, x, t, x, t, epochs=2, batch_size=5, lr_schedule=schedule,
                  progress=False)
    assert optimizer.lrs_at_update == [schedule(it) for it in range(4)]


class _LinearNetwork:
    """假网络：参数 W 只有一个数，梯度恒为 1（不是 0，所以每次更新都会改变 W）。

    accuracy(x, t) 返回 “x 的第 0 列等于 t 的比例 + W”：x 与 t 错位、训练集与测试集对调、
    或者在更新之前/之后评估错了时机，返回的数都会不同。
    """

    def __init__(self):
        self.params = {"W": np.zeros(1)}
        self.last_layer = type("Loss", (), {"loss": 1.0})()
        self.evaluated_sizes = []

    def gradient(self, x, t):
        return {"W": np.ones(1)}

    def accuracy(self, x, t):
        self.evaluated_sizes.append(len(x))
        return float(np.mean(x[:, 0] == t)) + float(self.params["W"][0])


def test_train_accuracy_subset_keeps_samples_and_labels_aligned_and_is_not_swapped_with_test():
    n_train, subset = 30, 12
    x_train = np.arange(n_train, dtype=np.float64).reshape(n_train, 1)
    t_train = np.arange(n_train)  # 标签等于样本编号：对齐时“精度”为 1，错位时为 0
    x_test = np.arange(8, dtype=np.float64).reshape(8, 1)
    t_test = np.array([0, 1, 2, 3, 0, 0, 0, 0])  # 测试集的“精度”为 0.5
    network = _LinearNetwork()
    history = train_network(network, SGD(lr=0.01), x_train, t_train, x_test, t_test, epochs=3, batch_size=10,
                            eval_train_samples=subset, progress=False)
    # 每轮 3 次更新，每次 W -= 0.01 * 1：第 e 轮结束时 W = -0.03 * e
    weights = [-0.03 * epoch for epoch in range(4)]
    np.testing.assert_allclose(history["train_acc_list"], [1.0 + w for w in weights], atol=1e-12)
    np.testing.assert_allclose(history["test_acc_list"], [0.5 + w for w in weights], atol=1e-12)
    assert network.evaluated_sizes[:2] == [subset, 8]  # 训练精度只用前 subset 个样本


def test_check_finite_loss_passes_numbers_and_stops_on_nan_or_inf():
    assert check_finite_loss(np.float32(2.5)) == 2.5
    for bad in (float("nan"), float("inf"), -np.inf):
        with pytest.raises(TrainingDivergedError, match="学习率调小") as info:
            check_finite_loss(bad, where="第 3 轮")
        assert "第 3 轮" in str(info.value)


class _DivergingNetwork(_LinearNetwork):
    """第 diverge_at 次求梯度时损失变成 nan（从 1 数起）。"""

    def __init__(self, diverge_at):
        super().__init__()
        self.diverge_at = diverge_at
        self.calls = 0

    def gradient(self, x, t):
        self.calls += 1
        self.last_layer.loss = float("nan") if self.calls >= self.diverge_at else 1.0
        return {"W": np.ones(1)}


def _diverging_run(**kwargs):
    x = np.zeros((20, 1))
    t = np.zeros(20, dtype=np.int64)
    network = _DivergingNetwork(diverge_at=6)
    history = train_network(network, SGD(lr=0.01), x, t, x, t, epochs=4, batch_size=5, progress=False, **kwargs)
    return network, history


def test_train_network_stops_with_a_clear_error_when_the_loss_becomes_nan():
    with pytest.raises(TrainingDivergedError, match=r"第 2 轮第 6 次迭代.*nan.*学习率调小"):
        _diverging_run()


def test_train_network_can_record_divergence_and_return_early():
    network, history = _diverging_run(stop_on_divergence=True)
    assert history["diverged"] and "第 6 次迭代" in history["diverged_message"]
    assert history["iterations"] == network.calls == 6  # 发散后立即停止，不再继续迭代
    assert np.isnan(history["train_loss_list"][-1]) and len(history["train_loss_list"]) == 6
    assert network.params["W"][0] == pytest.approx(-0.05)  # 只有前 5 次（损失有限的）做了更新
    assert len(history["train_acc_list"]) == len(history["test_acc_list"]) == 2  # 训练前 + 完成的第 1 轮


def test_train_network_reports_no_divergence_on_a_normal_run():
    history = _small_run(4)
    assert history["diverged"] is False and history["diverged_message"] is None
