"""从唐诗语言模型采样七言绝句：按格式约束（总是），按格律约束（默认），以及生成质量的统计。

    poems = generate_poems(model, vocab, 5, acrostic="春夏秋冬", temperature=0.8, top_k=20)
    poems = generate_poems(model, vocab, 5, free=True)     # 不加格律约束：看模型自己写成什么样
    report = quality_report(poems, train_lines)

约束只在采样这一步：模型给出的概率分布不变，只是把不允许的字的 logits 设为 -inf 再做 softmax，
所以模型的困惑度不受影响，--free 的输出也与没有格律约束时逐字相同。
"""
import math

import torch

import gelv
from gelv import LINE_LENGTH, POEM_LENGTH, PUNCTUATION, RHYME, is_well_formed, verse_lines
from poem_model import BOS, SEED, check_prompt

MIN_GROUP_SIZE = 3  # 一个韵部在词表里至少要有这么多字，才能当整首诗的韵（首句入韵时要三个不同的韵脚）
BATCH = 1000  # 一次并行生成的最多首数
FREE, NEED_PING, NEED_ZE, NEED_RHYME = 0, 1, 2, 3  # 每个位置的要求（编码成整数，便于按批查表）


class GelvMasks:
    """词表上的布尔掩码：哪些词元是汉字、能放在平声 / 仄声的位置、属于哪个平声韵部。"""

    def __init__(self, vocab, device="cpu"):
        hanzi = [len(t) == 1 and t.isalpha() for t in vocab]
        tones = [gelv.tone(t) if ok else "" for t, ok in zip(vocab, hanzi)]
        hanzi = torch.tensor(hanzi, device=device)
        can_ping = torch.tensor([t in (gelv.PING, gelv.EITHER) for t in tones], device=device)
        can_ze = torch.tensor([t in (gelv.ZE, gelv.EITHER) for t in tones], device=device)
        self.tone = torch.stack([hanzi, hanzi & can_ping, hanzi & can_ze])  # (3, V)：按 FREE/NEED_PING/NEED_ZE 取行
        # members[g, v]：第 v 个词元属于第 g 个平声韵部（GelvMasks 只收词表里的汉字）
        self.members = torch.zeros(len(gelv.PING_GROUPS), len(vocab), dtype=torch.bool, device=device)
        for v, token in enumerate(vocab):
            if hanzi[v]:
                for group in gelv.ping_groups(token):
                    self.members[gelv.PING_GROUPS.index(group), v] = True
        self.usable_groups = self.members.sum(dim=1) >= MIN_GROUP_SIZE  # (G,)

    def requirements(self, patterns, device):
        """(len(patterns), 32) 的整数表：每种格式每个位置的要求（FREE/NEED_PING/NEED_ZE/NEED_RHYME）。"""
        code = {None: FREE, gelv.PING: NEED_PING, gelv.ZE: NEED_ZE, RHYME: NEED_RHYME}
        table = torch.zeros(len(patterns), POEM_LENGTH, dtype=torch.int64, device=device)
        for p, pattern in enumerate(patterns):
            for index in range(POEM_LENGTH):
                line, position = divmod(index, LINE_LENGTH)
                if position < 7:
                    table[p, index] = code[gelv.requirement(pattern, line, position)[0]]
        return table


def check_options(vocab, start, acrostic, temperature, top_k, free, yun):
    """生成参数与提示的检查：不合理时抛出 ValueError，说明哪里不对。"""
    if not (isinstance(temperature, (int, float)) and math.isfinite(temperature) and temperature > 0):
        raise ValueError(f"temperature 应是大于 0 的有限数，实际为 {temperature}")
    if top_k is not None and top_k < 1:
        raise ValueError(f"top_k 应为正整数（或不设），实际为 {top_k}")
    if start and acrostic:
        raise ValueError("start 与 acrostic 只能二选一")
    if len(start) > 7:
        raise ValueError(f"开头 {start!r} 有 {len(start)} 个字，最多 7 个（第一句的长度）")
    if acrostic and len(acrostic) != 4:
        raise ValueError(f"藏头诗需要恰好 4 个字（每句一个），实际为 {acrostic!r}（{len(acrostic)} 个字）")
    if yun and free:
        raise ValueError("指定韵部（yun）要用格律约束，不能与 free 同时使用")
    if yun and yun not in gelv.PING_GROUPS:
        raise ValueError(f"平水韵里没有平声韵部 {yun!r}；可选：{'、'.join(gelv.PING_GROUPS)}")
    check_prompt(start or acrostic, vocab, "开头" if start else "藏头")


def generate_poems(model, vocab, num, *, start="", acrostic="", temperature=1.0, top_k=None, free=False, yun=None,
                   device="cpu", seed=SEED, retries=3):
    """采样 num 首七言绝句（每批最多 BATCH 首并行生成），返回字符串列表。

    start: 第一句的开头（最多 7 个字）；acrostic: 4 个字，分别作为四句的第一个字（藏头诗）。
    temperature: logits 除以它再做 softmax（<1 更保守，>1 更随机）；top_k: 只在概率最高的 k 个（允许的）字中采样。
    free=False（默认）：按格律约束，每首诗都通过 gelv.check；free=True：只约束格式（四句七言、标点）。
    yun: 指定押哪个平声韵部（如 "十一尤"）；不指定时由模型在第一个韵脚处自己选。
    retries: 格律约束下，万一有诗没通过 gelv.check（约束与检查用同一套规则，不应发生），丢掉它重新生成，
        最多重试这么多轮；仍不通过就报错，绝不返回不合律的诗。
    """
    check_options(vocab, start, acrostic, temperature, top_k, free, yun)
    forced = {i: c for i, c in enumerate(start)}  # 位置 -> 指定的字
    forced.update({i * LINE_LENGTH: c for i, c in enumerate(acrostic)})
    generator = torch.Generator(device=device).manual_seed(seed)
    if free:
        return [poem for first in range(0, num, BATCH)
                for poem in _sample(model, vocab, min(BATCH, num - first), forced, temperature, top_k, device,
                                    generator)]

    masks = GelvMasks(vocab, device)
    if yun and not masks.usable_groups[gelv.PING_GROUPS.index(yun)]:
        count = int(masks.members[gelv.PING_GROUPS.index(yun)].sum())
        raise ValueError(f"韵部{yun}在模型的词表里只有 {count} 个字，不够三个不同的韵脚；请换一个韵部")
    patterns, why = gelv.patterns_for(forced, yun)
    if patterns and len(start) == 7:  # 开头写满了第一句：它的末字要是韵脚，得属于一个能用的韵部
        last = start[6]
        usable = [g for g in gelv.ping_groups(last) if masks.usable_groups[gelv.PING_GROUPS.index(g)]]
        patterns = [p for p in patterns if 0 not in gelv.rhyme_lines(p) or usable]
        why = why or f"第 1 句末字“{last}”所属的韵部在词表里的字太少，不能当整首诗的韵"
    if not patterns:
        raise ValueError(why)
    poems = [None] * num
    todo = list(range(num))
    for _ in range(retries + 1):
        for first in range(0, len(todo), BATCH):
            chunk = todo[first:first + BATCH]
            sampled = _sample(model, vocab, len(chunk), forced, temperature, top_k, device, generator,
                              masks=masks, patterns=patterns, yun=yun)
            for i, poem in zip(chunk, sampled):
                if gelv.check(poem).ok:
                    poems[i] = poem
        todo = [i for i in todo if poems[i] is None]
        if not todo:
            return poems
    raise RuntimeError(f"按格律约束采样后仍有 {len(todo)} 首没有通过 gelv.check（重试了 {retries} 轮）："
                       "约束与检查的规则不一致，这是程序的错误，请报告。")


def _sample(model, vocab, num, forced, temperature, top_k, device, generator, masks=None, patterns=None, yun=None):
    """并行采样 num 首。masks 为 None 时只约束格式；否则每首随机选 patterns 中的一种格式，逐字按它约束。"""
    index = {token: i for i, token in enumerate(vocab)}
    forced = {**forced, **PUNCTUATION}
    # 句内允许的词元：只有汉字（标点、<bos>、<unk> 都不行）
    allowed = torch.tensor([len(t) == 1 and t.isalpha() for t in vocab], device=device)
    if masks is not None:
        choice = torch.randint(len(patterns), (num,), generator=generator, device=device)
        needs = masks.requirements(patterns, device)[choice]  # (num, 32)：每首诗每个位置的要求
        groups = masks.usable_groups.expand(num, -1).clone()  # (num, G)：每首诗还可以押的韵部
        if yun:
            groups &= torch.arange(len(gelv.PING_GROUPS), device=device) == gelv.PING_GROUPS.index(yun)
        used = torch.zeros(num, len(vocab), dtype=torch.bool, device=device)  # 已经用过的韵脚（不许重韵）
    rows = torch.arange(num, device=device)

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
                if masks is not None:  # 格律：平仄不合的字、韵脚上不在韵部里的字，概率都置零
                    need = needs[:, position]
                    fit = masks.tone[need.clamp(max=NEED_ZE)]  # (num, V)
                    in_group = (groups.float() @ masks.members.float() > 0) & ~used
                    fit = torch.where((need == NEED_RHYME)[:, None], in_group, fit)
                    logits = logits.masked_fill(~fit, -math.inf)
                if top_k is not None:  # 第 k 大的值以下全部置为 -inf
                    kth = logits.topk(min(top_k, int(allowed.sum())), dim=-1).values[:, -1:]
                    logits = logits.masked_fill(logits < kth, -math.inf)
                probs = torch.softmax(logits, dim=-1)
                tokens = torch.multinomial(probs, 1, generator=generator)
            if masks is not None and position % LINE_LENGTH == 6:  # 韵脚：以后只能押它所在的韵部，且不能再用它
                rhyme = needs[:, position] == NEED_RHYME
                chosen = tokens[:, 0]
                groups = torch.where(rhyme[:, None], groups & masks.members[:, chosen].T, groups)
                used[rows[rhyme], chosen[rhyme]] = True
            out.append(tokens)
    ids = torch.cat(out, dim=1).cpu().tolist()
    return ["".join(vocab[i] for i in row) for row in ids]


# ---------------------------------------------------------------- 生成质量
def train_lines_of(train_poems):
    """训练集里所有的句子（集合），用来数生成的句子有多少是逐字照抄的。"""
    return {line for poem in train_poems for line in verse_lines(poem)}


def quality_report(poems, train_lines):
    """一批诗的质量：格式、押韵（平水韵）、平仄、完整格律的比例，照抄训练集的句子比例，以及多样性。

    rhyme: 第 2、4 句末字同属一个平声韵部；tone_pattern: 平仄合四种格式之一；gelv: gelv.check 完全通过；
    copied_lines: 与训练集某一句逐字相同的句子比例；distinct_chars / distinct_bigrams: 不同的字 / 句内相邻两字组合
    占全部的比例（越高越多样，与首数有关，比较时用同样多的诗）；unique_poems: 互不相同的诗的比例。
    """
    n = len(poems)
    lines = [line for poem in poems for line in verse_lines(poem)]
    chars = [c for line in lines for c in line]
    bigrams = [line[i:i + 2] for line in lines for i in range(len(line) - 1)]
    results = [gelv.check(poem) for poem in poems]
    return {
        "n_poems": n,
        "well_formed": sum(map(is_well_formed, poems)) / n,
        "rhyme": sum(map(gelv.lines_2_and_4_rhyme, poems)) / n,
        "tone_pattern": sum(map(gelv.tone_pattern_ok, poems)) / n,
        "gelv": sum(r.ok for r in results) / n,
        "copied_lines": sum(line in train_lines for line in lines) / len(lines),
        "distinct_chars": len(set(chars)) / len(chars),
        "distinct_bigrams": len(set(bigrams)) / len(bigrams),
        "unique_poems": len(set(poems)) / n,
    }
