"""每个 PyTorch 训练函数真的会学：在一小批固定的真实数据上走几步，损失明显下降。

调用的是章节脚本自己的 train()（不是在测试里重写一遍的循环），数据是脚本用的同一份真实数据集的前几十条，
设置（优化器、学习率）与脚本的默认值相同或相近。一批数据反复训练，一个能学习的网络应当很快把它“背下来”；
损失不降，说明训练函数里少了一步（忘了 optimizer.step()、梯度没有清零却被覆盖、loss 没有反传到参数……）。

判据是“降到开始时的一半以下”：几十条数据、几十步的训练里，能学习的网络通常降到十分之一以下，
坏掉的训练函数则几乎不动，一半离两者都很远。
"""
import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from common.chapters import load
from common.divergence import DivergenceGuard
from common.load_data import get_data, load_house_prices

# 导入脚本（连同 sklearn、matplotlib 等）在收集测试时做一次，不算进各个测试的用时
autograd_vs_backprop = load("ch06_pytorch_base/10_autograd_vs_backprop.py")
nn_test = load("ch07_pytorch_dl/3_nn_test.py")
house_price = load("ch07_pytorch_dl/5_house_price.py")
house_features = load("ch07_pytorch_dl/house_features.py")
schedules = load("ch07_pytorch_dl/optimizer/schedules.py")
quadratic = load("ch07_pytorch_dl/optimizer/quadratic.py")
fashion_category = load("ch08_cnn/4_fashion_category.py")
fashion_cnn = load("ch08_cnn/fashion_cnn.py")

# 第 7 章的优化器脚本：(脚本, torch.optim 的类, 由脚本里的常数得到的参数)
OPTIMIZER_SCRIPTS = {
    "1_momentum.py": (torch.optim.SGD, lambda m: {"lr": m.LR, "momentum": m.MOMENTUM}),
    "5_adagrad.py": (torch.optim.Adagrad, lambda m: {"lr": m.LR, "eps": m.EPS}),
    "6_rmsprop.py": (torch.optim.RMSprop, lambda m: {"lr": m.LR, "alpha": m.DECAY_RATE, "eps": m.EPS}),
    "7_adam.py": (torch.optim.Adam, lambda m: {"lr": m.LR, "betas": (m.BETA1, m.BETA2), "eps": m.EPS}),
}


@pytest.fixture(scope="module")
def mnist():
    """MNIST 的前 64 张训练图像（展平、缩放到 0..1）和标签：一个固定的小批量。"""
    x_train, _, y_train, _ = get_data("mnist", n_train=64, n_test=1)
    return torch.from_numpy(x_train), torch.from_numpy(y_train)


@pytest.fixture(scope="module")
def fashion():
    """Fashion-MNIST 的前 16 张训练图像，与脚本一样标准化，形状 (16, 1, 28, 28)。"""
    x_train, _, y_train, _ = get_data("fashion_mnist", n_train=16, n_test=1)
    x = torch.from_numpy(x_train)
    return ((x - x.mean()) / x.std()).reshape(-1, 1, 28, 28), torch.from_numpy(y_train)


@pytest.fixture(scope="module")
def houses():
    """房价训练集的前 128 套：预处理后的特征 (128, D) 和减去均值的对数价格 (128, 1)，都是 float32。"""
    train_df, _ = load_house_prices()
    first = train_df.iloc[:128]
    features = house_features.split_features(first)
    x = house_features.Preprocessor().fit(features).transform(features)
    log_price = np.log(first["SalePrice"].to_numpy())
    return x, (log_price - log_price.mean()).astype(np.float32).reshape(-1, 1)


def fixed_loader(x, y, batch_size):
    return DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=False)


def test_ch06_tensor_only_train_learns(mnist):
    TwoLayerNet = load("ch04_backward/two_layer_net.py").TwoLayerNet
    np.random.seed(0)
    params = autograd_vs_backprop.params_to_tensors(TwoLayerNet(784, 50, 10, dtype=np.float32).params)
    optimizer = torch.optim.SGD(params.values(), lr=0.1)
    loader, losses = fixed_loader(*mnist, batch_size=32), []
    for epoch in range(1, 16):
        autograd_vs_backprop.train(params, "cpu", loader, optimizer, epoch, DivergenceGuard(), losses)
    assert losses[-1] < 0.5 * losses[0], losses


def test_ch07_nn_test_train_learns(mnist):
    torch.manual_seed(0)
    model = load("ch07_pytorch_dl/two_layer_net.py").TwoLayerNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)  # 脚本的默认值
    loader, guard = fixed_loader(*mnist, batch_size=32), DivergenceGuard()
    losses = [nn_test.train(model, "cpu", loader, optimizer, epoch, nn.CrossEntropyLoss(), guard)[0]
              for epoch in range(1, 11)]
    assert losses[-1] < 0.5 * losses[0], losses


def test_ch07_house_price_train_learns(houses):
    x, y = houses
    torch.manual_seed(0)
    model = house_features.make_model(x.shape[1], hidden=64, dropout=0.2)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    loader, guard = fixed_loader(torch.from_numpy(x), torch.from_numpy(y), batch_size=64), DivergenceGuard()
    losses = [house_price.train(model, "cpu", loader, optimizer, epoch, nn.MSELoss(), guard) for epoch in range(1, 31)]
    assert losses[-1] < 0.5 * losses[0], losses


@pytest.mark.parametrize("name", ["onecycle", None], ids=["onecycle", "constant"])
def test_ch07_lr_scheduler_train_learns(name, mnist):
    """8_lr_scheduler.py 训练用的 train()（3_nn_test.py 的）：固定学习率，以及每步调整学习率的 OneCycleLR。"""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=schedules.BASE_LR, momentum=schedules.MOMENTUM)
    loader, guard, lr_log = fixed_loader(*mnist, batch_size=32), DivergenceGuard(), []
    epochs = 20
    scheduler = None if name is None else schedules.make_scheduler(name, optimizer, epochs, len(loader))
    losses = [nn_test.train(model, "cpu", loader, optimizer, epoch, nn.CrossEntropyLoss(), guard,
                            scheduler=scheduler, lr_log=lr_log)[0]
              for epoch in range(1, epochs + 1)]
    assert len(lr_log) == epochs * len(loader)  # 每一步记下一个学习率
    assert losses[-1] < 0.5 * losses[0], losses


@pytest.mark.parametrize("relative", ["2_step_lr.py", "3_multistep_lr.py", "4_exp_lr.py"])
def test_ch07_epoch_scheduler_loops_lower_f_every_epoch(relative, monkeypatch):
    """2～4 号脚本自己的训练循环：f(x, y) 每一轮都下降（保存的 JSON 里记着每轮结束时的 f）。"""
    import json

    from common.paths import output_dir

    script = load(f"ch07_pytorch_dl/optimizer/{relative}")
    monkeypatch.setattr("sys.argv", [relative, "--epochs", "6"])
    script.main()
    saved = json.loads((output_dir() / f"ch07_pytorch_dl/optimizer_{relative[:-3]}.json").read_text(encoding="utf-8"))
    f_start = quadratic.f(*quadratic.START_POINT)
    values = [f_start, *saved["f_after_epoch"]]
    assert all(later < earlier for earlier, later in zip(values, values[1:])), values


@pytest.mark.parametrize("relative", list(OPTIMIZER_SCRIPTS))
def test_ch07_optimizer_scripts_settings_descend_on_f(relative):
    """1、5、6、7 号脚本的优化器设置在 f(x, y) 上 30 步后离最小值近得多（torch.optim，梯度由 autograd 求）。"""
    script = load(f"ch07_pytorch_dl/optimizer/{relative}")
    optimizer_class, settings = OPTIMIZER_SCRIPTS[relative]
    path = quadratic.torch_path(optimizer_class, 30, **settings(script))
    start, end = quadratic.f(*path[0]), quadratic.f(*path[-1])
    assert end < 0.5 * start, (start, end)


def test_ch08_fashion_train_learns(fashion):
    torch.manual_seed(0)
    model = fashion_cnn.FashionCNN()
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)  # 脚本的默认值
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)  # 学习率不变：只看 train() 本身
    loader, guard = fixed_loader(*fashion, batch_size=16), DivergenceGuard()
    losses = [fashion_category.train(model, "cpu", loader, optimizer, epoch, nn.CrossEntropyLoss(), scheduler, guard,
                                     torch.Generator().manual_seed(0), augment=None)[0] for epoch in range(1, 13)]
    assert losses[-1] < 0.5 * losses[0], losses
