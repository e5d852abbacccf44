"""common/ 里 PyTorch 章节共用的小工具：发散检测、检查点的保存与读取、最好模型的文件、命令行入口 run、
命令行参数检查、设备编号。"""
import argparse
import math
import pickle

import numpy as np
import pytest
import torch
from torch import nn

from common import cli
from common.checkpoint import (BestModelFile, CheckpointError, keep_better_checkpoint, load_checkpoint,
                               load_model_state, save_checkpoint)
from common.cli import non_negative_float, non_negative_int, positive_float, positive_int, probability, run
from common.device import get_device
from common.divergence import DivergenceGuard, TrainingDivergedError, check_finite_loss, check_finite_values


# ---------- 发散检测 ----------

def test_guard_passes_a_normal_noisy_training_run():
    guard = DivergenceGuard()
    losses = [2.30, 2.9, 1.8, 1.2, 3.1, 0.9, 0.5]  # 小批量的损失上下波动，但都在开始时的 10 倍以内
    assert [guard.check(value) for value in losses] == losses


def test_guard_stops_a_loss_that_explodes_but_stays_finite():
    guard = DivergenceGuard()
    guard.check(2.3)
    guard.check(5.0)
    with pytest.raises(TrainingDivergedError, match=r"第 3 步.*2\.3.*学习率调小"):
        guard.check(1e4, where="第 3 步")


def test_guard_uses_min_scale_when_the_starting_loss_is_tiny():
    guard = DivergenceGuard(factor=10, min_scale=1.0)
    guard.check(0.01)   # 接着训练一个已经很好的模型
    assert guard.check(5.0) == 5.0  # 上限是 10 × max(0.01, 1.0) = 10，不是 0.1
    with pytest.raises(TrainingDivergedError):
        guard.check(10.5)


def test_guard_takes_the_largest_of_the_warmup_losses_as_the_start():
    guard = DivergenceGuard(factor=10, min_scale=0, warmup_steps=3)
    for value in (1.0, 4.0, 2.0):
        guard.check(value)
    assert guard.limit == pytest.approx(40.0)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_guard_and_check_finite_loss_stop_on_nan_and_inf(bad):
    with pytest.raises(TrainingDivergedError, match="学习率调小"):
        DivergenceGuard().check(bad)
    with pytest.raises(TrainingDivergedError, match="学习率调小"):
        check_finite_loss(torch.tensor(bad))


def test_guard_rejects_a_factor_that_cannot_work():
    with pytest.raises(ValueError, match="factor"):
        DivergenceGuard(factor=1)


def test_check_finite_values_accepts_arrays_and_tensors_and_names_the_place():
    assert check_finite_values(np.ones(3)) is not None
    assert check_finite_values(torch.ones(2, 2, requires_grad=True)) is not None
    with pytest.raises(TrainingDivergedError, match="第 2 折的预测值"):
        check_finite_values(torch.tensor([1.0, math.inf]), where="第 2 折")
    with pytest.raises(TrainingDivergedError):
        check_finite_values(np.array([0.0, math.nan]))


# ---------- 检查点 ----------

def _model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))


def test_checkpoint_round_trip_keeps_tensors_and_plain_values(tmp_path):
    model = _model()
    path = save_checkpoint({"model_state": model.state_dict(), "val_acc": 0.9, "mean": [0.5]}, tmp_path / "m.pt")
    checkpoint = load_checkpoint(path, required_keys=["model_state", "val_acc"])
    other = load_model_state(_model(), checkpoint["model_state"], path)
    for a, b in zip(model.parameters(), other.parameters()):
        assert torch.equal(a, b)
    assert checkpoint["mean"] == [0.5]
    assert [p.name for p in tmp_path.iterdir()] == ["m.pt"]  # 没有留下临时文件


def test_saving_the_same_checkpoint_twice_gives_identical_bytes(tmp_path):
    state = {"model_state": _model().state_dict(), "val_acc": 0.5}
    first = save_checkpoint(state, tmp_path / "a" / "model.pt").read_bytes()
    second = save_checkpoint(state, tmp_path / "b" / "model.pt").read_bytes()
    assert first == second


def test_interrupted_save_leaves_the_previous_checkpoint_intact(tmp_path, monkeypatch):
    path = save_checkpoint({"version": 1}, tmp_path / "m.pt")
    before = path.read_bytes()

    def half_written_then_ctrl_c(obj, target):
        with open(target, "wb") as f:
            f.write(b"PK\x03\x04 half")
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, "save", half_written_then_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint({"version": 2}, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.pt"]


@pytest.mark.parametrize("make, words", [
    (lambda p: None, "找不到检查点文件"),
    (lambda p: p.write_bytes(b""), "是空的"),
    (lambda p: p.write_bytes(b"not a checkpoint at all"), "读不出来"),
])
def test_unreadable_checkpoints_give_one_clear_error(tmp_path, make, words):
    path = tmp_path / "bad.pt"
    make(path)
    with pytest.raises((CheckpointError, FileNotFoundError), match=f"{words}.*先运行 train.py"):
        load_checkpoint(path, how_to_make="先运行 train.py")


def test_truncated_checkpoint_is_reported_as_damaged(tmp_path):
    path = save_checkpoint({"model_state": _model().state_dict()}, tmp_path / "m.pt")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="读不出来"):
        load_checkpoint(path)


def test_pickled_objects_are_refused_without_running_them(tmp_path):
    path = tmp_path / "evil.pt"
    torch.save({"model_state": {}, "payload": argparse.Namespace(x=1)}, path)
    with pytest.raises(CheckpointError, match="不能安全读取"):
        load_checkpoint(path)


def test_foreign_checkpoint_is_named_by_its_missing_keys(tmp_path):
    path = save_checkpoint({"weights": 1}, tmp_path / "other.pt")
    with pytest.raises(CheckpointError, match="缺少 model_state.*weights"):
        load_checkpoint(path, required_keys=["model_state"])
    bare = tmp_path / "bare.pt"
    torch.save(torch.zeros(3), bare)
    with pytest.raises(CheckpointError, match="不是本脚本保存的格式"):
        load_checkpoint(bare, required_keys=["model_state"])


def test_state_of_another_model_lists_a_few_differences_not_a_key_dump():
    other = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 2), nn.Linear(2, 2))
    with pytest.raises(CheckpointError, match="多出 3.weight, 3.bias.*形状不对 0.weight") as info:
        load_model_state(_model(), other.state_dict(), "m.pt")
    assert len(str(info.value)) < 400


def test_state_with_nan_weights_is_refused():
    state = _model().state_dict()
    state["0.weight"][0, 0] = math.nan
    with pytest.raises(CheckpointError, match="nan/inf.*0.weight"):
        load_model_state(_model(), state, "m.pt")


def test_keep_better_checkpoint_never_silently_replaces_a_better_model(tmp_path):
    path = tmp_path / "model.pt"
    saved, message = keep_better_checkpoint({"val_acc": 0.93}, path, score_key="val_acc")
    assert saved == path and "已保存" in message
    saved, message = keep_better_checkpoint({"val_acc": 0.50}, path, score_key="val_acc")  # 例如一次快速试跑
    assert saved == tmp_path / "model.latest.pt" and "保留它" in message
    assert load_checkpoint(path)["val_acc"] == 0.93
    assert load_checkpoint(saved)["val_acc"] == 0.50
    saved, message = keep_better_checkpoint({"val_acc": 0.95}, path, score_key="val_acc")
    assert saved == path and "已替换" in message and load_checkpoint(path)["val_acc"] == 0.95


def test_keep_better_checkpoint_for_a_score_where_lower_is_better(tmp_path):
    path = tmp_path / "lm.pt"
    keep_better_checkpoint({"val_perplexity": 120.0}, path, score_key="val_perplexity", higher_is_better=False)
    saved, _ = keep_better_checkpoint({"val_perplexity": 300.0}, path, score_key="val_perplexity",
                                      higher_is_better=False)
    assert saved.name == "lm.latest.pt"
    assert load_checkpoint(path)["val_perplexity"] == 120.0


def test_keep_better_checkpoint_replaces_an_unreadable_old_file(tmp_path):
    path = tmp_path / "model.pt"
    path.write_bytes(b"garbage")
    saved, _ = keep_better_checkpoint({"val_acc": 0.1}, path, score_key="val_acc")
    assert saved == path and load_checkpoint(path)["val_acc"] == 0.1


# ---------- 最好模型的文件（BestModelFile） ----------

def test_best_model_file_writes_only_its_run_file_until_published():
    best_file = BestModelFile("ch/model.pt", score_key="val_acc", what="验证精度")
    with best_file:
        best_file.save({"val_acc": 0.5, "epoch": 1})
        best_file.save({"val_acc": 0.8, "epoch": 2})
    assert best_file.run_path.parent == best_file.published.parent and ".run-" in best_file.run_path.name
    assert best_file.run_path.exists() and not best_file.published.exists()
    assert best_file.publish() == best_file.published
    assert load_checkpoint(best_file.published) == {"val_acc": 0.8, "epoch": 2}  # 最后一次 save 的
    assert not best_file.run_path.exists()  # 发布后删掉本次运行的文件


def test_best_model_file_keeps_a_better_earlier_model(capsys):
    first = BestModelFile("ch/model.pt", score_key="val_acc", what="验证精度")
    first.save({"val_acc": 0.93})
    first.publish()
    original = first.published.read_bytes()
    worse = BestModelFile("ch/model.pt", score_key="val_acc", what="验证精度")
    worse.save({"val_acc": 0.51})
    written = worse.publish()
    assert written.name == "model.latest.pt" and first.published.read_bytes() == original
    message = capsys.readouterr().out
    assert "保留它" in message and "验证精度 0.9300" in message and "model.latest.pt" in message
    better = BestModelFile("ch/model.pt", score_key="perplexity", higher_is_better=False)
    assert better.higher_is_better is False


def test_best_model_file_explains_a_stop_and_lets_the_error_through(capsys):
    interrupted = BestModelFile("ch/model.pt", score_key="val_acc")
    with pytest.raises(KeyboardInterrupt):
        with interrupted:
            interrupted.save({"val_acc": 0.7, "epoch": 3})
            raise KeyboardInterrupt
    out = capsys.readouterr().out
    assert interrupted.run_path.exists()  # Ctrl-C：本次的模型留着，可以评估
    assert "训练被中断" in out and "没有发布模型" in out and "到第 3 轮为止" in out and "--evaluate" in out

    diverged = BestModelFile("ch/model.pt", score_key="val_acc")
    with pytest.raises(TrainingDivergedError):
        with diverged:
            diverged.save({"val_acc": 0.7, "epoch": 1})
            raise TrainingDivergedError("损失变成了 nan")
    assert not diverged.run_path.exists()  # 发散：本次的模型删掉
    assert "训练发散，停止" in capsys.readouterr().out


def test_best_model_file_of_another_process_writes_and_prints_nothing(capsys):
    """多进程训练中 0 号以外的进程：active=False。"""
    best_file = BestModelFile("ch/model.pt", score_key="val_acc", active=False)
    with pytest.raises(KeyboardInterrupt):
        with best_file:
            best_file.save({"val_acc": 0.7})
            raise KeyboardInterrupt
    assert best_file.publish() is None
    assert not list(best_file.published.parent.glob("*.pt"))
    assert capsys.readouterr().out == ""


# ---------- 命令行入口 run ----------

def run_and_capture(main, capsys):
    """调用 run(main)，返回 (退出码, stderr 的最后一行)。"""
    with pytest.raises(SystemExit) as info:
        run(main)
    lines = capsys.readouterr().err.strip().splitlines()
    return info.value.code, lines[-1] if lines else ""


def test_run_returns_what_main_returns_when_nothing_goes_wrong():
    assert run(lambda: 42) == 42


@pytest.mark.parametrize("error, words", [
    (TrainingDivergedError("第 3 轮第 20 步的损失变成了 nan。请把学习率调小"), ["第 3 轮第 20 步", "学习率调小"]),
    (CheckpointError("检查点文件 m.pt 读不出来；先运行 python x.py"), ["m.pt", "先运行"]),
    (FileNotFoundError("找不到数据文件 data/x.gz：请运行 git lfs pull"), ["data/x.gz"]),
    (ValueError("指定了设备 'cuda'，但这台机器上的 PyTorch 不能用 cuda：改用 --device cpu"), ["--device cpu"]),
])
def test_run_turns_the_repositorys_errors_into_one_line(error, words, capsys):
    def main():
        raise error

    code, last_line = run_and_capture(main, capsys)
    assert code == 1 and last_line == f"错误：{error}"
    assert all(word in last_line for word in words)


def test_run_names_the_file_for_an_operating_system_error(tmp_path, capsys):
    def main():
        open(tmp_path / "missing" / "x.txt", encoding="utf-8")

    code, last_line = run_and_capture(main, capsys)
    assert code == 1 and last_line.startswith("错误：No such file or directory：") and "x.txt" in last_line


def test_explain_gives_the_errno_of_an_operating_system_error_without_a_file():
    import errno

    assert cli.explain(OSError(errno.ENOSPC, "No space left on device")) == "No space left on device（OSError，errno 28）"


def test_run_adds_the_place_to_an_error_that_the_repository_did_not_word(capsys):
    def main():
        return np.ones((2, 3)) @ np.ones((2, 3))  # 形状对不上：NumPy 的 ValueError，说明里没有“在哪里”

    code, last_line = run_and_capture(main, capsys)
    assert code == 1 and last_line.startswith("错误：ValueError: matmul")
    assert "tests/test_training_helpers.py 第" in last_line and "DL_TRACEBACK=1" in last_line


def test_run_stops_before_main_when_the_output_folder_is_not_writable(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("不是目录", encoding="utf-8")
    monkeypatch.setenv("DL_OUTPUT_DIR", str(blocker / "output"))
    called = []
    code, last_line = run_and_capture(lambda: called.append(1), capsys)
    assert code == 1 and not called
    assert last_line.startswith("错误：输出目录") and "DL_OUTPUT_DIR" in last_line


def test_run_ends_ctrl_c_with_exit_code_130(capsys):
    def main():
        raise KeyboardInterrupt

    code, last_line = run_and_capture(main, capsys)
    assert code == 130 and last_line.startswith("错误：已中断（Ctrl-C）")


def test_run_lets_programming_errors_show_their_traceback():
    def main():
        return len(5)

    with pytest.raises(TypeError):
        run(main)


def test_run_with_dl_traceback_shows_the_full_traceback(monkeypatch):
    monkeypatch.setenv("DL_TRACEBACK", "1")

    def main():
        raise TrainingDivergedError("发散")

    with pytest.raises(TrainingDivergedError):
        run(main)


def test_run_names_the_process_and_explains_communication_errors(monkeypatch, capsys):
    monkeypatch.setenv("RANK", "2")
    monkeypatch.setenv("WORLD_SIZE", "3")

    def main():
        raise RuntimeError("[/pytorch/third_party/gloo/gloo/transport/tcp/unbound_buffer.cc:78] "
                           "Timed out waiting 300000ms for recv operation to complete")

    code, last_line = run_and_capture(main, capsys)
    assert code == 1 and last_line.startswith("错误（进程 2）：等其他进程超过了 --timeout") and "Timed out" in last_line
    closed = RuntimeError("[pair.cc:561] Connection closed by peer [127.0.0.1]:56210. This is typically caused\n...")
    assert "另一个进程已经退出" in cli.explain(closed) and "\n" not in cli.explain(closed)


def test_run_shows_the_traceback_of_a_runtime_error_outside_torchrun(monkeypatch):
    monkeypatch.delenv("RANK", raising=False)

    def main():
        raise RuntimeError("mat1 and mat2 shapes cannot be multiplied")

    with pytest.raises(RuntimeError):
        run(main)


# ---------- 命令行参数 ----------

@pytest.mark.parametrize("check, good, bad", [
    (positive_int, ["1", "128"], ["0", "-5", "2.5", "abc"]),
    (non_negative_int, ["0", "42"], ["-1", "x"]),
    (positive_float, ["3e-3", "1.5"], ["0", "-1", "nan", "inf", "abc"]),
    (non_negative_float, ["0", "0.01"], ["-0.1", "nan"]),
    (probability, ["0", "0.5"], ["1", "-0.1", "nan"]),
])
def test_validators_accept_sensible_values_and_refuse_the_rest(check, good, bad):
    for text in good:
        check(text)
    for text in bad:
        with pytest.raises(argparse.ArgumentTypeError):
            check(text)


def test_argparse_turns_a_refused_value_into_a_one_line_usage_error(capsys):
    parser = argparse.ArgumentParser(prog="train.py")
    parser.add_argument("--epochs", type=positive_int, default=3)
    with pytest.raises(SystemExit) as info:
        parser.parse_args(["--epochs", "0"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "--epochs" in err and "大于 0" in err and "Traceback" not in err


# ---------- 设备编号 ----------

def test_cuda_index_beyond_the_gpus_of_this_machine_is_refused(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    assert get_device("cuda:0").index == 0
    with pytest.raises(ValueError, match="只有 1 块 GPU.*编号 0～0"):
        get_device("cuda:7")
