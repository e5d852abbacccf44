"""第 8 章（ch08_cnn）的测试：SimpleConvNet 的梯度、Fashion 模型的形状与数据增强、数据读取与模型文件、
命令行参数的检查、DDP 的评估计数与多进程训练、6 号脚本只比 4 号脚本多几十行，
以及几个出错的情形（发散、坏的模型文件、已有更好的模型）。

脚本本身在快速模式下的冒烟运行由 tests/test_scripts.py 负责；这里检验它们依赖的行为。
"""
import argparse
import ast
import difflib
import io
import json
import os
import shutil
import subprocess
import sys
import tokenize
from datetime import timedelta

import numpy as np
import pytest
import torch

from common import load_data
from common.chapters import load
from common.checkpoint import BestModelFile, CheckpointError, save_checkpoint
from common.paths import REPO_ROOT, output_path
from tests.in_process import run_script
from tests.preloaded import run_python
from tests.test_load_data import use_a_copy_of

simple_conv_net = load("ch08_cnn/simple_conv_net.py")
fashion_cnn = load("ch08_cnn/fashion_cnn.py")  # 与 4、6 号脚本里 `from fashion_cnn import …` 得到的是同一个模块
fashion_category = load("ch08_cnn/4_fashion_category.py")
fashion_ddp = load("ch08_cnn/6_fashion_ddp.py")


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


def test_confusion_matrix_matches_sklearn():
    from sklearn.metrics import confusion_matrix as sklearn_confusion_matrix

    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 10, 2000)
    y_pred = np.where(rng.random(2000) < 0.7, y_true, rng.integers(0, 10, 2000))  # 七成答对，其余乱猜
    ours = fashion_cnn.confusion_matrix(torch.from_numpy(y_true), torch.from_numpy(y_pred))
    np.testing.assert_array_equal(ours, sklearn_confusion_matrix(y_true, y_pred, labels=range(10)))


# ---------- 数据：只经 common.load_data 读取（核对 SHA-256），不联网，不往 data/ 写文件 ----------

@pytest.mark.slow  # torchvision 解压、读入 60,000 张训练图像：2 核 CPU 上 1.7～2.5 秒
def test_loader_gives_the_same_tensors_as_torchvision_did(tmp_path, monkeypatch):
    """换掉 torchvision 之后张量逐位相同，所以 README 里的训练结果仍可复现。

    torchvision 读的是临时副本：download=True 时它把 .gz 解压到同一目录（文件都在，所以不联网；联网就失败）。
    """
    import urllib.request

    from torchvision import datasets

    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: pytest.fail("不应访问网络"))
    shutil.copytree(load_data.DATA_DIR / "FashionMNIST" / "raw", tmp_path / "FashionMNIST" / "raw")
    train_set = datasets.FashionMNIST(root=tmp_path, train=True, download=True)
    images = train_set.data.float().div_(255).unsqueeze(1)
    order = torch.randperm(60000, generator=torch.Generator().manual_seed(42))
    reference = images[order[500:][:2000]]
    mean, std = reference.mean(), reference.std()

    data = fashion_cnn.load_fashion_mnist(val_size=500, seed=42, n_train=2000, n_test=100)
    assert torch.equal(data.x_train, (reference - mean) / std)
    assert torch.equal(data.y_train, train_set.targets[order[500:][:2000]])
    assert torch.equal(data.x_val, (images[order[:500]] - mean) / std)
    assert (data.mean, data.std) == (mean.item(), std.item())
    assert data.x_test.shape == (100, 1, 28, 28) and data.y_test.dtype == torch.int64


def test_evaluation_reads_only_the_test_set_with_the_saved_statistics():
    data = fashion_cnn.load_fashion_mnist(val_size=500, seed=1, n_train=2000, n_test=300)
    x_test, y_test = fashion_cnn.load_fashion_test(data.mean, data.std, n_test=300)
    assert torch.equal(x_test, data.x_test) and torch.equal(y_test, data.y_test)


@pytest.fixture
def fashion_copy(tmp_path, monkeypatch):
    """把 Fashion-MNIST 复制到临时 data 目录，让加载器指向它，并让任何联网尝试立即失败。"""
    import urllib.request

    def no_network(*args, **kwargs):
        raise AssertionError("不应访问网络")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    return use_a_copy_of("FashionMNIST", tmp_path, monkeypatch)


def test_damaged_or_missing_archive_gives_a_clear_error_and_nothing_is_extracted(fashion_copy):
    before = sorted(p.name for p in fashion_copy.rglob("*"))
    relative = "FashionMNIST/raw/t10k-images-idx3-ubyte.gz"
    path = fashion_copy / relative
    path.write_bytes(path.read_bytes()[:5000])  # 截断
    with pytest.raises(load_data.CorruptedDataError, match="t10k-images.*已损坏"):
        fashion_cnn.load_fashion_mnist(n_train=100, n_test=10)
    path.unlink()
    with pytest.raises(FileNotFoundError, match="git checkout"):
        fashion_cnn.load_fashion_test(0.3, 0.35)
    assert sorted(p.name for p in fashion_copy.rglob("*")) == [n for n in before if n != path.name]


# ---------- 模型文件：原子写入、不悄悄替换更好的模型、读不了时说清楚 ----------

def make_test_checkpoint(val_acc, epoch=3):
    torch.manual_seed(0)
    data = argparse.Namespace(mean=0.29, std=0.35, y_val=torch.zeros(500))
    return fashion_cnn.make_checkpoint(fashion_cnn.FashionCNN().state_dict(), data, epoch, val_acc, {"epochs": 3})


def publish_a_run(val_acc):
    """像 4 号脚本那样：BestModelFile 保存本次最好的一轮，训练结束时发布。返回 (BestModelFile, 写入的路径)。"""
    best_file = BestModelFile(fashion_category.MODEL_FILE, score_key="best_val_acc", what="验证精度")
    with best_file:
        best_file.save(make_test_checkpoint(val_acc))
    return best_file, best_file.publish()


def test_a_new_run_never_replaces_a_better_published_model(capsys):
    published = output_path(fashion_category.MODEL_FILE)
    save_checkpoint(make_test_checkpoint(0.93), published)
    original = published.read_bytes()

    best_file, written = publish_a_run(0.51)
    assert best_file.published == published and best_file.run_path.parent == published.parent
    assert published.read_bytes() == original  # 以前更好的模型原样保留
    message = capsys.readouterr().out
    assert written.name == "fashion_cnn.latest.pt" and "保留" in message and "0.9300" in message
    assert not best_file.run_path.exists()

    best_file, written = publish_a_run(0.95)  # 更好的一次才替换
    assert written == published and "替换" in capsys.readouterr().out
    assert torch.load(published, weights_only=True)["best_val_acc"] == 0.95
    model, checkpoint = fashion_cnn.load_trained_model(published, torch.device("cpu"))  # --evaluate 读得回来
    assert checkpoint["epoch"] == 3


def test_bad_model_files_give_clear_errors(tmp_path):
    good = save_checkpoint(make_test_checkpoint(0.9), tmp_path / "good.pt")
    model, checkpoint = fashion_cnn.load_trained_model(good, torch.device("cpu"))
    assert checkpoint["epoch"] == 3 and checkpoint["mean"] == 0.29

    with pytest.raises(FileNotFoundError, match="missing.pt.*4_fashion_category.py"):
        fashion_cnn.load_trained_model(tmp_path / "missing.pt", torch.device("cpu"))
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(good.read_bytes()[:100_000])
    with pytest.raises(CheckpointError, match="truncated.pt.*读不出来"):
        fashion_cnn.load_trained_model(truncated, torch.device("cpu"))
    foreign = tmp_path / "foreign.pt"  # 旧格式：只有 state_dict，没有标准化的统计量
    torch.save(fashion_cnn.FashionCNN().state_dict(), foreign)
    with pytest.raises(CheckpointError, match="foreign.pt 缺少 model_state"):
        fashion_cnn.load_trained_model(foreign, torch.device("cpu"))
    broken = make_test_checkpoint(0.9)
    broken["model_state"]["classifier.5.bias"][0] = float("nan")
    nan_path = save_checkpoint(broken, tmp_path / "nan.pt")
    with pytest.raises(CheckpointError, match="nan/inf.*classifier.5.bias"):
        fashion_cnn.load_trained_model(nan_path, torch.device("cpu"))


# ---------- 命令行参数 ----------

# 每个数值选项都用 common.cli 的检查函数（0 轮、nan 的学习率在 argparse 里被拒绝）由 tests/test_cli_options.py
# 检查，检查函数本身由 tests/test_training_helpers.py 检查；这里只测脚本自己的检查。

@pytest.mark.parametrize("module", [fashion_category, fashion_ddp])
def test_a_validation_set_as_large_as_the_training_set_is_refused(module, monkeypatch, capsys):
    """--val-size 要给训练留下图像：60,000 张全拿去验证时，argparse 打印用法和一行说明（退出码 2）。"""
    monkeypatch.setattr(sys, "argv", ["script.py", "--val-size", "60000"])
    with pytest.raises(SystemExit) as info:
        module.parse_args()
    assert info.value.code == 2
    message = capsys.readouterr().err.strip().splitlines()[-1]
    assert "--val-size" in message and "太大" in message


@pytest.mark.parametrize("module", [fashion_category, fashion_ddp])
def test_quick_mode_changes_only_the_default_validation_size(module, monkeypatch):
    monkeypatch.setenv("DL_QUICK", "1")
    monkeypatch.setattr(sys, "argv", ["script.py"])
    assert module.parse_args().val_size == 500
    monkeypatch.setattr(sys, "argv", ["script.py", "--val-size", "700"])
    assert module.parse_args().val_size == 700  # 给出的值照用，不被快速模式悄悄换掉


# ---------- DDP ----------

def test_ddp_evaluation_counts_every_image_exactly_once():
    """3 个进程、1,000 张：DistributedSampler 会补成 1,002 张；评估用的分片正好 1,000 张、互不重叠。"""
    dataset = torch.utils.data.TensorDataset(torch.arange(1000))
    shards = [fashion_ddp.evaluation_shard(dataset, rank, 3) for rank in range(3)]
    seen = [int(x) for shard in shards for (x,) in shard]
    assert sorted(seen) == list(range(1000))
    padded = sum(len(torch.utils.data.DistributedSampler(dataset, 3, rank, shuffle=False)) for rank in range(3))
    assert padded == 1002  # 对照：用 DistributedSampler 评估就会多数 2 张


def test_ddp_sets_a_collective_timeout(monkeypatch):
    captured = {}
    monkeypatch.setattr(fashion_ddp.dist, "init_process_group", lambda **kwargs: captured.update(kwargs))
    monkeypatch.setattr(fashion_ddp.dist, "get_rank", lambda: 0)
    monkeypatch.setattr(fashion_ddp.dist, "get_world_size", lambda: 1)
    monkeypatch.setattr(fashion_ddp.dist, "get_backend", lambda: captured["backend"])
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(name, raising=False)
    rank, world_size, device = fashion_ddp.setup(argparse.Namespace(device="cpu", timeout=42.0))
    assert (rank, world_size, device.type) == (0, 1, "cpu")
    assert captured == {"backend": "gloo", "timeout": timedelta(seconds=42)}
    assert os.environ["WORLD_SIZE"] == "1"  # 不用 torchrun 时当作 1 个进程


def lesson_lines(path, function=None):
    """脚本（或其中名为 function 的函数）去掉注释、文档字符串、空行和缩进之后的代码行：比较两个脚本时只看代码。"""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    docstrings, first, last = set(), 1, len(source.splitlines())
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and ast.get_docstring(node) is not None:
            docstrings.update(range(node.body[0].lineno, node.body[0].end_lineno + 1))
        if isinstance(node, ast.FunctionDef) and node.name == function:
            first, last = node.lineno, node.end_lineno
    comments = {token.start[0]: token.start[1] for token in tokenize.generate_tokens(io.StringIO(source).readline)
                if token.type == tokenize.COMMENT}
    lines = []
    for number, line in enumerate(source.splitlines(), 1):
        if first <= number <= last and number not in docstrings:
            line = line[:comments.get(number, len(line))].strip()
            if line:
                lines.append(line)
    return lines


def test_ddp_script_is_script_4_plus_a_short_diff():
    """6 号脚本 = 4 号脚本 + DDP 的几十行（pytorch/examples 里单卡到 DDP 的那一对脚本也是这样对照着读的）。

    比较的是去掉注释、文档字符串、空行和缩进之后的代码行（difflib）。60 行的预算：加入进程组（setup）、
    DistributedSampler、评估分片、all-reduce、DDP 包装、只让 0 号进程输出，以及几处改名（模型文件名、结果文件名、
    选项 --timeout）。验证（参数摘要、第 1 轮的样本编号）不在 6 号脚本里，在 ddp_check.py。
    train/test 与 4 号脚本逐行相同，只多 all-reduce 一行、进度条只在 0 号进程显示。
    """
    single, ddp = (REPO_ROOT / "ch08_cnn" / name for name in ("4_fashion_category.py", "6_fashion_ddp.py"))
    added = [line[2:] for line in difflib.ndiff(lesson_lines(single), lesson_lines(ddp)) if line.startswith("+ ")]
    assert len(added) <= 60, f"6 号脚本比 4 号脚本多了 {len(added)} 行（预算 60 行）：\n" + "\n".join(added)

    progress_bar = 'for step, (x, y) in enumerate(tqdm(loader, desc=f"第 {epoch} 轮", leave=False, mininterval=2'
    allowed = {"+ total_loss, correct, count = all_reduce_sums(total_loss, correct, count, device=device)",
               f"- {progress_bar})):", f"+ {progress_bar},", "+ disable=dist.get_rank() != 0)):"}
    for function in ("train", "test"):
        changes = {line for line in difflib.ndiff(lesson_lines(single, function), lesson_lines(ddp, function))
                   if line[:2] in ("+ ", "- ")}
        assert changes <= allowed, f"{function} 与 4 号脚本的差别超出了 DDP 的那几行：{sorted(changes - allowed)}"


# ---------- 在子进程里运行脚本（快速模式） ----------

def run(arguments, tmp_path, launcher=()):
    env = dict(os.environ, DL_QUICK="1", MPLBACKEND="Agg", DL_OUTPUT_DIR=str(tmp_path / "output"),
               PYTHONIOENCODING="utf-8", OMP_NUM_THREADS="1")
    arguments = [str(REPO_ROOT / a) if a.endswith(".py") else a for a in arguments]
    if launcher:  # torchrun 自己启动几个进程
        result = subprocess.run([sys.executable, *launcher, *arguments], cwd=tmp_path, env=env, capture_output=True,
                                text=True, encoding="utf-8", timeout=600)
    else:  # 一个新的进程，由已经导入 torch 等库的进程 fork 出来（见 tests/preloaded.py）：省掉几秒的导入
        result = run_python(arguments, cwd=tmp_path, env=env, timeout=600)
    result.log = f"--- stdout ---\n{result.stdout[-4000:]}\n--- stderr ---\n{result.stderr[-4000:]}"
    return result


@pytest.mark.slow
def test_quick_run_keeps_the_better_published_model_and_evaluate_reads_the_new_one(tmp_path, monkeypatch, capsys):
    """快速模式的训练在子进程里运行（冒烟测试借用这一次，见 tests/test_scripts.py）：已有更好的模型时不替换它。"""
    published = tmp_path / "output" / "ch08_cnn" / "fashion_cnn.pt"
    save_checkpoint(make_test_checkpoint(0.99), published)
    original = published.read_bytes()
    result = run(["ch08_cnn/4_fashion_category.py"], tmp_path)
    assert result.returncode == 0, result.log
    assert published.read_bytes() == original, "快速模式的一次运行不应替换以前更好的模型"
    assert "保留它" in result.stdout and "fashion_cnn.latest.pt" in result.stdout, result.log
    assert not list(published.parent.glob("*.run-*.pt"))  # 本次运行的文件发布后删掉
    record = json.loads((published.parent / "4_fashion_category.json").read_text(encoding="utf-8"))
    assert {"seconds", "train_seconds", "history"} <= set(record) and "wall_seconds" not in record
    assert set(record["history"]) == {"train_loss", "train_acc", "val_loss", "val_acc", "epoch_seconds"}

    # 读回模型的两次（好的、截断的）在本进程内运行，经同样的 common.cli.run：不必再起两个 Python + torch 进程
    evaluated = run_script("ch08_cnn/4_fashion_category.py", "--evaluate", published.with_name("fashion_cnn.latest.pt"),
                           monkeypatch=monkeypatch, capsys=capsys)
    assert evaluated.code == 0, evaluated
    assert f"精度 {record['test_accuracy']:.4f}" in evaluated.out, evaluated  # 同样的标准化、同样的结果

    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(original[:50_000])
    failed = run_script("ch08_cnn/4_fashion_category.py", "--evaluate", truncated, monkeypatch=monkeypatch, capsys=capsys)
    assert failed.code == 1, failed
    assert failed.last_error_line.startswith("错误：检查点文件") and "truncated.pt" in failed.err


@pytest.mark.parametrize("script", [
    # 读入 Fashion-MNIST 的训练、验证、测试三份：本进程内约 1.8 秒（2 核 CPU），贴着快速测试的 2 秒上限
    pytest.param("ch08_cnn/4_fashion_category.py", marks=pytest.mark.slow),
    "ch08_cnn/5_simple_convnet_numpy.py",
])
def test_a_huge_learning_rate_stops_with_a_clear_message(script, tmp_path, monkeypatch, capsys):
    """整个脚本（快速模式、本进程内，经 common.cli.run）：发散时最后一行说明原因和改法，退出码 1，不写结果。"""
    monkeypatch.setenv("DL_OUTPUT_DIR", str(tmp_path / "output"))
    finished = run_script(script, "--lr", "1e6", monkeypatch=monkeypatch, capsys=capsys)
    assert finished.code == 1, finished
    last_line = finished.last_error_line
    assert last_line.startswith("错误：") and "发散" in last_line and "学习率调小" in last_line, finished
    written = {p.name for p in (tmp_path / "output" / "ch08_cnn").glob("*")}
    assert not {n for n in written if n.endswith((".json", ".pt"))}, written  # 不写结果、不留模型


@pytest.mark.slow
def test_ddp_three_processes_count_the_test_set_once_and_end_with_identical_models(tmp_path):
    """用 3 个 CPU 进程（gloo）在快速模式下跑 6_fashion_ddp.py（经 ddp_check.py，它记录各进程的样本编号和参数摘要）：
    2,000 张训练图像除不尽 3，1,000 张测试图像也是。"""
    result = run(["ch08_cnn/ddp_check.py", "--device", "cpu"], tmp_path,
                 launcher=("-m", "torch.distributed.run", "--standalone", "--nproc_per_node=3"))
    assert result.returncode == 0, result.log
    assert "完成：3 个进程" in result.stdout and "测试集 1000 张" in result.stdout, result.log

    folder = tmp_path / "output" / "ch08_cnn"
    record = json.loads((folder / "6_fashion_ddp.json").read_text(encoding="utf-8"))
    assert record["settings"]["world_size"] == 3 and record["backend"] == "gloo"
    assert set(record["history"]) == {"train_loss", "train_acc", "val_loss", "val_acc", "epoch_seconds"}
    check = json.loads((folder / "ddp_check.json").read_text(encoding="utf-8"))
    ranks = sorted(check["ranks"], key=lambda r: r["rank"])
    assert [r["rank"] for r in ranks] == [0, 1, 2]
    seen = [set(r["first_epoch_indices"]) for r in ranks]
    n_train = record["settings"]["n_train"]
    # 每个进程 ceil(2000 / 3) = 667 张；合起来是整个训练集，只有为凑齐而补的 1 张出现两次
    assert [len(s) for s in seen] == [667, 667, 667]
    assert set().union(*seen) == set(range(n_train))
    assert check["first_epoch_overlap"] == 3 * 667 - n_train == 1
    # 每步都平均了梯度，所以各进程的参数逐位相同；验证集、测试集的分片合起来每张恰好一次
    assert len({r["param_sha256"] for r in ranks}) == 1 and check["params_identical"]
    assert check["evaluation_shards_exact"]
    assert (folder / "fashion_cnn_ddp.pt").exists()
    assert not list(folder.glob("*.run-*.pt"))
