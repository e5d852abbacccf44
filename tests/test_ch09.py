"""第 9 章（ch09_rnn）的测试：按格式与格律约束的生成、藏头诗与提示错误、命令行参数、检查点的保存/读取/
继续训练/发布、发散，二元语法基线，以及随仓库提供的模型文件。

脚本名以数字开头，不能直接 import，这里按文件路径导入；同目录的辅助模块（poem_model、sampling、bigram、gelv）
也按路径导入，模块名与脚本里 import 的名字相同，所以两边用的是同一个模块。
"""
import hashlib
import os
from unittest import mock

import numpy as np
import pytest
import torch

from common.checkpoint import CheckpointError
from common.divergence import TrainingDivergedError
from common.load_data import CHECKSUMS, DATA_DIR, check_file, load_poems, load_song_poems
from common.paths import REPO_ROOT
from common.seed import set_seed
from tests.chapter_files import import_chapter_file
from tests.in_process import run_script
from tests.preloaded import run_python

SCRIPT = REPO_ROOT / "ch09_rnn" / "3_poems_generation.py"
gelv = import_chapter_file("ch09_rnn/gelv.py", "gelv")
poem_model = import_chapter_file("ch09_rnn/poem_model.py", "poem_model")
bigram = import_chapter_file("ch09_rnn/bigram.py", "bigram")
sampling = import_chapter_file("ch09_rnn/sampling.py", "sampling")
poem_cli = import_chapter_file("ch09_rnn/poem_cli.py", "poem_cli")
poems_generation = import_chapter_file(SCRIPT.relative_to(REPO_ROOT), "ch09_poems_generation")

GOOD = "朝辞白帝彩云间，千里江陵一日还。两岸猨声啼不尽，轻舟已过万重山。"
SMALL = ["--n-poems", "300", "--hidden-size", "16", "--num-layers", "1", "--dropout", "0", "--device", "cpu"]


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """生成时每一步的矩阵很小，两个线程互相同步的开销比计算还大（与 generate 命令的做法相同）。"""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def corpus():
    return load_poems()


@pytest.fixture(scope="module")
def untrained(corpus):
    """一个没训练过的小模型：它给标点、<bos>、<unk> 和不合平仄的字的概率都不低，最能考验约束。"""
    vocab = poem_model.build_vocab(corpus[:1500])  # 词表要含藏头、开头用到的字
    torch.manual_seed(0)
    model = poem_model.PoemModel(len(vocab), hidden_size=16, num_layers=1, dropout=0.0).eval()
    return model, vocab


@pytest.fixture(scope="module")
def shipped():
    """只用唐诗训练的模型（默认命令的结果）：困惑度、坏提示等测试用它。"""
    return poem_model.load_poem_checkpoint(check_file(poem_cli.SHIPPED["tang"]))


# ---------------------------------------------------------------- 格式与格律约束
@pytest.mark.parametrize("temperature, top_k", [(0.5, 5), (1.0, None), (1.5, 50), (50.0, None)])
def test_every_constrained_sample_is_regular_at_any_temperature(untrained, temperature, top_k):
    """retries=0：约束本身必须让每一首都通过 gelv.check，不靠事后重采样。"""
    model, vocab = untrained
    poems = sampling.generate_poems(model, vocab, 200, temperature=temperature, top_k=top_k, seed=1, retries=0,
                                    best_of=1)
    assert len(poems) == 200
    bad = [(p, gelv.check(p).explain()) for p in poems if not gelv.check(p).ok]
    assert not bad, f"{len(bad)} 首不合律，例如 {bad[:2]}"


@pytest.mark.parametrize("prompt", [dict(acrostic="春夏秋冬"), dict(start="春风"), dict(start="白日"),
                                    dict(start="秦时明月汉时关"), dict(yun="十一尤"), dict(acrostic="明月清风", yun="七阳")])
def test_constrained_samples_with_openings_acrostics_and_rhyme_groups(untrained, prompt):
    model, vocab = untrained
    poems = sampling.generate_poems(model, vocab, 100, temperature=1.5, seed=2, retries=0, best_of=1, **prompt)
    results = [gelv.check(p) for p in poems]
    assert all(r.ok for r in results)
    if "acrostic" in prompt:
        assert all([line[0] for line in gelv.verse_lines(p)] == list(prompt["acrostic"]) for p in poems)
    if "start" in prompt:
        assert all(p.startswith(prompt["start"]) for p in poems)
    if "yun" in prompt:
        assert {r.yun for r in results} == {prompt["yun"]}
    assert len({r.pattern for r in results}) >= 2 or prompt.get("start") == "秦时明月汉时关"  # 格式随机选


def test_the_model_chooses_the_rhyme_group(untrained):
    model, vocab = untrained
    yun = {gelv.check(p).yun for p in sampling.generate_poems(model, vocab, 100, temperature=2.0, seed=3, best_of=1)}
    assert len(yun) > 5  # 不指定时由采样决定，不是固定的一个韵部


def test_free_sampling_only_keeps_the_form(untrained):
    model, vocab = untrained
    poems = sampling.generate_poems(model, vocab, 200, temperature=50.0, free=True, seed=1)
    assert all(map(gelv.is_well_formed, poems))
    assert not any(token in "".join(poems) for token in ("<", "，，", "。。"))
    assert sum(gelv.check(p).ok for p in poems) < 20  # 没有格律约束：高温下几乎没有合律的


def test_constraint_is_in_the_sampler_only(shipped):
    """--free 的输出由模型和种子决定，与格律模块无关：与只约束格式的采样逐字相同（首数不同时前面几首也相同）。"""
    model, vocab, _ = shipped
    a = sampling.generate_poems(model, vocab, 8, free=True, seed=42, temperature=0.8, top_k=20)
    b = sampling.generate_poems(model, vocab, 8, free=True, seed=42, temperature=0.8, top_k=20)
    assert a == b and all(map(gelv.is_well_formed, a))


@pytest.mark.slow  # 2 核 CPU 上 1.2～1.6 秒，机器慢一些就超过快速测试的 2 秒上限
def test_shipped_model_constrained_is_regular_and_mostly_original(shipped, corpus):
    model, vocab, checkpoint = shipped
    poems = sampling.generate_poems(model, vocab, 60, temperature=1.5, top_k=None, seed=3, retries=0, best_of=2)
    train_poems = poem_model.split_poems(corpus, checkpoint["config"]["seed"])[0]
    quality = sampling.quality_report(poems, sampling.train_lines_of(train_poems))
    assert quality["well_formed"] == quality["rhyme"] == quality["tone_pattern"] == quality["gelv"] == 1.0
    assert quality["copied_lines"] < 0.2 and quality["unique_poems"] == 1.0


def test_quality_report_on_known_poems():
    other = "秦时明月汉时关，万里长征人未还。但使龙城飞将在，不教胡马度阴山。"
    broken = GOOD.replace("山。", "中。")  # 第 4 句不押韵
    report = sampling.quality_report([GOOD, other, broken, GOOD], {"朝辞白帝彩云间"})
    assert report["well_formed"] == 1.0 and report["rhyme"] == 0.75
    assert report["gelv"] == 0.5 and report["gelv_dictionary"] == 0.75  # 《出塞》的“飞将”只有按少见的读法才合律
    assert report["out_of_rhyme"] == 0.0 and report["first_line_rhymes"] == 0.75  # 改了第 4 句的那首：2、4 句不同韵
    assert report["tone_pattern"] == 0.75 and report["unique_poems"] == 0.75  # 《出塞》：“将”按用法是平声
    assert report["copied_lines"] == pytest.approx(3 / 16)  # GOOD 出现 3 次（含改动的那首），第一句都照抄


# ---------------------------------------------------------------- 开头、藏头与提示错误
@pytest.mark.parametrize("kwargs, words", [
    (dict(acrostic="春夏秋鑫"), ["鑫"]),  # 不在词表里的字要被列出来
    (dict(start="春风abc"), ["a", "b", "c"]),
    (dict(start="春，"), ["，"]),  # 标点不能出现在句内
    (dict(acrostic="春夏秋"), ["4 个字"]),
    (dict(start="一二三四五六七八"), ["最多 7 个"]),
    (dict(start="春", acrostic="春夏秋冬"), ["二选一"]),
    (dict(temperature=0.0), ["temperature"]),
    (dict(temperature=float("nan")), ["temperature"]),
    (dict(top_k=0), ["top_k"]),
    (dict(yun="一东", free=True), ["free"]),
    (dict(yun="东"), ["平声韵部"]),
    (dict(start="春去山月"), ["四种格式都放不下", "“去”", "“月”"]),  # 第 2、4 字都是仄声
    (dict(start="秦时明月汉时关", yun="一东"), ["一东"]),  # 第 1 句末字是韵脚，不属于指定的韵部
])
def test_bad_prompts_raise_clear_errors(shipped, kwargs, words):
    model, vocab, _ = shipped
    with pytest.raises(ValueError) as error:
        sampling.generate_poems(model, vocab, 2, **kwargs)
    for word in words:
        assert word in str(error.value)


# ---------------------------------------------------------------- 命令行参数
# 数值选项（--epochs 0、--lr nan……）都用 common.cli 的检查函数，由 tests/test_cli_options.py 检查；
# 这里只测本脚本自己的检查：诗的首数的下限、韵部的名字、选项之间的搭配。
@pytest.mark.parametrize("argv, words", [
    (["--n-poems", "10"], ["--n-poems", "至少"]),
    (["--yun", "东"], ["--yun", "平声韵部"]),
    (["generate", "--yun", "一东", "--free"], ["--free"]),
    (["generate", "--resume", "x.pt"], ["--resume", "--checkpoint"]),
    (["train", "--resume", "x.pt", "--init", "y.pt"], ["--init"]),
    (["generate", "--start", "春风", "--acrostic", "春夏秋冬"], ["--acrostic", "二选一"]),
])
def test_bad_arguments_are_refused_by_argparse(capsys, argv, words):
    with pytest.raises(SystemExit) as exit_info:
        parse_args(argv)
    assert exit_info.value.code == 2
    message = capsys.readouterr().err.strip().splitlines()[-1]  # 用法之后的一行说明
    for word in words:
        assert word in message
    assert "input_size" not in message and "检查点" not in message.replace("--checkpoint", "")


def parse_args(argv):
    return poem_cli.parse_args(argv, poems_generation.DEFAULTS)


def test_a_yun_name_may_carry_its_part():
    assert parse_args(["generate", "--yun", "下平十一尤"]).yun == "十一尤"


def test_help_shows_defaults_for_every_option(capsys):
    with pytest.raises(SystemExit):
        parse_args(["--help"])
    text = capsys.readouterr().out
    assert "(default: 0.8)" in text and "(default: 20)" in text and "(default: 42)" in text


def run_cli(*args, cwd, quick=False):
    env = dict(os.environ, PYTHONIOENCODING="utf-8", MPLBACKEND="Agg")
    env.pop("DL_QUICK", None)
    if quick:
        env["DL_QUICK"] = "1"
    return run_python([SCRIPT, *args], cwd=cwd, env=env, timeout=300)  # 新的进程，见 tests/preloaded.py


def run_in_process(*args, cwd, quick=False, monkeypatch, capsys):
    """与 run_cli 相同的命令，在本进程内经 common.cli.run 运行（不再起一个 Python + torch 进程）。"""
    monkeypatch.chdir(cwd)
    return run_script(SCRIPT.relative_to(REPO_ROOT).as_posix(), *args, quick=quick, monkeypatch=monkeypatch,
                      capsys=capsys)


@pytest.mark.slow  # 读入随仓库提供的模型并生成：本进程内约 1.4 秒（2 核 CPU），贴着快速测试的 2 秒上限
def test_cli_acrostic_from_the_shipped_checkpoint(tmp_path, monkeypatch, capsys):
    finished = run_in_process("generate", "--acrostic", "春夏秋冬", "--num", "2", cwd=tmp_path,
                              monkeypatch=monkeypatch, capsys=capsys)
    assert finished.code == 0, finished.err[-3000:]
    lines = [line.strip() for line in finished.out.splitlines()
             if len(line.strip()) == 8 and line.strip()[-1] in "，。"]
    assert len(lines) == 8 and [line[0] for line in lines] == list("春夏秋冬" * 2)
    assert "2 首中合律 2 首" in finished.out
    assert "生成质量" not in finished.out  # 质量统计只在 evaluate 或 --report 时做


@pytest.mark.slow
def test_cli_errors_are_one_line_without_traceback(tmp_path, monkeypatch, capsys):
    """命令行入口的错误处理（其余的坏文件、坏提示由上面直接调用函数的测试覆盖）。

    第一种情形在子进程里运行：直接运行脚本时，stderr 上只有一行、退出码是 1；其余两种在本进程内经同样的 common.cli.run。
    """
    (tmp_path / "truncated.pt").write_bytes(check_file(poem_cli.SHIPPED_CHECKPOINT).read_bytes()[:5000])
    torch.save({"weights": torch.zeros(3)}, tmp_path / "foreign.pt")
    result = run_cli("generate", "--start", "春风鑫犇", "--checkpoint", "missing.pt", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    errors = {("找不到", "missing.pt"): result.stderr}
    for args, words in {("evaluate", "--checkpoint", "truncated.pt"): ("读不出来",),
                        ("train", "--resume", "foreign.pt"): ("缺少",)}.items():
        finished = run_in_process(*args, cwd=tmp_path, quick=args[0] == "train", monkeypatch=monkeypatch, capsys=capsys)
        assert finished.code == 1, (args, finished.err)
        errors[words] = finished.err
    for words, stderr in errors.items():
        assert stderr.strip().startswith("错误：") and len(stderr.strip().splitlines()) == 1, stderr
        for word in words:
            assert word in stderr, (words, stderr)


# ---------------------------------------------------------------- 检查点
def logits_of(model, vocab):
    x = poem_model.encode([GOOD], vocab)
    with torch.no_grad():
        return model(x)[0]


@pytest.mark.parametrize("half", [False, True])
def test_checkpoint_round_trip_stores_the_tied_matrix_once(untrained, tmp_path, half):
    model, vocab = untrained
    config = poem_model.model_config(vocab, "lstm", 16, 1, 0.0, 300, 42)
    path = tmp_path / "model.pt"
    torch.save(poem_model.make_checkpoint(model, vocab, config, half=half), path)
    raw = torch.load(path, weights_only=True)  # 只含张量、字符串、数字：weights_only 能读
    assert raw["vocab"] == vocab and raw["config"] == config
    assert "decoder.weight" not in raw["model"]  # 与 embedding.weight 是同一个矩阵，只存一份
    assert raw["model"]["embedding.weight"].dtype == (torch.float16 if half else torch.float32)
    loaded, loaded_vocab, _ = poem_model.load_poem_checkpoint(path)
    assert loaded_vocab == vocab and next(loaded.parameters()).dtype == torch.float32
    assert loaded.decoder.weight is loaded.embedding.weight  # 读回后仍然绑定
    # float16 有 11 位有效二进制位（相对误差约 5e-4）；这个小模型的 logits 在 1 附近，容差取 1e-2
    torch.testing.assert_close(logits_of(loaded, vocab), logits_of(model, vocab), rtol=0, atol=1e-2 if half else 0)


def test_checkpoint_whose_vocabulary_or_shape_does_not_match_is_rejected(untrained, tmp_path):
    model, vocab = untrained
    config = poem_model.model_config(vocab, "lstm", 16, 1, 0.0, 300, 42)
    path = tmp_path / "model.pt"
    torch.save(poem_model.make_checkpoint(model, vocab[:-5], config), path)  # 词表比参数少 5 行
    with pytest.raises(CheckpointError, match="词表与参数不匹配"):
        poem_model.load_poem_checkpoint(path)
    torch.save(poem_model.make_checkpoint(model, vocab, dict(config, hidden_size=32)), path)  # 配置与参数形状不符
    with pytest.raises(CheckpointError, match="形状不对"):
        poem_model.load_poem_checkpoint(path)
    torch.save(poem_model.make_checkpoint(model, vocab, config), path)
    with pytest.raises(CheckpointError, match="不一致"):  # 继续训练时数据的词表不同
        poem_model.load_poem_checkpoint(path, expected_vocab=vocab[:-1] + ["鑫"])
    torch.save({"weights": model.state_dict()}, path)
    with pytest.raises(CheckpointError, match="缺少 model, vocab, config"):
        poem_model.load_poem_checkpoint(path)
    torch.save({"model": {"embedding.weight": [1, 2]}, "vocab": vocab, "config": config}, path)
    with pytest.raises(CheckpointError, match="不是本脚本保存的"):
        poem_model.load_poem_checkpoint(path)
    with pytest.raises(FileNotFoundError, match="找不到"):
        poem_model.load_poem_checkpoint(tmp_path / "missing.pt")


def train_small(argv, corpus):
    """像 main() 那样先设种子，再训练（小模型、CPU）。

    不画困惑度曲线（每次约 0.6 秒）：这里检查的是训练和检查点，画图由整个脚本的冒烟运行检查。
    """
    args = parse_args(["train", *argv, *SMALL])
    set_seed(args.seed)
    with mock.patch.object(poems_generation, "plot_history"):
        return poems_generation.train_command(args, corpus, torch.device("cpu"))


def output_files(folder):
    return sorted(p.name for p in folder.glob("ch09_rnn/*.pt"))


def test_resumed_training_equals_uninterrupted_training(tmp_path, monkeypatch, capsys):
    """训练 2 轮，与先训练 1 轮（第 2 轮被 Ctrl-C 打断）、再从本次运行的 .last.pt 继续，参数应完全相同。"""
    monkeypatch.setenv("DL_OUTPUT_DIR", str(tmp_path / "straight"))
    corpus = poems_generation.load_corpus(300, 42)
    train_small(["--epochs", "2"], corpus)
    assert output_files(tmp_path / "straight") == ["poem_lstm.pt", "poem_lstm_last.pt"]  # 运行自己的文件已收走
    straight = torch.load(tmp_path / "straight" / poem_cli.last_file("tang"), weights_only=True)
    best = tmp_path / "straight" / poem_cli.MODEL_FILES["tang"]  # 只含参数：不能用来继续训练
    with pytest.raises(CheckpointError, match="不能继续训练"):
        train_small(["--epochs", "3", "--resume", str(best)], corpus)

    monkeypatch.setenv("DL_OUTPUT_DIR", str(tmp_path / "resumed"))
    train = poems_generation.train

    def interrupted_in_epoch_2(*args):
        if args[4] == 2:  # 第 5 个参数是轮数
            raise KeyboardInterrupt
        return train(*args)

    monkeypatch.setattr(poems_generation, "train", interrupted_in_epoch_2)
    with pytest.raises(KeyboardInterrupt):  # common.cli.run 把它变成一行“错误：已中断”
        train_small(["--epochs", "2"], corpus)
    monkeypatch.setattr(poems_generation, "train", train)
    folder = tmp_path / "resumed" / "ch09_rnn"
    assert not (folder / "poem_lstm.pt").exists()  # 没有正常结束：不发布
    [last] = folder.glob("poem_lstm.run-*.last.pt")
    said = capsys.readouterr().out
    assert "训练被中断" in said and str(last.name) in said  # 中断的消息说明从哪个文件继续
    assert torch.load(last, weights_only=True)["epoch"] == 1
    train_small(["--epochs", "2", "--resume", str(last)], corpus)
    resumed = torch.load(folder / "poem_lstm_last.pt", weights_only=True)

    for key in ("train_loss", "val_loss"):
        assert resumed["history"][key] == straight["history"][key]
    for name, value in straight["model"].items():
        torch.testing.assert_close(resumed["model"][name], value, rtol=0, atol=0)


def test_resume_with_a_new_learning_rate_uses_it(tmp_path, monkeypatch, capsys):
    """--resume --lr X：优化器恢复后按 X 新建学习率计划（以前 X 被优化器状态里的旧学习率悄悄盖掉）。"""
    monkeypatch.setenv("DL_OUTPUT_DIR", str(tmp_path))
    corpus = poems_generation.load_corpus(300, 42)
    train_small(["--epochs", "1", "--lr", "0.002"], corpus)
    last = tmp_path / poem_cli.last_file("tang")
    resumed_from = tmp_path / "first.last.pt"
    last.rename(resumed_from)
    train_small(["--epochs", "2", "--lr", "0.0005", "--resume", str(resumed_from)], corpus)
    assert "lr = 0.0005" in capsys.readouterr().out
    state = torch.load(last, weights_only=True)
    assert state["lr"] == 0.0005
    assert [group["max_lr"] for group in state["optimizer"]["param_groups"]] == [0.0005]
    assert state["scheduler"]["base_lrs"] == [0.0005 / 25]  # OneCycle 从 max_lr / 25 开始


def test_a_better_published_model_is_never_replaced(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DL_OUTPUT_DIR", str(tmp_path))
    published = tmp_path / poem_cli.MODEL_FILES["tang"]
    published.parent.mkdir(parents=True)
    torch.save({"model": {}, "vocab": [], "config": {}, "valid_perplexity": 2.0}, published)  # 一个“更好”的旧模型
    before = published.read_bytes()
    corpus = poems_generation.load_corpus(300, 42)
    train_small(["--epochs", "1"], corpus)
    assert published.read_bytes() == before
    assert "保留它" in capsys.readouterr().out
    latest = torch.load(published.with_name("poem_lstm.latest.pt"), weights_only=True)
    assert latest["valid_perplexity"] > 2.0 and latest["epoch"] == 1


def test_an_exploding_loss_stops_training_and_writes_no_model(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DL_OUTPUT_DIR", str(tmp_path))
    corpus = poems_generation.load_corpus(300, 42)
    with pytest.raises(TrainingDivergedError) as stop:
        train_small(["--epochs", "2", "--lr", "1e6"], corpus)
    assert "发散" in str(stop.value) and "学习率调小" in str(stop.value)
    assert "没有保存模型" in capsys.readouterr().out
    assert output_files(tmp_path) == []


@pytest.mark.slow
def test_quick_mode_cli_runs_and_a_diverging_run_exits_nonzero(tmp_path, monkeypatch, capsys):
    """默认命令（训练、评估、生成）和一次发散的训练，都在本进程内经 common.cli.run（直接运行的冒烟测试见 test_scripts.py）。"""
    finished = run_in_process(cwd=tmp_path, quick=True, monkeypatch=monkeypatch, capsys=capsys)
    assert finished.code == 0, finished.err[-3000:]
    assert "模型已保存" in finished.out
    assert "测试集" in finished.out and "合律" in finished.out
    finished = run_in_process("train", "--lr", "1e6", cwd=tmp_path, quick=True, monkeypatch=monkeypatch, capsys=capsys)
    assert finished.code == 1 and "OverflowError" not in finished.err, finished.err
    assert finished.last_error_line.startswith("错误：") and "发散" in finished.err
    assert "以前发布的" in finished.out and "没有改动" in finished.out  # 上面那次运行发布的模型还在


# ---------------------------------------------------------------- 二元语法基线
def test_bigram_matches_a_hand_computed_kneser_ney_and_sums_to_one():
    # 词表 0..3；训练序列 (0 1 2)、(0 1 3)、(0 2 2)
    data = torch.tensor([[0, 1, 2], [0, 1, 3], [0, 2, 2]])
    model = bigram.BigramModel(data, 4)
    model.discount = 0.5
    # N(0,1)=2, N(0,2)=1：N(0)=3，T(0)=2；每个字前面出现过的不同字数：1 <- {0}，2 <- {1, 0, 2}，3 <- {1}，共 5
    continuation = np.array([0, 1, 3, 1]) / 5
    expected = (2 - 0.5) / 3 + 0.5 * 2 / 3 * continuation[1]
    assert model.probabilities(np.array([0]), np.array([1]))[0] == pytest.approx(expected)
    # 从没当过前一个字的 3：直接用 P_cont
    np.testing.assert_allclose(model.next_distribution(3), continuation)
    for prev in range(4):
        assert model.next_distribution(prev).sum() == pytest.approx(1.0)


def test_bigram_on_the_poems_is_normalised_and_discount_is_chosen_on_validation(corpus):
    train_poems, valid_poems, _ = poem_model.split_poems(corpus[:2000])
    vocab = poem_model.build_vocab(train_poems)
    train_data, valid_data = (poem_model.encode(p, vocab) for p in (train_poems, valid_poems))
    model = bigram.BigramModel(train_data, len(vocab))
    for prev in (0, 1, 2, 10, len(vocab) - 1):
        assert model.next_distribution(prev).sum() == pytest.approx(1.0, abs=1e-9)
    scores = model.fit_discount(valid_data)
    assert model.discount == min(scores, key=scores.get)
    uniform = np.log(len(vocab) - 1)  # 均匀分布（<bos> 不会被预测）的交叉熵
    assert model.mean_cross_entropy(valid_data) < uniform - 1.0


def test_split_is_by_poem_deterministic_and_disjoint(corpus):
    a = poem_model.split_poems(corpus)
    b = poem_model.split_poems(corpus)
    assert a == b and [len(part) for part in a] == [8273, 1034, 1035]
    assert sum(map(len, a)) == len(corpus)


# ---------------------------------------------------------------- 随仓库提供的模型
def test_shipped_checkpoint_is_registered_small_and_consistent(shipped):
    relative = poem_cli.SHIPPED["tang"]
    path = DATA_DIR / relative
    assert hashlib.sha256(path.read_bytes()).hexdigest() == CHECKSUMS[relative]
    assert path.stat().st_size <= 8 * 2**20  # 共用的词向量矩阵只存一份：7.7 MB（以前存两份：10.5 MB）
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert CHECKSUMS[relative] in readme
    model, vocab, checkpoint = shipped
    assert checkpoint["model"]["embedding.weight"].dtype == torch.float16
    assert "decoder.weight" not in checkpoint["model"]
    assert vocab[:2] == [poem_model.BOS, poem_model.UNK] and len(vocab) == len(set(vocab))
    assert checkpoint["config"]["n_poems"] == 10342 and checkpoint["epoch"] == 16


def test_shipped_model_perplexity_is_unchanged(shipped, corpus):
    """测试集前 100 首上的困惑度：与把共用矩阵存两份的旧文件算出的值相同（115.4955；全部 1,035 首：126.8）。"""
    model, vocab, checkpoint = shipped
    test_poems = poem_model.split_poems(corpus, checkpoint["config"]["seed"])[2][:100]
    loss = poems_generation.test(model, torch.device("cpu"), poems_generation.eval_loader(
        poem_model.encode(test_poems, vocab)))
    assert poem_model.perplexity(loss) == pytest.approx(115.4955, abs=1e-4)


# ---------------------------------------------------------------- 宋诗数据
def test_song_poems_are_registered_converted_and_deduplicated():
    """宋诗文件的 SHA-256 已登记；简体是 OpenCC t2s 从繁体逐首转出来的；与唐诗没有两句以上相同的诗。"""
    opencc = pytest.importorskip("opencc")
    relative = "poems/song_qijue.jsonl.gz"
    assert hashlib.sha256((DATA_DIR / relative).read_bytes()).hexdigest() == CHECKSUMS[relative]
    assert CHECKSUMS[relative] in (DATA_DIR / "README.md").read_text(encoding="utf-8")
    rows = load_song_poems(with_meta=True)
    assert len(rows) == 71518 and all(map(gelv.is_well_formed, (r["simp"] for r in rows)))
    convert = opencc.OpenCC("t2s").convert
    assert all(convert(r["trad"]) == r["simp"] for r in rows[::50])  # 每 50 首查一首，约 0.1 秒
    tang = import_chapter_file("ch09_rnn/prepare_song.py", "prepare_song").LineIndex()
    for poem in load_poems():
        tang.add(poem)
    assert all(tang.most_shared(r["simp"]) < 2 for r in rows[::10])  # 与任何一首唐诗都没有两句相同


def test_prepare_song_filters_and_deduplicates():
    prepare_song = import_chapter_file("ch09_rnn/prepare_song.py", "prepare_song")
    tang = [GOOD]
    rows = [{"author": "甲", "title": "一", "trad": "春風□□□□□，" + GOOD[8:]},  # 缺字
            {"author": "乙", "title": "二", "trad": GOOD[:16] + "江南江北雪漫漫，" + "遥知山中有客还。"},  # 两句与唐诗相同
            {"author": "丙", "title": "三", "trad": "春風十里揚州路，卷上珠簾總不如。江南江北雪漫漫，遙知山中有客還。"},
            {"author": "丁", "title": "四", "trad": "春風十里揚州路，卷上珠簾總不如。青山一道同雲雨，明月何曾是兩鄉。"}]
    kept, stats = prepare_song.prepare(rows, tang, lambda text: text.translate(str.maketrans("風揚簾總遙還兩", "风扬帘总遥还两")))
    assert [row["author"] for row in kept] == ["丙"]
    assert kept[0]["simp"].startswith("春风十里扬州路")
    assert stats == {"read": 4, "incomplete": 1, "duplicate_of_tang": 1, "duplicate_within_song": 1, "kept": 1}


# ---------------------------------------------------------------- 训练：它在学
def test_train_lowers_the_loss_on_a_fixed_batch(corpus):
    """几步训练（同一个小批量反复用）后，平均交叉熵明显下降：train() 确实在学。"""
    vocab = poem_model.build_vocab(corpus[:200])
    data = poem_model.encode(corpus[:32], vocab)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(data), batch_size=32)
    torch.manual_seed(0)
    model = poem_model.PoemModel(len(vocab), hidden_size=32, num_layers=1, dropout=0.0)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)
    guard = poems_generation.DivergenceGuard()
    losses = [poems_generation.train(model, torch.device("cpu"), loader, optimizer, step, torch.nn.CrossEntropyLoss(),
                                     scheduler, guard, 1.0) for step in range(1, 31)]
    assert losses[-1] < losses[0] - 1.0, losses


# ---------------------------------------------------------------- 解码：格式由模型选、重字、挑选候选
class FirstLinePreference(torch.nn.Module):
    """一个“模型”：别处没有偏好（logits 全为 0），只在第 1 句的某几个位置偏好某一类字（logits 加 4）。

    sample() 每一步喂进一个字，第 k 次调用给出第 k 个字符（从 0 数）的 logits；state 记着调用了几次。
    preferences: {位置: 偏好的字的集合}。
    """

    def __init__(self, vocab, preferences):
        super().__init__()
        self.bias = {k: torch.tensor([4.0 if t in chars else 0.0 for t in vocab]) for k, chars in preferences.items()}
        self.vocab_size = len(vocab)

    def forward(self, x, state=None):
        step = 0 if state is None else state
        logits = torch.zeros(x.shape[0], x.shape[1], self.vocab_size)
        if step in self.bias:
            logits[:, -1] += self.bias[step]
        return logits, step + 1


@pytest.mark.slow  # 生成 2 × 60 首：约 2 秒
def test_the_model_chooses_whether_the_first_line_rhymes(corpus):
    """首句入韵与否不再抽签：偏好首句入韵写法的模型（第 3 字平、第 5 字仄、第 7 字平声韵字），写出的几乎都首句入韵；
    在第 7 字偏好仄声字的，几乎都不入韵。两种情况下每一首都合律。"""
    vocab = poem_model.build_vocab(corpus[:1500])
    rhyming = {t for t in vocab if gelv.tone(t) == gelv.PING and gelv.ping_groups(t)}
    oblique = {t for t in vocab if gelv.tone(t) == gelv.ZE}
    shares = []
    level = {t for t in vocab if gelv.tone(t) == gelv.PING}
    for preferences in ({2: level, 4: oblique, 6: rhyming}, {6: oblique}):
        model = FirstLinePreference(vocab, preferences)
        generated = sampling.generate_poems(model, vocab, 60, temperature=1.0, seed=5, best_of=1, retries=0)
        assert all(gelv.check(p).ok for p in generated)
        shares.append(sum(map(gelv.first_line_rhymes, generated)) / len(generated))
    assert shares[0] > 0.9 and shares[1] < 0.1, shares


@pytest.mark.slow  # 生成 2 × 60 首：2 核 CPU 上 1.9～2.3 秒
def test_repeat_penalty_lowers_repeated_characters(shipped):
    model, vocab, _ = shipped
    counts = []
    for penalty in (0.0, 2.0):
        poems = sampling.generate_poems(model, vocab, 60, temperature=1.0, top_k=None, seed=7, best_of=1,
                                        repeat_penalty=penalty)
        counts.append(sum(map(sampling.extra_repeats, poems)) / len(poems))
    assert counts[1] < counts[0] - 0.5, counts


def test_extra_repeats_do_not_count_adjacent_reduplication():
    assert sampling.extra_repeats(GOOD) == 0
    assert sampling.extra_repeats("青青河畔草如丝，" + GOOD[8:]) == 0  # 叠字“青青”算一个字
    assert sampling.extra_repeats(GOOD.replace("两岸", "千岸")) == 1  # 千 在第 2 句已经用过


def test_reranking_picks_the_higher_scoring_candidate():
    other = "秦时明月汉时关，万里长征人未还。但使龙城飞马在，不教胡马度阴山。"  # 马 重复一次，合律
    broken = GOOD.replace("山。", "中。")  # 不合律：即使分数最高也不选
    chosen = sampling.choose_best([GOOD, other, broken, GOOD], [-50.0, -40.0, -1.0, -60.0],
                                  [0.5, 0.5, 0.5, 0.5], best_of=4)
    assert chosen == [other]  # -40 - 0.5（一个重字） > -50
    # 第 4 句的韵是硬凑的（概率 < 1 %）时排到后面，即使对数概率更高
    assert sampling.choose_best([GOOD, other], [-50.0, -40.0], [0.2, 0.001], best_of=2) == [GOOD]
    assert sampling.choose_best([broken, broken], [0.0, 0.0], [1.0, 1.0], best_of=2) == [None]


@pytest.mark.slow  # 生成 360 首候选：约 3 秒
def test_forced_rhymes_are_rare_with_best_of_k(shipped, corpus):
    """同一个模型：每首只采样一次时，第 4 句韵脚常是模型自己不会写的字；从 8 个候选中挑选后很少。"""
    model, vocab, checkpoint = shipped
    train_lines = sampling.train_lines_of(poem_model.split_poems(corpus, checkpoint["config"]["seed"])[0])
    rates = []
    for best_of in (1, 8):
        poems = sampling.generate_poems(model, vocab, 40, temperature=0.8, top_k=20, seed=11, best_of=best_of)
        rates.append(sampling.quality_report(poems, train_lines, model, vocab)["forced_rhymes"])
    assert rates[1] <= 0.15 < rates[0], rates


def test_shipped_tang_song_checkpoint_is_registered_small_and_loads_with_weights_only():
    """唐诗 + 宋诗模型：SHA-256 已登记，不超过 12 MB（float16，共用矩阵只存一份），weights_only=True 能读。"""
    relative = poem_cli.SHIPPED_CHECKPOINT
    path = DATA_DIR / relative
    assert relative == "poems/poem_lstm_tang_song.pt"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == CHECKSUMS[relative]
    assert CHECKSUMS[relative] in (DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert path.stat().st_size <= 12 * 10**6
    raw = torch.load(path, weights_only=True)
    assert raw["config"]["corpus"] == "tang+song" and raw["config"]["min_count"] == 3
    assert raw["model"]["embedding.weight"].dtype == torch.float16 and "decoder.weight" not in raw["model"]
    assert len(raw["vocab"]) == 6144 and raw["vocab"][:2] == [poem_model.BOS, poem_model.UNK]
