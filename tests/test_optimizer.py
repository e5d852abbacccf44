"""common/optimizer.py 的测试：每个优化器的轨迹与 torch.optim 逐步比较。

问题：最小二乘 L(W, b) = 0.5 * mean((X @ W + b - Y)^2)，两个参数 'W1' (3, 2) 和 'b1' (2,)。
每一步用 NumPy 在当前参数处算梯度，同一个梯度分别交给我们的优化器和 torch（写进 p.grad 再 step()），
比较 60 步中每一步之后的参数。

公式对应（详见 common/optimizer.py 的文档字符串）：
- SGD：完全相同。
- Momentum：书 v = m*v - lr*g; W += v；torch b = m*b + g; W -= lr*b。令 v = -lr*b 即相同（学习率不变）。
- Nesterov：我们用 v = m*v - lr*g; W += m*v - lr*g，即 torch 的 nesterov=True（书中代码的写法与此不同）。
- AdaGrad：eps 都加在 sqrt 外；我们默认 eps=1e-7（书），torch 默认 1e-10，测试中把 torch 设为 1e-7。
- RMSprop：torch 的 alpha 即 decay_rate，eps 加在 sqrt 外；测试中把 torch 的 eps 设为与我们相同的 1e-7。
- Adam：我们用论文和 torch 的形式（先修正 m、v 的偏差，eps 加在 sqrt(v_hat) 外），eps=1e-8 与 torch 相同。
  书中把修正并进学习率 lr_t，等价于把 eps 换成 eps / sqrt(1 - beta2^t)，不能逐位一致，所以这里不用书的形式。
公式一致，两边都是 float64，差别只来自运算顺序不同的舍入（每步约 1e-16），60 步后仍远小于 1e-10。
"""
import re

import numpy as np
import pytest
import torch

from common.optimizer import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop

STEPS = 60
TRAJECTORY_TOL = 1e-10

# (名字, 我们的优化器, 对应的 torch 优化器)
OPTIMIZER_PAIRS = [
    ("SGD", lambda: SGD(lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
    ("Momentum", lambda: Momentum(lr=0.05, momentum=0.9), lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
    ("Nesterov", lambda: Nesterov(lr=0.05, momentum=0.9),
     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True)),
    ("AdaGrad", lambda: AdaGrad(lr=0.3), lambda p: torch.optim.Adagrad(p, lr=0.3, eps=1e-7)),
    ("RMSprop", lambda: RMSprop(lr=0.01, decay_rate=0.99),
     lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.99, eps=1e-7)),
    ("Adam", lambda: Adam(lr=0.05, beta1=0.9, beta2=0.999),
     lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.9, 0.999), eps=1e-8)),
]


def make_problem():
    """返回 (初始参数字典, 损失函数, 梯度函数)。梯度只用 NumPy 计算，两边共用。"""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 3))
    Y = X @ rng.standard_normal((3, 2)) + 0.5 + 0.1 * rng.standard_normal((20, 2))
    params = {"W1": rng.standard_normal((3, 2)), "b1": np.zeros(2)}

    def loss(p):
        return 0.5 * np.mean((X @ p["W1"] + p["b1"] - Y) ** 2)

    def gradient(p):
        residual = (X @ p["W1"] + p["b1"] - Y) / Y.size  # dL/d(预测)
        return {"W1": X.T @ residual, "b1": residual.sum(axis=0)}

    return params, loss, gradient


@pytest.mark.parametrize("name, make_ours, make_torch", OPTIMIZER_PAIRS, ids=[p[0] for p in OPTIMIZER_PAIRS])
def test_optimizer_trajectory_matches_torch(name, make_ours, make_torch):
    params, _, gradient = make_problem()
    torch_params = {k: torch.tensor(v.copy(), requires_grad=True) for k, v in params.items()}
    ours, theirs = make_ours(), make_torch(list(torch_params.values()))
    start = {k: v.copy() for k, v in params.items()}

    for step in range(STEPS):
        grads = gradient(params)
        ours.update(params, grads)
        for key, p in torch_params.items():
            p.grad = torch.tensor(grads[key])  # 同一个梯度交给 torch
        theirs.step()
        for key in params:
            np.testing.assert_allclose(
                params[key], torch_params[key].detach().numpy(), rtol=TRAJECTORY_TOL, atol=TRAJECTORY_TOL,
                err_msg=f"{name} 第 {step + 1} 步的 {key}",
            )
    assert not np.allclose(params["W1"], start["W1"])  # 参数确实动了


@pytest.mark.parametrize("name, make_ours, _", OPTIMIZER_PAIRS, ids=[p[0] for p in OPTIMIZER_PAIRS])
def test_optimizer_decreases_loss(name, make_ours, _):
    params, loss, gradient = make_problem()
    first_loss = loss(params)
    optimizer = make_ours()
    for _ in range(STEPS):
        optimizer.update(params, gradient(params))
    assert loss(params) < 0.5 * first_loss


@pytest.mark.parametrize("name, make_ours, _", OPTIMIZER_PAIRS, ids=[p[0] for p in OPTIMIZER_PAIRS])
def test_optimizer_updates_arrays_in_place_and_keeps_float32(name, make_ours, _):
    """层里引用的是同一个数组对象，所以必须原地更新；float32 参数配 float64 梯度也不应被提升。"""
    params = {"W1": np.ones((2, 3), dtype=np.float32), "b1": np.zeros(3, dtype=np.float32)}
    arrays_before = dict(params)
    grads = {"W1": np.full((2, 3), 0.5), "b1": np.full(3, -0.5)}  # float64
    optimizer = make_ours()
    for _ in range(3):
        optimizer.update(params, grads)
    for key in params:
        assert params[key] is arrays_before[key], f"{name} 替换了 {key} 而不是原地更新"
        assert params[key].dtype == np.float32
    assert not np.allclose(params["W1"], 1.0)


def test_optimizer_keeps_separate_state_per_parameter():
    """两个参数的梯度不同：各自的速度不能混在一起（对比分别用两个优化器单独更新）。"""
    together = {"W1": np.zeros(2), "W2": np.zeros(2)}
    alone1, alone2 = {"W1": np.zeros(2)}, {"W2": np.zeros(2)}
    opt_together, opt1, opt2 = Momentum(), Momentum(), Momentum()
    for step in range(5):
        g1, g2 = np.array([1.0, -1.0]) * step, np.array([0.5, 2.0])
        opt_together.update(together, {"W1": g1, "W2": g2})
        opt1.update(alone1, {"W1": g1})
        opt2.update(alone2, {"W2": g2})
    np.testing.assert_array_equal(together["W1"], alone1["W1"])
    np.testing.assert_array_equal(together["W2"], alone2["W2"])


def test_default_hyperparameters_are_the_documented_ones():
    assert SGD().lr == 0.01
    assert (Momentum().lr, Momentum().momentum) == (0.01, 0.9)
    assert (Nesterov().lr, Nesterov().momentum) == (0.01, 0.9)
    assert AdaGrad().lr == 0.01
    assert (RMSprop().lr, RMSprop().decay_rate) == (0.01, 0.99)
    adam = Adam()
    assert (adam.lr, adam.beta1, adam.beta2) == (0.001, 0.9, 0.999)


BAD_GRADS = {
    # 名字: (梯度字典, 报错信息中应出现的内容)
    "missing-key": (lambda: {"W1": np.ones((3, 2))}, [r"缺少.*\['b1'\]"]),
    "unknown-key": (lambda: {"W1": np.ones((3, 2)), "b1": np.ones(2), "W9": np.ones(2)}, [r"多出.*\['W9'\]"]),
    # (2,) 的梯度能广播到 (3, 2) 的参数上：不检查的话会悄悄更新错
    "broadcastable-shape": (lambda: {"W1": np.ones(2), "b1": np.ones(2)}, [r"W1: 参数 \(3, 2\)，梯度 \(2,\)"]),
    "everything-at-once": (lambda: {"W1": np.ones((2, 3)), "W2": np.ones(1)},
                           [r"\['b1'\]", r"\['W2'\]", r"W1: 参数 \(3, 2\)，梯度 \(2, 3\)"]),
}


@pytest.mark.parametrize("case", BAD_GRADS)
@pytest.mark.parametrize("name, make_ours, _", OPTIMIZER_PAIRS, ids=[p[0] for p in OPTIMIZER_PAIRS])
def test_optimizer_rejects_grads_that_do_not_match_params(name, make_ours, _, case):
    params = {"W1": np.zeros((3, 2)), "b1": np.zeros(2)}
    make_grads, patterns = BAD_GRADS[case]
    optimizer = make_ours()
    with pytest.raises(ValueError) as info:
        optimizer.update(params, make_grads())
    for pattern in patterns:
        assert re.search(pattern, str(info.value)), (pattern, str(info.value))
    assert not params["W1"].any() and not params["b1"].any()  # 报错之前一个参数也没有改


def test_optimizer_rejects_lists_where_arrays_are_needed():
    with pytest.raises(TypeError, match=r"梯度 'W1'.*list"):
        SGD().update({"W1": np.zeros(2)}, {"W1": [1.0, 2.0]})
    with pytest.raises(TypeError, match=r"参数 'W1'.*list"):  # 列表无法被原地更新
        Adam().update({"W1": [0.0, 0.0]}, {"W1": np.ones(2)})
