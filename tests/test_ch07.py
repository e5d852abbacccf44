"""第 7 章（ch07_pytorch_dl）：本章的代码——4_loss_test 的损失对照、书中的 Adam、调度器的公式、
4_nn_sequential 的模型、房价的预处理与模型文件、3_nn_test 的读写——逐项检查；坏的输入给出清楚的错误。

参照实现是独立的：torch.nn 的损失和 torch.optim 的优化器与调度器，对照 common/ 和本章文件里的公式。
全部在 float64 下比较，容差见各测试的说明。
"""
import json
import os
import sys

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from common import optimizer as numpy_optim
from common.chapters import load
from common.checkpoint import CheckpointError, save_checkpoint
from common.cli import run
from common.divergence import DivergenceGuard, TrainingDivergedError
from common.paths import REPO_ROOT
from tests.in_process import run_script
from tests.preloaded import run_python

CHAPTER = REPO_ROOT / "ch07_pytorch_dl"
# float64 下两边是同一个公式、只是运算顺序不同，差别在 1e-15 量级；1e-10 远大于它，又远小于公式写错造成的差别
RTOL, ATOL = 1e-10, 1e-12


def load_script(relative):
    """按路径导入章节里的脚本（文件名以数字开头，不能直接 import）；脚本的主体在 main() 里，导入时不会运行。"""
    path = CHAPTER / relative
    return load(path.relative_to(REPO_ROOT))


# 导入要几秒的脚本（sklearn、pandas、matplotlib）在收集测试时就导入，不算进用到它们的第一个测试的用时
for _slow_import in ("5_house_price.py", "house_features.py", "3_nn_test.py", "4_nn_sequential.py",
                     "optimizer/8_lr_scheduler.py"):
    load_script(_slow_import)


# ---------------------------------------------------------------- 损失函数

@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_loss_script_comparisons_hold_on_new_inputs(seed):
    """4_loss_test.py 里的 19 项比较，在 5 组随机输入上都成立（比较函数内部断言，容差在该脚本的说明里）。"""
    rows = load_script("loss_functions/4_loss_test.py").compare_losses(seed)
    assert len(rows) == 19


# ---------------------------------------------------------------- 优化器

@pytest.mark.parametrize("scale", [1.0, 1e-3])
def test_book_adam_of_the_script_equals_torch_once_eps_is_rescaled(scale):
    """7_adam.py 的 make_book_adam(map_eps=True) 与 torch.optim.Adam 逐步相同；不换算 eps 时，
    梯度很小（scale = 1e-3，sqrt(v) 与 eps 相当得多）才看得出差别，那时它一定不同。"""
    adam = load_script("optimizer/7_adam.py")
    lr, beta1, beta2, eps = 0.01, 0.9, 0.999, 1e-8
    rng = np.random.default_rng(5)
    w_mapped = rng.normal(size=5)
    w_unmapped = w_mapped.copy()
    w = torch.tensor(w_mapped.copy(), requires_grad=True)
    optimizer = torch.optim.Adam([w], lr=lr, betas=(beta1, beta2), eps=eps)
    mapped = adam.make_book_adam(True, lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    unmapped = adam.make_book_adam(False, lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    mapped_state, unmapped_state = {}, {}
    for _ in range(15):
        grad = rng.normal(size=5) * scale * 1e-3
        w_mapped = mapped(w_mapped, grad, mapped_state)
        w_unmapped = unmapped(w_unmapped, grad, unmapped_state)
        w.grad = torch.from_numpy(grad.copy())
        optimizer.step()
        np.testing.assert_allclose(w.detach().numpy(), w_mapped, rtol=RTOL, atol=ATOL)
    assert not np.allclose(w_unmapped, w_mapped, rtol=0, atol=1e-12)
    assert adam.unmapped_eps_difference(5) > 0


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


SCHEDULE_NAMES = ["step", "multistep", "exponential", "onecycle", "warmup_cosine"]


@pytest.mark.parametrize("epochs, steps_per_epoch", [(12, 200), (3, 7), (2, 20)])
@pytest.mark.parametrize("name", SCHEDULE_NAMES)
def test_scheduler_follows_the_formula_in_schedules_py(name, epochs, steps_per_epoch):
    """schedules.py 的公式就是 torch 调度器走出的学习率（12 × 200 是完整运行，2 × 20 是快速模式）。
    torch 按步累乘或用余弦递推，与直接按公式算只差舍入误差，rtol = 1e-9 足够宽。"""
    schedules = load_script("optimizer/schedules.py")
    lrs = schedules.lr_sequence(name, epochs, steps_per_epoch, base_lr=0.05)
    assert len(lrs) == (epochs * steps_per_epoch if schedules.is_per_batch(name) else epochs)
    expected = [schedules.formula(name, i, epochs, steps_per_epoch, base_lr=0.05) for i in range(len(lrs))]
    np.testing.assert_allclose(lrs, expected, rtol=1e-9, atol=1e-15)


def test_per_batch_schedules_rise_to_the_peak_and_fall():
    schedules = load_script("optimizer/schedules.py")
    for name in ("onecycle", "warmup_cosine"):
        lrs = np.array(schedules.lr_sequence(name, 12, 200, base_lr=0.05))
        peak = int(np.argmax(lrs))
        assert lrs[peak] == pytest.approx(0.05) and lrs[0] < 0.01 and lrs[-1] < 1e-5
        assert np.all(np.diff(lrs[:peak + 1]) >= 0) and np.all(np.diff(lrs[peak:]) <= 1e-15)


def test_wrong_call_order_shifts_the_epoch_schedules_by_one_epoch():
    schedules = load_script("optimizer/schedules.py")
    used = {}
    for name in ("step", "exponential"):
        right = schedules.lr_sequence(name, 12, 1)
        wrong, messages = schedules.lrs_wrong_order(name, 12)
        assert wrong[:-1] == right[1:]
        assert messages, "torch 应当对先调用 scheduler.step() 发出警告"
        used[name] = (wrong.count(right[0]), right.count(right[0]))
    # StepLR(4, 0.5)：初始学习率正确顺序用 4 轮，错误顺序仍用 3 轮；ExponentialLR 错误顺序下一次也没用上
    assert used["step"] == (3, 4)
    assert used["exponential"] == (0, 1)


def test_scheduler_script_trains_with_epoch_and_batch_schedules():
    """8_lr_scheduler.train_with_schedule：同一个种子下固定学习率与调度器的第 1 轮学习率相同；按步的调度器每步记一个学习率。"""
    script = load_script("optimizer/8_lr_scheduler.py")
    from torch.utils.data import DataLoader, TensorDataset

    torch.manual_seed(0)
    x, y = torch.rand(60, 784), torch.randint(0, 10, (60,))
    loader = DataLoader(TensorDataset(x, y), batch_size=20, shuffle=True, generator=torch.Generator())
    args = type("Args", (), {"seed": 1, "lr": 0.05, "epochs": 2})()
    constant = script.train_with_schedule(None, args, "cpu", loader, loader)
    step = script.train_with_schedule("step", args, "cpu", loader, loader)
    onecycle = script.train_with_schedule("onecycle", args, "cpu", loader, loader)
    assert constant["train_loss"][0] == step["train_loss"][0]  # 第 1 轮学习率相同、初始参数和顺序相同
    assert len(onecycle["lrs"]) == 2 * len(loader) and len(set(onecycle["lrs"])) == len(onecycle["lrs"])
    assert all(len(history["test_acc"]) == 2 for history in (constant, step, onecycle))


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


def test_nn_sequential_script_models_take_the_custom_module_parameters():
    """4_nn_sequential.py：带名字的 Sequential 的键与 TwoLayerNet 相同；to_position_names 让普通 Sequential 也能装入。"""
    script = load_script("4_nn_sequential.py")
    TwoLayerNet = load_script("two_layer_net.py").TwoLayerNet
    torch.manual_seed(1)
    custom, named, plain = TwoLayerNet(), script.make_named_sequential(), script.make_plain_sequential()
    assert list(named.state_dict()) == list(custom.state_dict())
    assert list(script.to_position_names(custom.state_dict())) == list(plain.state_dict())
    named.load_state_dict(custom.state_dict())
    plain.load_state_dict(script.to_position_names(custom.state_dict()))
    x = torch.rand(8, 784)
    assert torch.equal(custom(x), named(x)) and torch.equal(custom(x), plain(x))


def test_nn_sequential_reads_a_missing_default_file_without_creating_anything(tmp_path):
    script = load_script("4_nn_sequential.py")
    TwoLayerNet = load_script("two_layer_net.py").TwoLayerNet
    path = tmp_path / "ch07_pytorch_dl" / "3_nn_test.pt"
    assert script.load_trained(TwoLayerNet(), path, required=False) is False
    assert not path.parent.exists()  # 只查看，不创建文件夹
    with pytest.raises(FileNotFoundError, match="3_nn_test.py"):
        script.load_trained(TwoLayerNet(), path, required=True)


@pytest.mark.parametrize("content", ["corrupt", "empty", "foreign", "wrong_shape", "nan"])
def test_nn_sequential_refuses_a_bad_trained_file_with_a_clear_error(tmp_path, content):
    script = load_script("4_nn_sequential.py")
    TwoLayerNet = load_script("two_layer_net.py").TwoLayerNet
    path = tmp_path / "3_nn_test.pt"
    good = TwoLayerNet().state_dict()  # 3_nn_test.py 用 torch.save(model.state_dict(), path) 保存的就是它
    if content == "corrupt":
        torch.save(good, path)
        path.write_bytes(path.read_bytes()[:1000])  # 截断
    elif content == "empty":
        path.write_bytes(b"")
    elif content == "foreign":
        torch.save({"weights": good}, path)
    elif content == "wrong_shape":
        torch.save(TwoLayerNet(784, 50, 10).state_dict(), path)
    else:
        torch.save({k: v * float("nan") for k, v in good.items()}, path)
    with pytest.raises(CheckpointError) as error:
        script.load_trained(TwoLayerNet(), path, required=False)
    assert "3_nn_test.pt" in str(error.value) and "\n" not in str(error.value)


# ---------------------------------------------------------------- 房价预处理

def _toy_houses():
    return pd.DataFrame({
        "LotArea": [8000.0, 9000.0, np.nan, 120000.0, 7000.0, 8500.0],
        "GrLivArea": [1500, 1700, 1200, 2500, 1100, 1600],
        "Street": ["Pave", "Pave", "Grvl", "Pave", None, "Pave"],
    })


def test_house_preprocessor_uses_training_statistics_and_ignores_unseen_categories():
    Preprocessor = load_script("house_features.py").Preprocessor
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
    log_rmse = load_script("house_features.py").log_rmse
    price, pred = np.array([100000.0, 200000.0]), np.array([110000.0, 180000.0])
    expected = np.sqrt(np.mean((np.log(pred) - np.log(price)) ** 2))
    assert log_rmse(np.log(pred), np.log(price)) == pytest.approx(expected)


def test_house_preprocessor_round_trips_through_plain_types():
    features = load_script("house_features.py")
    train = _toy_houses()
    prep = features.Preprocessor().fit(train)
    state = prep.to_dict()
    json.dumps(state)  # 只含字符串、数和列表：weights_only=True 的模型文件能保存它
    restored = features.Preprocessor.from_dict(state)
    new = pd.DataFrame({"LotArea": [np.nan, 5000.0], "GrLivArea": [1500, 900], "Street": ["Gravel road", "Grvl"]})
    np.testing.assert_array_equal(restored.transform(new), prep.transform(new))
    with pytest.raises(ValueError, match="缺少训练时用过的列"):
        restored.transform(new.drop(columns=["Street"]))


@pytest.fixture(scope="module")
def house_sample():
    from common.load_data import load_house_prices

    train_df, test_df = load_house_prices()
    return train_df.sample(n=200, random_state=0).reset_index(drop=True), test_df.head(50)


def test_house_model_file_predicts_on_its_own(house_sample, tmp_path):
    """模型文件带着预处理统计量和目标均值：只凭它预测的价格与训练时在内存里的预测完全相同。"""
    features = load_script("house_features.py")
    train_df, test_df = house_sample
    prep = features.Preprocessor().fit(features.split_features(train_df))
    x = prep.transform(features.split_features(train_df))
    y_mean = float(np.log(train_df["SalePrice"]).mean())
    torch.manual_seed(0)
    model = features.make_model(x.shape[1], 16, 0.2)
    expected = np.exp(features.predict_log_price(model, prep.transform(features.split_features(test_df)), y_mean))
    path = save_checkpoint(features.house_checkpoint(model, prep, y_mean, 16, 0.2), tmp_path / "house.pt")
    np.testing.assert_array_equal(features.predict_prices(path, test_df), expected)
    save_checkpoint({"model_state": model.state_dict()}, tmp_path / "foreign.pt")
    with pytest.raises(CheckpointError, match="5_house_price.py"):
        features.predict_prices(tmp_path / "foreign.pt", test_df)


def test_house_training_stops_when_the_loss_explodes(house_sample):
    """--lr 1e6：损失仍是有限的数，但涨到开始时的成百上千倍，必须停下，不能写出 inf 的提交文件。"""
    script = load_script("5_house_price.py")
    features = load_script("house_features.py")
    train_df, _ = house_sample
    x = features.Preprocessor().fit(features.split_features(train_df)).transform(features.split_features(train_df))
    y = np.log(train_df["SalePrice"].to_numpy())
    y = (y - y.mean()).astype(np.float32).reshape(-1, 1)
    args = type("Args", (), {"hidden": 16, "dropout": 0.0, "lr": 1e6, "weight_decay": 0.0, "batch_size": 32,
                             "seed": 0, "patience": 5})()
    with pytest.raises(TrainingDivergedError, match="学习率"):
        script.train_mlp(x, y, None, None, args, "cpu", 20, desc="测试")


def test_house_predictions_with_inf_are_divergence():
    features = load_script("house_features.py")
    model = nn.Linear(3, 1)
    with torch.no_grad():
        model.weight.fill_(float("inf"))
    with pytest.raises(TrainingDivergedError):
        features.predict_log_price(model, np.ones((2, 3), dtype=np.float32), 12.0)


# ---------------------------------------------------------------- 3_nn_test 的可选参照

def test_nn_test_reads_the_numpy_result_without_creating_folders(tmp_path, capsys):
    script = load_script("3_nn_test.py")
    assert script.read_numpy_result(tmp_path) is None
    assert "1_digit_recognizer_nn_train.py" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []  # 只查看，不创建文件夹


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '{"test_accuracy": "abc", "seconds": 1}', '{"seconds": 1}',
                                  "\udcff"])
def test_nn_test_warns_on_a_damaged_numpy_result_and_goes_on(tmp_path, capsys, text):
    script = load_script("3_nn_test.py")
    path = tmp_path / script.NUMPY_RESULT
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8", errors="surrogateescape")
    assert script.read_numpy_result(tmp_path) is None
    assert "警告" in capsys.readouterr().out


def test_nn_test_reads_a_good_numpy_result(tmp_path):
    script = load_script("3_nn_test.py")
    path = tmp_path / script.NUMPY_RESULT
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"test_accuracy": 0.98, "total_seconds": 6.3, "test_acc_list": [0.9, 0.98]}))
    result = script.read_numpy_result(tmp_path)
    assert result["test_accuracy"] == 0.98 and result["seconds"] == 6.3 and result["test_acc_list"] == [0.9, 0.98]


def test_nn_test_train_stops_when_the_loss_explodes():
    script = load_script("3_nn_test.py")
    TwoLayerNet = load_script("two_layer_net.py").TwoLayerNet
    from torch.utils.data import DataLoader, TensorDataset

    torch.manual_seed(0)
    loader = DataLoader(TensorDataset(torch.rand(200, 784), torch.randint(0, 10, (200,))), batch_size=20)
    model = TwoLayerNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e6, momentum=0.9)
    with pytest.raises(TrainingDivergedError, match="学习率"):
        script.train(model, "cpu", loader, optimizer, 1, nn.CrossEntropyLoss(), DivergenceGuard())


# ---------------------------------------------------------------- 命令行：设备不可用时一行说明

@pytest.mark.parametrize("relative", ["3_nn_test.py", "4_nn_sequential.py", "5_house_price.py",
                                      "optimizer/8_lr_scheduler.py"])
def test_missing_device_is_a_one_line_error(relative, monkeypatch, capsys):
    """--device cuda 在没有 GPU 的机器上（以及 cuda:7 在 GPU 不够多的机器上）：一行说明，非零退出。"""
    module = load_script(relative)
    monkeypatch.setattr(sys, "argv", [relative, "--device", "cuda:7"])
    if torch.cuda.device_count() > 7:
        pytest.skip("这台机器真有 8 块以上的 GPU")
    with pytest.raises(SystemExit) as stopped:
        run(module.main)  # 与直接运行脚本时相同的命令行入口
    message = capsys.readouterr().err if stopped.value.code == 1 else str(stopped.value.code)
    assert message.strip().startswith("错误：") and "cuda:7" in message


# ---------------------------------------------------------------- 整个脚本（子进程，慢）

def _run(relative, *argv, output):
    env = dict(os.environ, DL_QUICK="1", DL_OUTPUT_DIR=str(output), MPLBACKEND="Agg", PYTHONIOENCODING="utf-8",
               OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    # 在输出目录里运行（既不是脚本所在的目录，也不是仓库根目录）：冒烟测试借用这里的运行，见 tests/test_scripts.py
    # 一个新的进程，由已经导入 torch 等库的进程 fork 出来（见 tests/preloaded.py）：省掉每次几秒的导入
    return run_python([CHAPTER / relative, *argv], cwd=output, env=env, timeout=300)


@pytest.mark.parametrize("relative", ["3_nn_test.py", "5_house_price.py"])
def test_huge_learning_rate_stops_with_a_clear_last_line_and_writes_nothing(relative, tmp_path, monkeypatch, capsys):
    """整个脚本（快速模式、本进程内，经 common.cli.run）：发散时最后一行说明原因，退出码 1。"""
    monkeypatch.setenv("DL_OUTPUT_DIR", str(tmp_path))
    finished = run_script(f"ch07_pytorch_dl/{relative}", "--lr", "1e6", monkeypatch=monkeypatch, capsys=capsys)
    assert finished.code == 1, finished
    assert finished.last_error_line.startswith("错误：") and "训练发散了" in finished.err
    assert not (tmp_path / "ch07_pytorch_dl").exists()  # 没有结果、模型、提交文件


@pytest.mark.slow
def test_nn_test_survives_a_damaged_ch04_result_and_sequential_uses_its_model(tmp_path, monkeypatch, capsys):
    """两个脚本都在子进程里运行（冒烟测试借用这两次运行）；最后读坏文件的一次在本进程内，经 common.cli.run。"""
    damaged = tmp_path / "ch04_backward" / "1_digit_recognizer_nn_train.json"
    damaged.parent.mkdir(parents=True)
    damaged.write_text('{"test_accuracy": 0.98, "total_sec', encoding="utf-8")  # 写了一半
    result = _run("3_nn_test.py", output=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "警告" in result.stdout and (tmp_path / "ch07_pytorch_dl/3_nn_test.json").is_file()
    saved = json.loads((tmp_path / "ch07_pytorch_dl/3_nn_test.json").read_text(encoding="utf-8"))
    result = _run("4_nn_sequential.py", output=tmp_path)
    assert result.returncode == 0 and "训练好的参数" in result.stdout
    assert f"测试精度 {saved['test_accuracy']:.4f}" in result.stdout
    # 文件坏了：一行错误，退出码 1
    model = tmp_path / "ch07_pytorch_dl/3_nn_test.pt"
    model.write_bytes(model.read_bytes()[:500])
    monkeypatch.setenv("DL_OUTPUT_DIR", str(tmp_path))
    finished = run_script("ch07_pytorch_dl/4_nn_sequential.py", monkeypatch=monkeypatch, capsys=capsys)
    assert finished.code == 1, finished
    assert finished.err.strip().startswith("错误：") and len(finished.err.strip().splitlines()) == 1
