"""字符级 LSTM 语言模型：用 10,342 首唐代七言绝句训练，再生成合乎格式的七言绝句。

    python ch09_rnn/3_poems_generation.py                        # 训练（真实运行）后生成几首诗
    python ch09_rnn/3_poems_generation.py generate --acrostic 春夏秋冬   # 用随仓库提供的模型写藏头诗，几秒钟
    python ch09_rnn/3_poems_generation.py generate --start 春风 --temperature 0.8 --top-k 20 --num 5
    python ch09_rnn/3_poems_generation.py generate --rhyme        # 另外约束第 2、4 句押韵
    python ch09_rnn/3_poems_generation.py evaluate               # 测试集困惑度：LSTM 与二元语法基线对比
    python ch09_rnn/3_poems_generation.py train --resume output/ch09_rnn/poem_lstm_last.pt --epochs 12
    DL_QUICK=1 python ch09_rnn/3_poems_generation.py             # 快速模式：小子集上的小模型，几秒钟

数据按“首”随机划分为训练 / 验证 / 测试（80 % / 10 % / 10 %，固定种子）。每首诗的输入是
<bos> 加 32 个字符，模型逐字预测下一个字符（标点也算一个字符）。训练集里只出现一次的字记作 <unk>，
所以验证集、测试集里没见过的字也有概率可算。

基线是平滑的字符二元语法（bigram）：插值 Kneser–Ney，折扣 d 在验证集上选。两个模型在完全相同的
测试字符序列上算困惑度，打印在一起。

生成时按格式约束解码：第 8、24 个位置一定是“，”，第 16、32 个位置一定是“。”，句内只在汉字中采样
（标点、<bos>、<unk> 的概率置零），所以 100 % 的输出都是四句七言。加 --rhyme 时，第 4 句的末字
只在与第 2 句末字同韵的字中采样。

训练把检查点写到 output/ch09_rnn/：poem_lstm.pt（验证集上最好的一轮，半精度参数 + 词表 + 配置，
可以复制到 data/poems/ 随仓库提供）和 poem_lstm_last.pt（最后一轮，含优化器状态，用于 --resume）。
"""
import argparse
import math
import os
import time
from collections import Counter

import numpy as np
import torch
from matplotlib.ticker import MaxNLocator
from pypinyin import Style, pinyin
from torch import nn
from tqdm import tqdm

from common.device import get_device
from common.load_data import check_file, load_poems
from common.paths import output_dir, output_path, relative_to_repo, save_json
from common.plotting import plt, save_figure, show
from common.quick import pick
from common.seed import set_seed
from common.trainer import check_finite_loss

SEED = 42
BOS, UNK = "<bos>", "<unk>"  # 诗的开头；训练集里少于 MIN_COUNT 次的字
MIN_COUNT = 2
POEM_LENGTH = 32  # 四句，每句 7 个字加一个标点
LINE_LENGTH = 8  # 7 个字 + 标点
PUNCTUATION = {7: "，", 15: "。", 23: "，", 31: "。"}  # 位置（从 0 数）-> 格式要求的标点
SHIPPED_CHECKPOINT = "poems/poem_lstm.pt"  # data/ 下随仓库提供的模型
BEST_CHECKPOINT = "ch09_rnn/poem_lstm.pt"  # output/ 下：验证集最好的一轮
LAST_CHECKPOINT = "ch09_rnn/poem_lstm_last.pt"  # output/ 下：最后一轮（可继续训练）

# 真实运行 / 快速模式的默认设置
N_POEMS = pick(real=None, quick=600)  # None 表示全部 10,342 首
EPOCHS = pick(real=20, quick=1)
HIDDEN_SIZE = pick(real=384, quick=32)
NUM_LAYERS = 2
BATCH_SIZE = 32
LEARNING_RATE = 2e-3
DROPOUT = pick(real=0.2, quick=0.0)
CLIP_NORM = 1.0
N_QUALITY = pick(real=200, quick=20)  # 统计生成质量用的诗的首数


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


# ---------------------------------------------------------------- 模型
class PoemModel(nn.Module):
    """字符级语言模型：Embedding -> 多层 LSTM（或 GRU）-> 线性层，输出下一个字的 logits。

    输入层与输出层共用同一个词向量矩阵（权重绑定，weight tying）：省掉一个 (V, H) 的矩阵，
    每个字的向量在输入端（被读到时）和输出端（被预测时）都得到训练。
    """

    def __init__(self, vocab_size, hidden_size=HIDDEN_SIZE, num_layers=NUM_LAYERS, cell="lstm",
                 dropout=DROPOUT):
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


def save_checkpoint(path, model, vocab, config, half=False, **extra):
    """保存 state_dict + 词表 + 配置（+ 其他可选内容）。half=True 时参数以 float16 存储，文件小一半。"""
    state = {k: (v.half() if half and v.is_floating_point() else v).cpu() for k, v in model.state_dict().items()}
    torch.save({"model": state, "vocab": list(vocab), "config": dict(config), **extra}, path)


def load_checkpoint(path, device="cpu", expected_vocab=None):
    """读取检查点，返回 (model, vocab, checkpoint 字典)。模型为 float32、eval 模式。

    expected_vocab: 给出时，检查点的词表必须与它完全相同（继续训练时用），否则报错。
    """
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    where = relative_to_repo(path)
    if not isinstance(checkpoint, dict) or not {"model", "vocab", "config"} <= checkpoint.keys():
        raise ValueError(f"{where} 不是本脚本保存的检查点：应为含 model、vocab、config 的字典。")
    vocab, config = checkpoint["vocab"], checkpoint["config"]
    if expected_vocab is not None and vocab != list(expected_vocab):
        raise ValueError(
            f"{where} 的词表（{len(vocab)} 个词元）与当前数据建立的词表（{len(expected_vocab)} 个词元）不一致："
            "检查点是在另一份数据（或另一种快速模式设置）上训练的。请去掉 --resume 从头训练，"
            "或者用训练它时的同样设置继续。")
    rows = checkpoint["model"]["embedding.weight"].shape[0]
    if rows != len(vocab):
        raise ValueError(f"{where} 的词向量矩阵有 {rows} 行，但词表有 {len(vocab)} 个词元：词表与参数不匹配，"
                         "检查点已损坏或被改动过。请重新训练或恢复随仓库提供的文件。")
    model = PoemModel(len(vocab), config["hidden_size"], config["num_layers"], config["cell"], config["dropout"])
    try:
        model.load_state_dict(checkpoint["model"])
    except RuntimeError as error:
        raise ValueError(f"{where} 的参数形状与配置 {config} 不匹配：{error}") from None
    return model.to(device).eval(), vocab, checkpoint


# ---------------------------------------------------------------- 困惑度：LSTM 与二元语法基线
def mean_cross_entropy(model, data, device, batch_size=512):
    """data: (N, 33) 编码后的诗。返回每个被预测字符的平均交叉熵（nats）；困惑度 = exp(它)。"""
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(data), batch_size):
            batch = data[start:start + batch_size].to(device)
            logits, _ = model(batch[:, :-1])
            total += nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1),
                                                 reduction="sum").item()
            count += batch[:, 1:].numel()
    return total / count


class BigramModel:
    """插值 Kneser–Ney 字符二元语法：

        P(c | p) = max(N(p, c) - d, 0) / N(p) + d * T(p) / N(p) * P_cont(c)

    N(p, c) 是训练集里 p 后面紧跟 c 的次数，N(p) = Σ_c N(p, c)，T(p) 是 p 后面出现过的不同字数，
    P_cont(c) 正比于 c 前面出现过的不同字数（“能接在多少种字后面”）。没有在训练集里当过前一个字的 p
    直接用 P_cont。
    """

    def __init__(self, train_data, vocab_size):
        prev, nxt = train_data[:, :-1].reshape(-1).numpy(), train_data[:, 1:].reshape(-1).numpy()
        self.counts = np.zeros((vocab_size, vocab_size), dtype=np.int32)
        np.add.at(self.counts, (prev, nxt), 1)
        self.row_totals = self.counts.sum(axis=1).astype(np.float64)
        self.row_types = (self.counts > 0).sum(axis=1).astype(np.float64)
        followers = (self.counts > 0).sum(axis=0).astype(np.float64)
        self.continuation = followers / followers.sum()
        self.discount = 0.75

    def probabilities(self, prev, nxt):
        """P(nxt | prev)，prev、nxt 是同形状的编号数组。"""
        totals = self.row_totals[prev]
        seen = totals > 0
        safe = np.where(seen, totals, 1.0)
        discounted = np.maximum(self.counts[prev, nxt] - self.discount, 0) / safe
        backoff = np.where(seen, self.discount * self.row_types[prev] / safe, 1.0)
        return discounted + backoff * self.continuation[nxt]

    def next_distribution(self, prev):
        """给定前一个字的编号，返回下一个字的完整分布（长度 V，和为 1）。"""
        vocab_size = len(self.continuation)
        return self.probabilities(np.full(vocab_size, prev), np.arange(vocab_size))

    def mean_cross_entropy(self, data):
        prev, nxt = data[:, :-1].reshape(-1).numpy(), data[:, 1:].reshape(-1).numpy()
        return float(-np.log(self.probabilities(prev, nxt)).mean())

    def fit_discount(self, valid_data, grid=np.arange(0.05, 1.0, 0.05)):
        """在验证集上选折扣 d（交叉熵最小的那个），返回 {d: 验证集交叉熵}。"""
        scores = {}
        for d in grid:
            self.discount = float(d)
            scores[round(float(d), 2)] = self.mean_cross_entropy(valid_data)
        self.discount = min(scores, key=scores.get)
        return scores


# ---------------------------------------------------------------- 按格式约束的生成
def is_well_formed(poem):
    """四句七言：长度 32，第 8/16/24/32 个字符是“，。，。”，其余都是汉字。"""
    return (len(poem) == POEM_LENGTH
            and all(poem[i] == mark for i, mark in PUNCTUATION.items())
            and all(c.isalpha() for i, c in enumerate(poem) if i not in PUNCTUATION))


def rhyme_keys(char):
    """一个字各个读音的普通话韵母，去掉介音 i/u/ü，如 “还” -> {"an", "ai"}（huan、hai），“间” -> {"an"}。"""
    keys = set()
    for final in pinyin(char, style=Style.FINALS, strict=True, heteronym=True)[0]:
        if len(final) > 1 and final[0] in "iuv" and final[1] in "aeo":
            final = final[1:]
        keys.add(final)
    return keys


def lines_2_and_4_rhyme(poem):
    """第 2、4 句的末字是否押韵：两个字有某个读音的韵母（去掉介音）相同。"""
    return bool(rhyme_keys(poem[2 * LINE_LENGTH - 2]) & rhyme_keys(poem[4 * LINE_LENGTH - 2]))


def verse_lines(poem):
    """一首诗的四句（各 7 个字，不含标点）。"""
    return [poem[i * LINE_LENGTH:i * LINE_LENGTH + 7] for i in range(4)]


def generate_poems(model, vocab, num, *, start="", acrostic="", temperature=1.0, top_k=None, rhyme=False,
                   device="cpu", seed=SEED):
    """按格式约束采样 num 首七言绝句（一次并行生成一批），返回字符串列表。

    start: 第一句的开头（最多 7 个字）；acrostic: 4 个字，分别作为四句的第一个字（藏头诗）。
    temperature: logits 除以它再做 softmax（<1 更保守，>1 更随机）；top_k: 只在概率最高的 k 个字中采样。
    rhyme: True 时第 4 句的末字只在与第 2 句末字同韵（rhyme_keys 有交集）的字中采样。
    """
    if temperature <= 0:
        raise ValueError(f"temperature 应大于 0，实际为 {temperature}")
    if top_k is not None and top_k < 1:
        raise ValueError(f"top_k 应为正整数（或不设），实际为 {top_k}")
    if start and acrostic:
        raise ValueError("start 与 acrostic 只能二选一")
    if len(start) > 7:
        raise ValueError(f"开头 {start!r} 有 {len(start)} 个字，最多 7 个（第一句的长度）")
    if acrostic and len(acrostic) != 4:
        raise ValueError(f"藏头诗需要恰好 4 个字（每句一个），实际为 {acrostic!r}（{len(acrostic)} 个字）")
    check_prompt(start or acrostic, vocab, "开头" if start else "藏头")

    index = {token: i for i, token in enumerate(vocab)}
    forced = {i: c for i, c in enumerate(start)}  # 位置 -> 指定的字
    forced.update({i * LINE_LENGTH: c for i, c in enumerate(acrostic)})
    forced.update(PUNCTUATION)
    # 句内允许的词元：只有汉字（标点、<bos>、<unk> 都不行）
    allowed = torch.tensor([len(t) == 1 and t.isalpha() for t in vocab], device=device)
    if rhyme:  # rhyme_table[i, j] = 1：第 i 个字有一个读音属于第 j 个韵母；用来在第 4 句末尾只留下同韵的字
        key_index = {}
        rows = [[key_index.setdefault(k, len(key_index)) for k in rhyme_keys(t)] if ok else []
                for t, ok in zip(vocab, allowed.tolist())]
        rhyme_table = torch.zeros(len(vocab), len(key_index), device=device)
        for i, columns in enumerate(rows):
            rhyme_table[i, columns] = 1.0
    rhyme_position, rhyme_source = 4 * LINE_LENGTH - 2, 2 * LINE_LENGTH - 2  # 第 4 句、第 2 句的末字
    generator = torch.Generator(device=device).manual_seed(seed)

    model.eval()
    tokens = torch.full((num, 1), index[BOS], dtype=torch.int64, device=device)
    out, state = [], None
    with torch.no_grad():
        for position in range(POEM_LENGTH):
            logits, state = model(tokens, state)
            if position in forced:
                tokens = torch.full((num, 1), index[forced[position]], dtype=torch.int64, device=device)
            else:
                logits = logits[:, -1] / temperature
                logits = logits.masked_fill(~allowed, -math.inf)
                if rhyme and position == rhyme_position:  # (num, V)：与各自第 2 句末字同韵的字
                    same_rhyme = rhyme_table[out[rhyme_source][:, 0]] @ rhyme_table.T > 0
                    logits = logits.masked_fill(~same_rhyme, -math.inf)
                if top_k is not None:  # 第 k 大的值以下全部置为 -inf
                    kth = logits.topk(min(top_k, int(allowed.sum())), dim=-1).values[:, -1:]
                    logits = logits.masked_fill(logits < kth, -math.inf)
                probs = torch.softmax(logits, dim=-1)
                tokens = torch.multinomial(probs, 1, generator=generator)
            out.append(tokens)
    ids = torch.cat(out, dim=1).cpu().tolist()
    return ["".join(vocab[i] for i in row) for row in ids]


def quality_report(poems, train_poems, corpus_poems):
    """生成质量：格式正确的比例、第 2/4 句押韵的比例（与真实诗对比）、与训练集逐字相同的句子比例。"""
    train_lines = {line for poem in train_poems for line in verse_lines(poem)}
    lines = [line for poem in poems for line in verse_lines(poem)]
    corpus = [p for p in corpus_poems if is_well_formed(p)]
    return {
        "n_poems": len(poems),
        "well_formed": sum(map(is_well_formed, poems)) / len(poems),
        "rhyme_2_4": sum(map(lines_2_and_4_rhyme, poems)) / len(poems),
        "rhyme_2_4_corpus": sum(map(lines_2_and_4_rhyme, corpus)) / len(corpus),
        "copied_lines": sum(line in train_lines for line in lines) / len(lines),
    }


def print_poem(poem):
    print("\n".join("    " + poem[i * LINE_LENGTH:(i + 1) * LINE_LENGTH] for i in range(4)) + "\n")


# ---------------------------------------------------------------- 命令：训练、评估、生成
def prepare_data(n_poems, seed):
    poems = load_poems()[:n_poems]
    train_poems, valid_poems, test_poems = split_poems(poems, seed)
    return poems, train_poems, valid_poems, test_poems


def run_epoch(model, loader, loss_fn, optimizer, scheduler, device, epoch, epochs, clip_norm):
    """训练一轮（每一步之后按计划调整学习率），返回平均交叉熵。"""
    model.train()
    total, count = 0.0, 0
    for step, (batch,) in enumerate(tqdm(loader, desc=f"第 {epoch}/{epochs} 轮", leave=False, mininterval=2)):
        batch = batch.to(device)
        x, y = batch[:, :-1], batch[:, 1:]  # 输入 <bos> 加前 31 个字，目标是 32 个字
        pred, _ = model(x)
        loss = loss_fn(pred.reshape(-1, pred.shape[-1]), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), clip_norm)  # 梯度裁剪：防止梯度爆炸
        optimizer.step()
        scheduler.step()
        total += check_finite_loss(loss.item(), where=f"第 {epoch} 轮第 {step + 1} 步") * len(batch)
        count += len(batch)
    return total / count


def train(args):
    output_dir()  # 输出目录不可写时在训练之前就报错
    device = get_device(args.device, verbose=True)
    set_seed(args.seed)
    poems, train_poems, valid_poems, test_poems = prepare_data(args.n_poems, args.seed)
    vocab = build_vocab(train_poems)
    train_data, valid_data = encode(train_poems, vocab), encode(valid_poems, vocab)
    print(f"诗 {len(poems)} 首：训练 {len(train_poems)}、验证 {len(valid_poems)}、测试 {len(test_poems)}；"
          f"词表 {len(vocab)} 个词元（训练集里至少出现 {MIN_COUNT} 次的字 + <bos>、<unk>）")

    if args.resume:
        model, _, checkpoint = load_checkpoint(args.resume, device, expected_vocab=vocab)
        if "optimizer" not in checkpoint:
            raise ValueError(f"{relative_to_repo(args.resume)} 只含模型参数，没有优化器状态和训练记录，不能继续训练；"
                             f"请用训练时写出的 output/{LAST_CHECKPOINT}。")
        config = checkpoint["config"]
        history, first_epoch = checkpoint["history"], checkpoint["epoch"] + 1
        print(f"从 {relative_to_repo(args.resume)} 继续训练：已训练 {checkpoint['epoch']} 轮")
    else:
        config = model_config(vocab, args.cell, args.hidden_size, args.num_layers, args.dropout,
                              len(poems), args.seed)
        model = PoemModel(len(vocab), args.hidden_size, args.num_layers, args.cell, args.dropout).to(device)
        history, first_epoch = {"train_loss": [], "valid_loss": []}, 1
    bigram = BigramModel(train_data, len(vocab))
    bigram.fit_discount(valid_data)
    bigram_valid_ppl = math.exp(bigram.mean_cross_entropy(valid_data))
    print(f"基线：二元语法（Kneser–Ney，d = {bigram.discount:.2f}）的验证集困惑度 {bigram_valid_ppl:.1f}")
    n_params = sum(p.numel() for p in model.parameters())
    print(f"模型：{config['num_layers']} 层 {config['cell'].upper()}，隐藏层 {config['hidden_size']}，"
          f"参数 {n_params / 1e6:.2f} M（输入输出共用词向量）")

    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps_per_epoch = math.ceil(len(train_data) / args.batch_size)
    if first_epoch > args.epochs:
        raise ValueError(f"检查点已经训练了 {first_epoch - 1} 轮，--epochs {args.epochs} 没有剩下的轮数；"
                         f"请把 --epochs 设得更大。")
    # 学习率先在前 5 % 的步数里升到 lr，再按余弦曲线降到接近 0（OneCycle 计划）
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.lr, total_steps=(args.epochs - first_epoch + 1) * steps_per_epoch,
        pct_start=0.05, anneal_strategy="cos")
    if args.resume:
        optimizer.load_state_dict(checkpoint["optimizer"])
        if checkpoint["total_epochs"] == args.epochs:  # 训练被打断：接着原来的学习率计划
            scheduler.load_state_dict(checkpoint["scheduler"])
        else:  # 加长训练：剩下的轮数重新走一遍计划（“热重启”）
            print(f"原计划 {checkpoint['total_epochs']} 轮，现在 {args.epochs} 轮：剩下的 "
                  f"{args.epochs - first_epoch + 1} 轮重新从 lr = {args.lr} 开始降学习率")
    best_valid = min(history["valid_loss"], default=math.inf)

    start = time.perf_counter()
    for epoch in range(first_epoch, args.epochs + 1):
        shuffle = torch.Generator().manual_seed(args.seed + epoch)  # 每轮一个固定种子：继续训练时顺序不变
        loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(train_data), batch_size=args.batch_size,
                                             shuffle=True, generator=shuffle, num_workers=0)
        epoch_start = time.perf_counter()
        train_loss = run_epoch(model, loader, loss_fn, optimizer, scheduler, device, epoch, args.epochs,
                               args.clip_norm)
        valid_loss = mean_cross_entropy(model, valid_data, device)
        history["train_loss"].append(train_loss)
        history["valid_loss"].append(valid_loss)
        improved = valid_loss < best_valid
        if improved:
            best_valid = valid_loss
            save_checkpoint(output_path(BEST_CHECKPOINT), model, vocab, config, half=True,
                            metrics={"epoch": epoch, "valid_perplexity": math.exp(valid_loss)})
        save_checkpoint(output_path(LAST_CHECKPOINT), model, vocab, config, epoch=epoch, total_epochs=args.epochs,
                        history=history, optimizer=optimizer.state_dict(), scheduler=scheduler.state_dict())
        print(f"第 {epoch}/{args.epochs} 轮：训练交叉熵 {train_loss:.3f}，验证交叉熵 {valid_loss:.3f}"
              f"（困惑度 {math.exp(valid_loss):.1f}）{'，已保存（目前最好）' if improved else ''}，"
              f"{time.perf_counter() - epoch_start:.0f} 秒")
    seconds = time.perf_counter() - start
    plot_history(history, bigram_valid_ppl)
    print(f"训练完成：{args.epochs - first_epoch + 1} 轮用时 {seconds / 60:.1f} 分钟；"
          f"最好的一轮已保存到 {relative_to_repo(output_path(BEST_CHECKPOINT))}")
    return {"train_seconds": seconds, "history": history, "bigram_valid_perplexity": bigram_valid_ppl,
            "n_parameters": n_params}


def plot_history(history, bigram_valid_ppl):
    """每轮的训练、验证困惑度，与二元语法基线的验证困惑度对照。"""
    epochs = range(1, len(history["train_loss"]) + 1)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(epochs, [math.exp(v) for v in history["train_loss"]], "o-", label="训练集（一轮的平均，训练模式，含 Dropout）")
    ax.plot(epochs, [math.exp(v) for v in history["valid_loss"]], "s-", label="验证集")
    ax.axhline(bigram_valid_ppl, color="gray", linestyle="--", label="二元语法基线（验证集）")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("轮")
    ax.set_ylabel("困惑度")
    ax.set_title("唐诗语言模型的困惑度")
    ax.legend()
    save_figure(fig, "ch09_rnn/poems_perplexity.png")


def evaluate(checkpoint_path, device):
    """在测试集上比较 LSTM 与二元语法基线的困惑度（同一份划分、同一份词表、同样的字符序列）。"""
    model, vocab, checkpoint = load_checkpoint(checkpoint_path, device)
    config = checkpoint["config"]
    _, train_poems, valid_poems, test_poems = prepare_data(config["n_poems"], config["seed"])
    train_data, valid_data, test_data = (encode(p, vocab) for p in (train_poems, valid_poems, test_poems))

    bigram = BigramModel(train_data, len(vocab))
    bigram.fit_discount(valid_data)
    bigram_ppl = math.exp(bigram.mean_cross_entropy(test_data))
    lstm_ppl = math.exp(mean_cross_entropy(model, test_data, device))
    reduction = 1 - lstm_ppl / bigram_ppl
    print(f"测试集 {len(test_poems)} 首（{test_data[:, 1:].numel()} 个字符）的困惑度："
          f"二元语法基线（Kneser–Ney，d = {bigram.discount:.2f}）{bigram_ppl:.1f}，"
          f"{config['cell'].upper()} {lstm_ppl:.1f}，{'低' if reduction >= 0 else '高'}了 {abs(reduction):.1%}"
          f"（目标：至少低 40 %）")
    return {"test_perplexity": lstm_ppl, "bigram_test_perplexity": bigram_ppl, "bigram_discount": bigram.discount,
            "reduction": reduction, "epoch": checkpoint.get("metrics", {}).get("epoch")}


def generate(checkpoint_path, device, args):
    """从检查点生成 args.num 首诗并打印；再生成一批（至少 N_QUALITY 首）统计质量。"""
    model, vocab, checkpoint = load_checkpoint(checkpoint_path, device)
    config = checkpoint["config"]
    n = max(args.num, N_QUALITY)
    poems = generate_poems(model, vocab, n, start=args.start, acrostic=args.acrostic,
                           temperature=args.temperature, top_k=args.top_k or None, rhyme=args.rhyme, device=device,
                           seed=args.seed)
    setting = f"温度 {args.temperature}，top-k {args.top_k or '不限'}{'，第 2、4 句押韵' if args.rhyme else ''}"
    prompt = f"，开头“{args.start}”" if args.start else f"，藏头“{args.acrostic}”" if args.acrostic else ""
    print(f"生成（{setting}{prompt}）：\n")
    for poem in poems[:args.num]:
        print_poem(poem)
    corpus, train_poems, _, _ = prepare_data(config["n_poems"], config["seed"])
    quality = quality_report(poems, train_poems, corpus)
    print(f"{n} 首生成诗的质量：格式正确 {quality['well_formed']:.0%}；第 2、4 句押韵 {quality['rhyme_2_4']:.0%}"
          f"（真实诗中 {quality['rhyme_2_4_corpus']:.0%}）；与训练集逐字相同的句子 {quality['copied_lines']:.1%}")
    return {"poems": poems[:args.num], "quality": quality, "temperature": args.temperature, "top_k": args.top_k,
            "rhyme": args.rhyme}


def default_checkpoint():
    """随仓库提供的模型（先核对 SHA-256）。"""
    return check_file(SHIPPED_CHECKPOINT)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", default="all", choices=["all", "train", "generate", "evaluate"],
                        help="all（默认）：训练后评估并生成；train：只训练；generate：只生成；evaluate：只评估")
    parser.add_argument("--device", default=None, help="cpu / cuda / mps，默认自动选择")
    parser.add_argument("--seed", type=int, default=SEED)
    training = parser.add_argument_group("训练")
    training.add_argument("--epochs", type=int, default=EPOCHS)
    training.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    training.add_argument("--lr", type=float, default=LEARNING_RATE)
    training.add_argument("--hidden-size", type=int, default=HIDDEN_SIZE)
    training.add_argument("--num-layers", type=int, default=NUM_LAYERS)
    training.add_argument("--dropout", type=float, default=DROPOUT)
    training.add_argument("--cell", choices=["lstm", "gru"], default="lstm")
    training.add_argument("--clip-norm", type=float, default=CLIP_NORM)
    training.add_argument("--n-poems", type=int, default=N_POEMS, help="只用前若干首诗（默认全部）")
    training.add_argument("--resume", default=None, help="从 poem_lstm_last.pt 这样的检查点继续训练")
    sampling = parser.add_argument_group("生成与评估")
    sampling.add_argument("--checkpoint", default=None,
                          help="模型文件；generate/evaluate 默认用随仓库提供的 data/poems/poem_lstm.pt")
    sampling.add_argument("--start", default="", help="第一句的开头，如 春风")
    sampling.add_argument("--acrostic", default="", help="藏头诗的四个字，如 春夏秋冬")
    sampling.add_argument("--temperature", type=float, default=0.8, help="采样温度，大于 0")
    sampling.add_argument("--top-k", type=int, default=20, help="只在概率最高的 k 个字中采样；0 表示不限")
    sampling.add_argument("--rhyme", action="store_true", help="约束第 4 句末字与第 2 句末字同韵")
    sampling.add_argument("--num", type=int, default=pick(real=5, quick=2), help="打印几首诗")
    return parser.parse_args(argv)


def run(args):
    results = {"command": args.command}
    if args.command in ("all", "train"):
        results["train"] = train(args)
    if args.command == "train":
        return results
    if args.checkpoint:
        checkpoint_path = args.checkpoint
        if not os.path.isfile(checkpoint_path):
            raise ValueError(f"找不到模型文件 {checkpoint_path}；先训练（会写到 output/{BEST_CHECKPOINT}），"
                             "或者去掉 --checkpoint 使用随仓库提供的模型。")
    elif args.command == "all":
        checkpoint_path = output_path(BEST_CHECKPOINT)  # 刚训练好的模型，不是随仓库提供的那个
    else:
        checkpoint_path = default_checkpoint()
    device = get_device(args.device, verbose=args.command != "all")
    if args.command in ("all", "evaluate"):
        results["evaluate"] = evaluate(checkpoint_path, device)
    if args.command in ("all", "generate"):
        results["generate"] = generate(checkpoint_path, device, args)
    return results


def main(argv=None):
    args = parse_args(argv)
    try:
        results = run(args)
    except ValueError as error:  # 提示里有词表外的字、检查点不匹配等：只打印说明，不打印一长串调用栈
        raise SystemExit(f"错误：{error}") from None
    save_json(f"ch09_rnn/poems_{args.command}.json", results)
    show()


if __name__ == "__main__":
    main()
