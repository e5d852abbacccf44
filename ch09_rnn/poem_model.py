"""唐诗语言模型的词表、模型和检查点（3_poems_generation.py 用；1_embedding_test.ipynb 读同一个模型文件）。

    vocab = build_vocab(train_poems)               # ["<bos>", "<unk>", "不", "人", …]
    data = encode(poems, vocab)                    # (N, 33) int64：<bos> + 32 个字符
    model = PoemModel(len(vocab), hidden_size=384)
    model, vocab, checkpoint = load_poem_checkpoint(path)

检查点是一个字典，只含张量、字符串和数字（torch.load(..., weights_only=True) 能读）：
model（state_dict，输入输出共用的词向量矩阵只存一份）、vocab、config、epoch、valid_perplexity。
"""
import math
from collections import Counter

import numpy as np
import torch
from torch import nn

from common.checkpoint import CheckpointError, load_checkpoint, load_model_state
from common.paths import relative_to_repo

SEED = 42
BOS, UNK = "<bos>", "<unk>"  # 诗的开头；训练集里少于 MIN_COUNT 次的字
MIN_COUNT = 2
CHECKPOINT_KEYS = ("model", "vocab", "config")
TIED_KEY = "decoder.weight"  # 与 embedding.weight 是同一个张量（权重绑定），保存时省掉


# ---------------------------------------------------------------- 数据与词表
def split_poems(poems, seed=SEED, fractions=(0.8, 0.1)):
    """按首随机划分，返回 (train, valid, test) 三个字符串列表；相同的 seed 得到相同的划分。"""
    order = np.random.default_rng(seed).permutation(len(poems))
    n_train = int(len(poems) * fractions[0])
    n_valid = int(len(poems) * fractions[1])
    pick_poems = lambda idx: [poems[i] for i in idx]  # noqa: E731
    return (pick_poems(order[:n_train]), pick_poems(order[n_train:n_train + n_valid]),
            pick_poems(order[n_train + n_valid:]))


def build_vocab(train_poems, min_count=MIN_COUNT):
    """词表（字符串列表）：<bos>、<unk>，然后是训练集里至少出现 min_count 次的字，按频率从高到低。"""
    counts = Counter("".join(train_poems))
    chars = sorted((c for c, n in counts.items() if n >= min_count), key=lambda c: (-counts[c], c))
    return [BOS, UNK] + chars


def encode(poems, vocab):
    """把诗编码成 (N, 33) 的 int64 张量：第 0 列是 <bos>，后面 32 列是字的编号（不在词表里的记作 <unk>）。"""
    index = {token: i for i, token in enumerate(vocab)}
    unk = index[UNK]
    rows = [[index[BOS]] + [index.get(c, unk) for c in poem] for poem in poems]
    return torch.tensor(rows, dtype=torch.int64)


def check_prompt(text, vocab, what):
    """提示里的每个字都必须是词表里的汉字，否则报错并列出是哪些字。"""
    known = set(vocab)
    bad = sorted({c for c in text if c not in known or not c.isalpha()}, key=text.index)
    if bad:
        raise ValueError(f"{what} {text!r} 中有 {len(bad)} 个字不在模型的词表里（或不是汉字）："
                         f"{'、'.join(bad)}。请换成常见的汉字（词表共 {len(vocab) - 2} 个字，"
                         f"都是训练集里至少出现 {MIN_COUNT} 次的字）。")


def perplexity(mean_loss):
    """困惑度 = exp(平均交叉熵)；损失大到 exp 会溢出时返回 inf，而不是抛出 OverflowError。"""
    return math.exp(mean_loss) if mean_loss < 700 else math.inf


# ---------------------------------------------------------------- 模型
class PoemModel(nn.Module):
    """字符级语言模型：Embedding -> 多层 LSTM（或 GRU）-> 线性层，输出下一个字的 logits。

    输入层与输出层共用同一个词向量矩阵（权重绑定，weight tying）：省掉一个 (V, H) 的矩阵，
    每个字的向量在输入端（被读到时）和输出端（被预测时）都得到训练。
    """

    def __init__(self, vocab_size, hidden_size=384, num_layers=2, cell="lstm", dropout=0.2):
        super().__init__()
        rnn_class = {"lstm": nn.LSTM, "gru": nn.GRU}[cell]
        self.embedding = nn.Embedding(vocab_size, hidden_size)
        self.dropout = nn.Dropout(dropout)
        self.rnn = rnn_class(hidden_size, hidden_size, num_layers=num_layers, batch_first=True,
                             dropout=dropout if num_layers > 1 else 0.0)
        self.decoder = nn.Linear(hidden_size, vocab_size)
        self.decoder.weight = self.embedding.weight  # 权重绑定：两层用同一个参数张量
        nn.init.normal_(self.embedding.weight, std=hidden_size ** -0.5)

    def forward(self, x, state=None):
        """x: (N, T) int64 -> (logits (N, T, V), 最后的隐藏状态)。"""
        h, state = self.rnn(self.dropout(self.embedding(x)), state)
        return self.decoder(self.dropout(h)), state


def model_config(vocab, cell, hidden_size, num_layers, dropout, n_poems, seed):
    """检查点里的配置（只含字符串和数字，weights_only=True 可以读回）。"""
    return {"cell": cell, "hidden_size": hidden_size, "num_layers": num_layers, "dropout": dropout,
            "vocab_size": len(vocab), "n_poems": n_poems, "seed": seed}


def model_state(model, half=False):
    """要保存的 state_dict（放到 CPU 上）：去掉与 embedding.weight 相同的 decoder.weight，绑定的矩阵只存一份。

    half=True 时浮点参数转成 float16，文件再小一半（读回时转回 float32）。
    """
    state = {key: value.detach().cpu() for key, value in model.state_dict().items() if key != TIED_KEY}
    if half:
        state = {key: value.half() if value.is_floating_point() else value for key, value in state.items()}
    return state


def make_checkpoint(model, vocab, config, half=False, **extra):
    """检查点字典：model（state_dict）、vocab、config，再加上 extra（如 epoch、valid_perplexity、优化器状态）。"""
    return {"model": model_state(model, half), "vocab": list(vocab), "config": dict(config), **extra}


def load_poem_checkpoint(path, device="cpu", expected_vocab=None, how_to_make=""):
    """读取检查点文件，返回 (model, vocab, checkpoint 字典)。模型为 float32、eval 模式。

    文件不存在时抛出 FileNotFoundError，空的、损坏的、不是本脚本保存的、词表与参数对不上的抛出
    CheckpointError（消息说明是哪个文件、什么问题、怎么办）。
    expected_vocab: 给出时，检查点的词表必须与它完全相同（继续训练时用）。
    """
    checkpoint = load_checkpoint(path, required_keys=CHECKPOINT_KEYS, how_to_make=how_to_make)
    model = model_from_checkpoint(checkpoint, relative_to_repo(path), expected_vocab)
    return model.to(device).eval(), checkpoint["vocab"], checkpoint


def model_from_checkpoint(checkpoint, where="检查点", expected_vocab=None):
    """按检查点的配置建模型并装入参数（float32）；配置、词表、参数对不上时抛出 CheckpointError。"""
    vocab, config, state = checkpoint["vocab"], checkpoint["config"], checkpoint["model"]
    try:
        model = PoemModel(len(vocab), config["hidden_size"], config["num_layers"], config["cell"], config["dropout"])
        rows = state["embedding.weight"].shape[0]
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        raise CheckpointError(f"{where} 的配置或参数不完整（{type(error).__name__}: {error}），"
                              "不是本脚本保存的检查点") from None
    if expected_vocab is not None and vocab != list(expected_vocab):
        raise CheckpointError(
            f"{where} 的词表（{len(vocab)} 个词元）与当前数据建立的词表（{len(expected_vocab)} 个词元）不一致："
            "检查点是在另一份数据（或另一种快速模式设置）上训练的。请去掉 --resume 从头训练，"
            "或者用训练它时的同样设置继续。")
    if rows != len(vocab):
        raise CheckpointError(f"{where} 的词向量矩阵有 {rows} 行，但词表有 {len(vocab)} 个词元：词表与参数不匹配，"
                              "检查点已损坏或被改动过。请重新训练或恢复随仓库提供的文件。")
    if not isinstance(state, dict) or not all(torch.is_tensor(value) for value in state.values()):
        raise CheckpointError(f"{where} 里的 model 应是 state_dict（名字 -> 张量的字典），不是本脚本保存的检查点")
    state = {key: value.float() if value.is_floating_point() else value for key, value in state.items()}
    state.setdefault(TIED_KEY, state["embedding.weight"])  # 绑定的矩阵只存了一份
    load_model_state(model, state, where)
    return model.eval()


def transfer_weights(source, source_vocab, target, target_vocab):
    """把训练好的 source 模型的参数搬到 target（同样的结构，词表可以不同），返回沿用了词向量的字数。

    循环层的参数原样复制；词向量矩阵与输出层的偏置按字对齐：两个词表都有的字复制 source 的那一行，
    target 词表里新增的字保留随机的词向量，偏置取 source 里最小的那个（新增的字都少见）。结构（隐藏层大小、层数、单元）不同时抛出 CheckpointError。
    """
    source_index = {token: i for i, token in enumerate(source_vocab)}
    try:
        target.rnn.load_state_dict(source.rnn.state_dict())
    except RuntimeError as error:
        raise CheckpointError(f"出发的模型与要训练的模型结构不同（隐藏层大小、层数或单元）：{error}".splitlines()[0]) from None
    pairs = [(i, source_index[token]) for i, token in enumerate(target_vocab) if token in source_index]
    with torch.no_grad():
        rows, source_rows = zip(*pairs)
        target.embedding.weight[list(rows)] = source.embedding.weight[list(source_rows)]
        target.decoder.bias.fill_(source.decoder.bias.min())  # 新增的字都是少见的字：先给它们最少见的字的偏置
        target.decoder.bias[list(rows)] = source.decoder.bias[list(source_rows)]
    return len(pairs)
