"""第 9 章（ch09_rnn）的测试：按格式约束的生成、藏头诗与提示错误、检查点的保存/读取/继续训练、
二元语法基线，以及随仓库提供的模型文件。

脚本名以数字开头，不能直接 import，这里按文件路径导入。
"""
import hashlib
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from common.load_data import CHECKSUMS, DATA_DIR, load_poems
from common.paths import REPO_ROOT
from tests.chapter_files import import_chapter_file

SCRIPT = REPO_ROOT / "ch09_rnn" / "3_poems_generation.py"
poems_generation = import_chapter_file(SCRIPT.relative_to(REPO_ROOT), "ch09_poems_generation")


@pytest.fixture(scope="module")
def corpus():
    return load_poems()


@pytest.fixture(scope="module")
def untrained(corpus):
    """一个没训练过的小模型：它给标点、<bos>、<unk> 的概率和给汉字的差不多，最能考验格式约束。"""
    vocab = poems_generation.build_vocab(corpus[:300])
    torch.manual_seed(0)
    model = poems_generation.PoemModel(len(vocab), hidden_size=16, num_layers=1, dropout=0.0).eval()
    return model, vocab


@pytest.fixture(scope="module")
def shipped():
    model, vocab, checkpoint = poems_generation.load_checkpoint(poems_generation.default_checkpoint())
    return model, vocab, checkpoint


# ---------------------------------------------------------------- 格式约束
@pytest.mark.parametrize("temperature, top_k", [(0.5, 5), (1.0, None), (5.0, None), (50.0, None)])
def test_every_sample_is_a_well_formed_qijue_even_at_high_temperature(untrained, temperature, top_k):
    model, vocab = untrained
    poems = poems_generation.generate_poems(model, vocab, 300, temperature=temperature, top_k=top_k, seed=1)
    assert len(poems) == 300
    bad = [p for p in poems if not poems_generation.is_well_formed(p)]
    assert not bad, f"{len(bad)} 首格式不对，例如 {bad[:3]}"
    assert not any(token in "".join(poems) for token in ("<", "，，", "。。"))


def test_shipped_model_is_well_formed_and_mostly_original(shipped, corpus):
    model, vocab, checkpoint = shipped
    poems = poems_generation.generate_poems(model, vocab, 100, temperature=1.5, top_k=None, seed=3)
    assert all(map(poems_generation.is_well_formed, poems))
    train_poems = poems_generation.split_poems(corpus, checkpoint["config"]["seed"])[0]
    quality = poems_generation.quality_report(poems, train_poems, corpus)
    assert quality["well_formed"] == 1.0
    assert quality["copied_lines"] < 0.2  # 高温采样下整句照抄训练集的应该很少
    assert len(set(poems)) == len(poems)


def test_well_formed_checker_rejects_broken_poems(corpus):
    good = "朝辞白帝彩云间，千里江陵一日还。两岸猨声啼不尽，轻舟已过万重山。"
    assert poems_generation.is_well_formed(good)
    assert not poems_generation.is_well_formed(good[:-1])
    assert not poems_generation.is_well_formed(good.replace("，", "。", 1))
    assert not poems_generation.is_well_formed(good.replace("白", "，"))
    # 语料里 10,295 首是标准的“，。，。”（其余 47 首用了问号等），检查器认出的正好是这些
    assert sum(map(poems_generation.is_well_formed, corpus)) == 10295


def test_rhyme_constraint_makes_lines_2_and_4_rhyme(untrained, shipped):
    for model, vocab in (untrained, shipped[:2]):
        poems = poems_generation.generate_poems(model, vocab, 100, rhyme=True, temperature=2.0, seed=5)
        assert all(map(poems_generation.is_well_formed, poems))
        assert all(map(poems_generation.lines_2_and_4_rhyme, poems))


def test_rhyme_keys_drop_the_medial_and_cover_every_reading():
    assert poems_generation.rhyme_keys("间") == {"an"}  # jian
    assert {"an", "ai"} <= poems_generation.rhyme_keys("还")  # hai、huan（pypinyin 另有一个读音 fu）
    assert poems_generation.rhyme_keys("花") == {"a"}  # hua
    assert poems_generation.lines_2_and_4_rhyme("朝辞白帝彩云间，千里江陵一日还。两岸猨声啼不尽，轻舟已过万重山。")
    assert not poems_generation.lines_2_and_4_rhyme("朝辞白帝彩云间，千里江陵一日还。两岸猨声啼不尽，轻舟已过万重楼。")


# ---------------------------------------------------------------- 开头、藏头与提示错误
def test_acrostic_puts_the_four_characters_at_the_start_of_each_line(shipped):
    model, vocab, _ = shipped
    for poem in poems_generation.generate_poems(model, vocab, 20, acrostic="春夏秋冬", temperature=2.0, seed=2):
        assert poems_generation.is_well_formed(poem)
        assert [line[0] for line in poems_generation.verse_lines(poem)] == list("春夏秋冬")


def test_start_continues_the_given_opening(shipped):
    model, vocab, _ = shipped
    poems = poems_generation.generate_poems(model, vocab, 20, start="春风", seed=4)
    assert all(p.startswith("春风") and poems_generation.is_well_formed(p) for p in poems)


@pytest.mark.parametrize("kwargs, words", [
    (dict(acrostic="春夏秋鑫"), ["鑫"]),  # 不在词表里的字要被列出来
    (dict(start="春风abc"), ["a", "b", "c"]),
    (dict(start="春，"), ["，"]),  # 标点不能出现在句内
    (dict(acrostic="春夏秋"), ["4 个字"]),
    (dict(start="一二三四五六七八"), ["最多 7 个"]),
    (dict(start="春", acrostic="春夏秋冬"), ["二选一"]),
    (dict(temperature=0.0), ["temperature"]),
    (dict(top_k=0), ["top_k"]),
])
def test_bad_prompts_raise_clear_errors(shipped, kwargs, words):
    model, vocab, _ = shipped
    with pytest.raises(ValueError) as error:
        poems_generation.generate_poems(model, vocab, 2, **kwargs)
    for word in words:
        assert word in str(error.value)


def run_cli(*args, cwd):
    env = dict(os.environ, PYTHONIOENCODING="utf-8", MPLBACKEND="Agg")
    return subprocess.run([sys.executable, str(SCRIPT), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=300)


def test_cli_acrostic_from_the_shipped_checkpoint(tmp_path):
    result = run_cli("generate", "--acrostic", "春夏秋冬", "--num", "2", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [line.strip() for line in result.stdout.splitlines()
             if len(line.strip()) == 8 and line.strip()[-1] in "，。"]
    assert len(lines) == 8 and [line[0] for line in lines] == list("春夏秋冬" * 2)
    assert "格式正确 100%" in result.stdout


def test_cli_unknown_characters_give_a_message_not_a_traceback(tmp_path):
    result = run_cli("generate", "--start", "春风鑫犇", cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "鑫" in result.stderr and "犇" in result.stderr and "词表" in result.stderr


# ---------------------------------------------------------------- 检查点
def logits_of(model, vocab):
    x = poems_generation.encode(["朝辞白帝彩云间，千里江陵一日还。两岸猨声啼不尽，轻舟已过万重山。"], vocab)
    with torch.no_grad():
        return model(x)[0]


@pytest.mark.parametrize("half", [False, True])
def test_checkpoint_round_trip(untrained, tmp_path, half):
    model, vocab = untrained
    config = poems_generation.model_config(vocab, "lstm", 16, 1, 0.0, 300, 42)
    path = tmp_path / "model.pt"
    poems_generation.save_checkpoint(path, model, vocab, config, half=half)
    raw = torch.load(path, weights_only=True)  # 只含张量、字符串、数字：weights_only 能读
    assert raw["vocab"] == vocab and raw["config"] == config
    assert raw["model"]["embedding.weight"].dtype == (torch.float16 if half else torch.float32)
    loaded, loaded_vocab, _ = poems_generation.load_checkpoint(path)
    assert loaded_vocab == vocab and next(loaded.parameters()).dtype == torch.float32
    # float16 有 11 位有效二进制位（相对误差约 5e-4）；这个小模型的 logits 在 1 附近，容差取 1e-2
    torch.testing.assert_close(logits_of(loaded, vocab), logits_of(model, vocab), rtol=0, atol=1e-2 if half else 0)


def test_checkpoint_whose_vocabulary_or_shape_does_not_match_is_rejected(untrained, tmp_path):
    model, vocab = untrained
    config = poems_generation.model_config(vocab, "lstm", 16, 1, 0.0, 300, 42)
    path = tmp_path / "model.pt"
    poems_generation.save_checkpoint(path, model, vocab[:-5], config)  # 词表比参数少 5 行
    with pytest.raises(ValueError, match="词表与参数不匹配"):
        poems_generation.load_checkpoint(path)
    poems_generation.save_checkpoint(path, model, vocab, dict(config, hidden_size=32))  # 配置与参数形状不符
    with pytest.raises(ValueError, match="形状"):
        poems_generation.load_checkpoint(path)
    poems_generation.save_checkpoint(path, model, vocab, config)
    with pytest.raises(ValueError, match="不一致"):  # 继续训练时数据的词表不同
        poems_generation.load_checkpoint(path, expected_vocab=vocab[:-1] + ["鑫"])
    torch.save({"weights": model.state_dict()}, path)
    with pytest.raises(ValueError, match="不是本脚本保存的检查点"):
        poems_generation.load_checkpoint(path)


def test_resumed_training_equals_uninterrupted_training(tmp_path, monkeypatch):
    """训练 2 轮，与先训练 1 轮（被打断）、再从检查点继续，参数应完全相同。"""
    options = ["--n-poems", "300", "--hidden-size", "16", "--num-layers", "1", "--dropout", "0", "--device", "cpu"]
    parse = poems_generation.parse_args
    monkeypatch.setenv("DL_OUTPUT_DIR", str(tmp_path / "straight"))
    poems_generation.train(parse(["train", "--epochs", "2", *options]))
    straight = torch.load(tmp_path / "straight" / poems_generation.LAST_CHECKPOINT, weights_only=True)
    best = tmp_path / "straight" / poems_generation.BEST_CHECKPOINT  # 只含参数：不能用来继续训练
    with pytest.raises(ValueError, match="不能继续训练"):
        poems_generation.train(parse(["train", "--epochs", "3", "--resume", str(best), *options]))

    monkeypatch.setenv("DL_OUTPUT_DIR", str(tmp_path / "resumed"))
    run_epoch = poems_generation.run_epoch

    def interrupted_in_epoch_2(*args):
        if args[6] == 2:  # 第 7 个参数是轮数
            raise KeyboardInterrupt
        return run_epoch(*args)

    monkeypatch.setattr(poems_generation, "run_epoch", interrupted_in_epoch_2)
    with pytest.raises(KeyboardInterrupt):
        poems_generation.train(parse(["train", "--epochs", "2", *options]))
    monkeypatch.setattr(poems_generation, "run_epoch", run_epoch)
    last = tmp_path / "resumed" / poems_generation.LAST_CHECKPOINT
    assert torch.load(last, weights_only=True)["epoch"] == 1
    result = poems_generation.train(parse(["train", "--epochs", "2", "--resume", str(last), *options]))
    resumed = torch.load(last, weights_only=True)

    assert resumed["history"] == straight["history"] and len(result["history"]["valid_loss"]) == 2
    for name, value in straight["model"].items():
        torch.testing.assert_close(resumed["model"][name], value, rtol=0, atol=0)


# ---------------------------------------------------------------- 二元语法基线
def test_bigram_matches_a_hand_computed_kneser_ney_and_sums_to_one():
    # 词表 0..3；训练序列 (0 1 2)、(0 1 3)、(0 2 2)
    data = torch.tensor([[0, 1, 2], [0, 1, 3], [0, 2, 2]])
    bigram = poems_generation.BigramModel(data, 4)
    bigram.discount = 0.5
    # N(0,1)=2, N(0,2)=1：N(0)=3，T(0)=2；每个字前面出现过的不同字数：1 <- {0}，2 <- {1, 0, 2}，3 <- {1}，共 5
    continuation = np.array([0, 1, 3, 1]) / 5
    expected = (2 - 0.5) / 3 + 0.5 * 2 / 3 * continuation[1]
    assert bigram.probabilities(np.array([0]), np.array([1]))[0] == pytest.approx(expected)
    # 从没当过前一个字的 3：直接用 P_cont
    np.testing.assert_allclose(bigram.next_distribution(3), continuation)
    for prev in range(4):
        assert bigram.next_distribution(prev).sum() == pytest.approx(1.0)


def test_bigram_on_the_poems_is_normalised_and_discount_is_chosen_on_validation(corpus):
    train_poems, valid_poems, _ = poems_generation.split_poems(corpus[:2000])
    vocab = poems_generation.build_vocab(train_poems)
    train_data, valid_data = (poems_generation.encode(p, vocab) for p in (train_poems, valid_poems))
    bigram = poems_generation.BigramModel(train_data, len(vocab))
    for prev in (0, 1, 2, 10, len(vocab) - 1):
        assert bigram.next_distribution(prev).sum() == pytest.approx(1.0, abs=1e-9)
    scores = bigram.fit_discount(valid_data)
    assert bigram.discount == min(scores, key=scores.get)
    uniform = np.log(len(vocab) - 1)  # 均匀分布（<bos> 不会被预测）的交叉熵
    assert bigram.mean_cross_entropy(valid_data) < uniform - 1.0


def test_split_is_by_poem_deterministic_and_disjoint(corpus):
    a = poems_generation.split_poems(corpus)
    b = poems_generation.split_poems(corpus)
    assert a == b and [len(part) for part in a] == [8273, 1034, 1035]
    assert sum(map(len, a)) == len(corpus)


# ---------------------------------------------------------------- 随仓库提供的模型
def test_shipped_checkpoint_is_registered_small_and_consistent(shipped):
    relative = poems_generation.SHIPPED_CHECKPOINT
    path = DATA_DIR / relative
    assert hashlib.sha256(path.read_bytes()).hexdigest() == CHECKSUMS[relative]
    assert path.stat().st_size <= 15 * 2**20
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert CHECKSUMS[relative] in readme
    model, vocab, checkpoint = shipped
    assert checkpoint["model"]["embedding.weight"].dtype == torch.float16
    assert vocab[:2] == [poems_generation.BOS, poems_generation.UNK] and len(vocab) == len(set(vocab))
    assert checkpoint["config"]["n_poems"] == 10342
