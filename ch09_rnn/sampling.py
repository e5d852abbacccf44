"""从诗歌语言模型采样七言绝句：按格式约束（总是），按格律约束（默认），以及生成质量的统计。

    poems = generate_poems(model, vocab, 5, acrostic="春夏秋冬", temperature=0.8, top_k=20)
    poems = generate_poems(model, vocab, 5, free=True)     # 不加格律约束：看模型自己写成什么样
    report = quality_report(poems, train_lines, model, vocab)

默认的解码有四步，都只动采样这一步，模型给出的概率分布不变（困惑度不受影响）：
1. 格律掩码：每个位置只留“还有一种格式容得下”的字。四种格式一开始都在，写下一个字就去掉容不下它的格式，
   所以平起还是仄起、首句入韵与否都由模型写出的字决定（不是事先抽签）。韵部也一样：第一个韵脚落在哪个韵部，就押哪个。
2. 重字惩罚：已经用过的字 logits 减去 repeat_penalty（紧挨着的叠字如“青青”不罚）。
3. 每首诗采样 best_of 个候选，取模型自己打分最高的一个：分数是模型（不加约束、温度 1）给这首诗的对数概率，
   减去每个重字 REPEAT_COST；第 4 句韵脚在不加约束的模型下概率不到 FORCED_RHYME（1 %）的候选（“硬凑的韵”）排在后面。
4. 每首都再用 gelv.check 检查（约束与检查是同一套规则，不该有不通过的）。
free=True 只保留格式约束，不惩罚、不挑选：看模型自己写成什么样。
"""
import math

import torch

import gelv
from gelv import LINE_LENGTH, POEM_LENGTH, PUNCTUATION, RHYME, is_well_formed, verse_lines
from poem_model import BOS, SEED, check_prompt

MIN_GROUP_SIZE = 3  # 一个韵部在词表里至少要有这么多字，才能当整首诗的韵（首句入韵时要三个不同的韵脚）
BATCH = 1000  # 一次并行生成的最多首数
BEST_OF = 8  # 每首诗采样几个候选
REPEAT_PENALTY = 2.0  # 采样时已用过的字的 logits 减去它（nats）
REPEAT_COST = 1.0  # 挑选候选时每个重字扣的分（nats）
FORCED_RHYME = 0.01  # 第 4 句韵脚在不加约束的模型下的概率低于它，算“硬凑的韵”
FREE, NEED_PING, NEED_ZE, NEED_RHYME = 0, 1, 2, 3  # 每个位置的要求（编码成整数，便于按批查表）
RHYME_END = 3 * LINE_LENGTH + 6  # 第 4 句韵脚的位置（从 0 数）


class GelvMasks:
    """词表上的布尔掩码（按诗人的用法读）：哪些词元是汉字、能放在平声 / 仄声的位置、属于哪个平声韵部。"""

    def __init__(self, vocab, device="cpu"):
        hanzi = [len(t) == 1 and t.isalpha() for t in vocab]
        tones = [gelv.tone(t) if ok else "" for t, ok in zip(vocab, hanzi)]
        hanzi = torch.tensor(hanzi, device=device)
        can_ping = torch.tensor([t in (gelv.PING, gelv.EITHER) for t in tones], device=device)
        can_ze = torch.tensor([t in (gelv.ZE, gelv.EITHER) for t in tones], device=device)
        self.tone = torch.stack([hanzi, hanzi & can_ping, hanzi & can_ze])  # (3, V)：按 FREE/NEED_PING/NEED_ZE 取行
        # members[g, v]：第 v 个词元（汉字）按用法是第 g 个平声韵部的韵脚
        self.members = torch.zeros(len(gelv.PING_GROUPS), len(vocab), dtype=torch.bool, device=device)
        for v, token in enumerate(vocab):
            if hanzi[v]:
                for group in gelv.ping_groups(token):
                    self.members[gelv.PING_GROUPS.index(group), v] = True
        self.usable_groups = self.members.sum(dim=1) >= MIN_GROUP_SIZE  # (G,)
        self.needs = requirements(device)  # (4, 32)：四种格式每个位置的要求


def requirements(device="cpu"):
    """(4, 32) 的整数表：gelv.PATTERNS 的四种格式每个位置的要求（FREE/NEED_PING/NEED_ZE/NEED_RHYME）。"""
    code = {None: FREE, gelv.PING: NEED_PING, gelv.ZE: NEED_ZE, RHYME: NEED_RHYME}
    table = torch.zeros(len(gelv.PATTERNS), POEM_LENGTH, dtype=torch.int64, device=device)
    for p, pattern in enumerate(gelv.PATTERNS):
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
                   device="cpu", seed=SEED, retries=3, best_of=BEST_OF, repeat_penalty=REPEAT_PENALTY):
    """采样 num 首七言绝句，返回字符串列表。

    start: 第一句的开头（最多 7 个字）；acrostic: 4 个字，分别作为四句的第一个字（藏头诗）。
    temperature: logits 除以它再做 softmax（<1 更保守，>1 更随机）；top_k: 只在概率最高的 k 个（允许的）字中采样。
    free=False（默认）：按格律约束、重字惩罚、best_of 个候选里挑一个，每首诗都通过 gelv.check；
    free=True：只约束格式（四句七言、标点），不惩罚、不挑选。
    yun: 指定押哪个平声韵部（如 "十一尤"）；不指定时由模型在第一个韵脚处自己选。
    retries: 万一有诗没通过 gelv.check（约束与检查用同一套规则，不应发生），重新生成，最多这么多轮；仍不通过就报错。
    """
    check_options(vocab, start, acrostic, temperature, top_k, free, yun)
    forced = {i: c for i, c in enumerate(start)}  # 位置 -> 指定的字
    forced.update({i * LINE_LENGTH: c for i, c in enumerate(acrostic)})
    generator = torch.Generator(device=device).manual_seed(seed)
    if free:
        return [poem for first in range(0, num, BATCH)
                for poem in sample(model, vocab, min(BATCH, num - first), forced, temperature, top_k, device,
                                   generator)[0]]

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
    per_batch = max(1, BATCH // best_of)
    for _ in range(retries + 1):
        for first in range(0, len(todo), per_batch):
            chunk = todo[first:first + per_batch]
            candidates, scores, rhyme_probs = sample(
                model, vocab, len(chunk) * best_of, forced, temperature, top_k, device, generator,
                masks=masks, patterns=patterns, yun=yun, repeat_penalty=repeat_penalty)
            for i, poem in zip(chunk, choose_best(candidates, scores, rhyme_probs, best_of)):
                if poem is not None:
                    poems[i] = poem
        todo = [i for i in todo if poems[i] is None]
        if not todo:
            return poems
    raise RuntimeError(f"按格律约束采样后仍有 {len(todo)} 首没有通过 gelv.check（重试了 {retries} 轮）："
                       "约束与检查的规则不一致，这是程序的错误，请报告。")


def choose_best(candidates, scores, rhyme_probs, best_of):
    """每 best_of 个候选挑一首：先不要硬凑的韵（第 4 句韵脚的概率 < FORCED_RHYME），再取分数（对数概率减重字）最高的。

    不通过 gelv.check 的候选不选；一组全都不通过时这一首返回 None（由调用者重新生成）。
    """
    chosen = []
    for first in range(0, len(candidates), best_of):
        group = range(first, first + best_of)
        ok = [i for i in group if gelv.check(candidates[i]).ok]
        key = lambda i: (rhyme_probs[i] >= FORCED_RHYME, scores[i] - REPEAT_COST * extra_repeats(candidates[i]))  # noqa: E731
        chosen.append(candidates[max(ok, key=key)] if ok else None)
    return chosen


def sample(model, vocab, num, forced, temperature, top_k, device, generator, masks=None, patterns=None, yun=None,
           repeat_penalty=0.0):
    """并行采样 num 首，返回 (诗的列表, 每首的对数概率, 每首第 4 句韵脚的概率)。

    对数概率与韵脚的概率都按不加约束、温度 1 的模型（只在汉字上归一化）计算，用来挑选候选。
    masks 为 None 时只约束格式；否则按 patterns 里还容得下已写的字的那些格式约束平仄与押韵。
    """
    index = {token: i for i, token in enumerate(vocab)}
    forced = {**forced, **PUNCTUATION}
    # 句内允许的词元：只有汉字（标点、<bos>、<unk> 都不行）
    allowed = torch.tensor([len(t) == 1 and t.isalpha() for t in vocab], device=device)
    rows = torch.arange(num, device=device)
    if masks is not None:
        names = list(gelv.PATTERNS)
        alive = torch.zeros(num, len(names), dtype=torch.bool, device=device)  # 每首诗还容得下的格式
        alive[:, [names.index(p) for p in patterns]] = True
        groups = masks.usable_groups.expand(num, len(names), -1).clone()  # (num, 4, G)：每种格式还可以押的韵部
        if yun:
            groups &= torch.arange(len(gelv.PING_GROUPS), device=device) == gelv.PING_GROUPS.index(yun)
        used_feet = torch.zeros(num, len(vocab), dtype=torch.bool, device=device)  # 已经用过的韵脚（不许重韵）
    used = torch.zeros(num, len(vocab), dtype=torch.bool, device=device)  # 已经用过的字（重字惩罚）
    score = torch.zeros(num, device=device)
    rhyme_prob = torch.ones(num, device=device)

    model.eval()
    tokens = torch.full((num, 1), index[BOS], dtype=torch.int64, device=device)
    out, state = [], None
    with torch.no_grad():
        for position in range(POEM_LENGTH):
            logits, state = model(tokens, state)
            logits = logits[:, -1]
            if position in PUNCTUATION:
                tokens = torch.full((num, 1), index[forced[position]], dtype=torch.int64, device=device)
                out.append(tokens)
                continue
            if masks is not None:  # 格律：还容得下的格式里，至少一种允许的字
                fit, options = fitting_chars(masks, alive, groups, used_feet, position)
            if position in forced:
                tokens = torch.full((num, 1), index[forced[position]], dtype=torch.int64, device=device)
            else:
                scaled = logits.masked_fill(~allowed, -math.inf) / temperature
                if masks is not None:
                    scaled = scaled.masked_fill(~fit, -math.inf)
                if repeat_penalty:  # 用过的字减分；紧挨着的同一个字（叠字）不减
                    repeat = used.clone()
                    if position % LINE_LENGTH:
                        repeat[rows, tokens[:, 0]] = False
                    scaled = scaled - repeat_penalty * repeat
                if top_k is not None:  # 第 k 大的值以下全部置为 -inf
                    kth = scaled.topk(min(top_k, int(allowed.sum())), dim=-1).values[:, -1:]
                    scaled = scaled.masked_fill(scaled < kth, -math.inf)
                tokens = torch.multinomial(torch.softmax(scaled, dim=-1), 1, generator=generator)
            chosen = tokens[:, 0]
            log_probs = torch.log_softmax(logits.masked_fill(~allowed, -math.inf), dim=-1)[rows, chosen]
            score += log_probs
            if position == RHYME_END:
                rhyme_prob = log_probs.exp()
            used[rows, chosen] = True
            if masks is not None:  # 去掉容不下这个字的格式；韵脚：记下它的韵部，以后不能再用它
                for p, (need, in_group) in enumerate(options):
                    alive[:, p] &= in_group[rows, chosen] if need == NEED_RHYME else masks.tone[need][chosen]
                    if need == NEED_RHYME:
                        groups[:, p] &= masks.members[:, chosen].T
                if position % LINE_LENGTH == 6:
                    used_feet[rows, chosen] = True
            out.append(tokens)
    ids = torch.cat(out, dim=1).cpu().tolist()
    return ["".join(vocab[i] for i in row) for row in ids], score.tolist(), rhyme_prob.tolist()


def fitting_chars(masks, alive, groups, used_feet, position):
    """这个位置允许的字：还容得下的各种格式所允许的字的并集。

    返回 (fit (num, V), options)：options[p] = (格式 p 在这里的要求, 要求是韵脚时每首诗能用的字 (num, V))。
    """
    fit = torch.zeros_like(used_feet)
    options = []
    for p in range(alive.shape[1]):
        need = int(masks.needs[p, position])
        if need == NEED_RHYME:  # 这种格式还可以押的韵部里、没用过的字
            allowed_here = (groups[:, p].float() @ masks.members.float() > 0) & ~used_feet
        else:
            allowed_here = masks.tone[need].expand_as(used_feet)
        fit |= alive[:, p:p + 1] & allowed_here
        options.append((need, allowed_here))
    return fit, options


# ---------------------------------------------------------------- 生成质量
def train_lines_of(train_poems):
    """训练集里所有的句子（集合），用来数生成的句子有多少是逐字照抄的。"""
    return {line for poem in train_poems for line in verse_lines(poem)}


def extra_repeats(poem):
    """重字：28 个字里重复出现的次数（同一句里紧挨着的叠字如“青青”算一个字）。"""
    tokens = [c for line in verse_lines(poem) for i, c in enumerate(line) if i == 0 or c != line[i - 1]]
    return len(tokens) - len(set(tokens))


def rhyme_probabilities(model, vocab, poems, device="cpu"):
    """每首诗第 4 句韵脚在不加约束的模型（温度 1，只在汉字上归一化）下的概率。"""
    index = {token: i for i, token in enumerate(vocab)}
    allowed = torch.tensor([len(t) == 1 and t.isalpha() for t in vocab], device=device)
    ids = torch.tensor([[index[BOS]] + [index.get(c, index["<unk>"]) for c in poem] for poem in poems], device=device)
    with torch.no_grad():
        logits, _ = model.eval()(ids[:, :RHYME_END + 1])
        probs = torch.softmax(logits[:, RHYME_END].masked_fill(~allowed, -math.inf), dim=-1)
    return probs[torch.arange(len(poems)), ids[:, RHYME_END + 1]].tolist()


def quality_report(poems, train_lines, model=None, vocab=None, device="cpu"):
    """一批诗的质量。

    gelv：gelv.check 按诗人的用法完全通过；gelv_dictionary：只按两张表的宽读法通过；rhyme、tone_pattern：押韵、平仄两项；
    first_line_rhymes：首句入韵的比例；out_of_rhyme：首句出韵（第 1 句末字按用法是平声却不押韵）的比例；
    poems_with_repeats / extra_repeats：有重字的诗的比例 / 平均每首多出来的重复字（叠字不算）；
    forced_rhymes（给了 model 时）：第 4 句韵脚在不加约束的模型下概率 < 1 % 的比例；
    copied_lines: 与训练集某一句逐字相同的句子比例；distinct_chars / distinct_bigrams: 不同的字 / 句内相邻两字组合
    占全部的比例（与首数有关，比较时用同样多的诗）；unique_poems: 互不相同的诗的比例。
    """
    n = len(poems)
    lines = [line for poem in poems for line in verse_lines(poem)]
    chars = [c for line in lines for c in line]
    bigrams = [line[i:i + 2] for line in lines for i in range(len(line) - 1)]
    regular = [p for p in poems if is_well_formed(p)]
    repeats = [extra_repeats(p) for p in regular]
    report = {
        "n_poems": n,
        "well_formed": len(regular) / n,
        "rhyme": sum(map(gelv.lines_2_and_4_rhyme, poems)) / n,
        "tone_pattern": sum(map(gelv.tone_pattern_ok, poems)) / n,
        "gelv": sum(gelv.check(p).ok for p in poems) / n,
        "gelv_dictionary": sum(gelv.check(p, gelv.DICTIONARY).ok for p in poems) / n,
        "first_line_rhymes": sum(map(gelv.first_line_rhymes, regular)) / n,
        "out_of_rhyme": sum(map(gelv.first_line_out_of_rhyme, regular)) / n,
        "poems_with_repeats": sum(r > 0 for r in repeats) / n,
        "extra_repeats": sum(repeats) / n,
        "copied_lines": sum(line in train_lines for line in lines) / len(lines),
        "distinct_chars": len(set(chars)) / len(chars),
        "distinct_bigrams": len(set(bigrams)) / len(bigrams),
        "unique_poems": len(set(poems)) / n,
    }
    if model is not None:
        probs = rhyme_probabilities(model, vocab, regular, device)
        report["forced_rhymes"] = sum(p < FORCED_RHYME for p in probs) / n
    return report
