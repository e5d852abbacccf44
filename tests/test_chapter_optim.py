"""理论第 4 章“学习的技巧”（ch05_optim/）用到的工具：学习率衰减策略与训练循环 train_network。"""
import importlib.util

import numpy as np
import pytest

from common.multi_layer_net import MultiLayerNet
from common.optimizer import SGD
from common.paths import REPO_ROOT
from common.seed import set_seed
from common.trainer import train_network


def _load_lr_schedules():
    """ch05_optim 不是包，按文件路径导入其中的 lr_schedules.py。"""
    path = REPO_ROOT / "ch05_optim" / "lr_schedules.py"
    spec = importlib.util.spec_from_file_location("ch05_lr_schedules", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
