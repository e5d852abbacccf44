"""七言绝句的格式与格律：每个字的平仄、平水韵的韵部、四种标准格式，以及逐字说明哪里不合律的检查。

    from gelv import check
    result = check("朝辞白帝彩云间，千里江陵一日还。两岸猨声啼不尽，轻舟已过万重山。")
    result.ok, result.pattern, result.yun       # True, '仄起首句入韵', '十五删'
    for problem in result.problems: print(problem.message)

规则（只用平水韵和每个字的平仄表，见 data/README.md）：
- 平仄：每个字是平、仄，或“两可”（平仄两读的多音字，以及表里没有的生僻字）。两可的字放在哪里都不算错。
- 四种格式：平起 / 仄起（第一句第二字是平还是仄）× 首句入韵 / 不入韵，见 PATTERNS。
- 一三五不论，二四六分明：每句第 2、4、6 字必须与格式一致，第 1、3、5 字可平可仄，但有两个例外：
  “仄仄平平仄仄平”的第 3 字用仄就是孤平（第 4 字的平声被仄声夹住，全句除韵脚只剩一个平声）；
  “平平仄仄仄平平”的第 5 字用平就是三平尾（句末三个平声）。
- 粘对：第 2 句与第 1 句、第 4 句与第 3 句的第 2 字平仄相反（对），第 3 句与第 2 句的第 2 字平仄相同（粘）。
  四种格式本身就满足粘对，所以第 2 字不合格式时，报告里说成“失对”或“失粘”。
- 押韵：第 2、4 句（首句入韵时还有第 1 句）的末字是平声，属于平水韵的同一个平声韵部，而且互不重复；
  其余句子（第 3 句，首句不入韵时的第 1 句）末字用仄声。
检查不接受“拗救”等变通写法：它比诗人实际遵守的规矩严一些，所以真实的唐诗也不是 100 % 通过。

这个文件只用 Python 标准库和 common.load_data，生成（sampling.py）与质量统计共用同一套规则。
"""
from dataclasses import dataclass, field
from functools import lru_cache

from common.load_data import load_pingshui_rhyme, load_word_tones

# ---------------------------------------------------------------- 格式：四句七言，“，。，。”
POEM_LENGTH = 32  # 四句，每句 7 个字加一个标点
LINE_LENGTH = 8  # 7 个字 + 标点
PUNCTUATION = {7: "，", 15: "。", 23: "，", 31: "。"}  # 位置（从 0 数）-> 格式要求的标点

PING, ZE, EITHER = "平", "仄", "两可"
PING_PARTS = ("上平声部", "下平声部")  # 平声的 30 个韵部；近体诗只押平声韵
PING_GROUPS = ("一东", "二冬", "三江", "四支", "五微", "六鱼", "七虞", "八齐", "九佳", "十灰", "十一真", "十二文",
               "十三元", "十四寒", "十五删", "一先", "二萧", "三肴", "四豪", "五歌", "六麻", "七阳", "八庚", "九青",
               "十蒸", "十一尤", "十二侵", "十三覃", "十四盐", "十五咸")  # 与 data/poems/pingshui_rhyme.json 一致（有测试）

# 七言的四种句式。四种格式都由它们组成：平收的句子（末字平声）押韵，仄收的不押韵。
PATTERNS = {
    "平起首句入韵": ("平平仄仄仄平平", "仄仄平平仄仄平", "仄仄平平平仄仄", "平平仄仄仄平平"),
    "平起首句不入韵": ("平平仄仄平平仄", "仄仄平平仄仄平", "仄仄平平平仄仄", "平平仄仄仄平平"),
    "仄起首句入韵": ("仄仄平平仄仄平", "平平仄仄仄平平", "平平仄仄平平仄", "仄仄平平仄仄平"),
    "仄起首句不入韵": ("仄仄平平平仄仄", "平平仄仄仄平平", "平平仄仄平平仄", "仄仄平平仄仄平"),
}
NO_LONE_PING = "仄仄平平仄仄平"  # 这种句子第 3 字必须平，否则孤平
NO_THREE_PING = "平平仄仄仄平平"  # 这种句子第 5 字必须仄，否则三平尾
RHYME = "韵"  # requirement() 的返回值之一：这个位置是韵脚
TONE_RULES = ("二四六分明", "失对", "失粘", "孤平", "三平尾", "句末平仄")  # 平仄方面的规则
RHYME_RULES = ("押韵", "重韵")  # 用韵方面的规则


def is_well_formed(poem):
    """四句七言：长度 32，第 8/16/24/32 个字符是“，。，。”，其余都是汉字。"""
    return (len(poem) == POEM_LENGTH
            and all(poem[i] == mark for i, mark in PUNCTUATION.items())
            and all(c.isalpha() for i, c in enumerate(poem) if i not in PUNCTUATION))


def verse_lines(poem):
    """一首诗的四句（各 7 个字，不含标点）。"""
    return [poem[i * LINE_LENGTH:i * LINE_LENGTH + 7] for i in range(4)]


def rhyme_lines(pattern):
    """押韵的句子（从 0 数）：首句入韵时第 1、2、4 句，否则第 2、4 句。"""
    return (0, 1, 3) if pattern.endswith("首句入韵") else (1, 3)


# ---------------------------------------------------------------- 平仄表与平水韵
@dataclass(frozen=True)
class Tables:
    tones: dict  # 字 -> "平" / "仄" / "多"
    ping_groups: dict  # 字 -> 它所属的平声韵部（元组，按 PING_GROUPS 的顺序）
    all_groups: dict  # 字 -> 它所属的全部韵部，如 ("下平声部 十一尤", "去声部 二十六宥")
    group_members: dict = field(default_factory=dict)  # 平声韵部 -> 字的元组
    tone_of: dict = field(default_factory=dict)  # 字 -> "平" / "仄" / "两可"（tone() 的结果）


@lru_cache(maxsize=1)
def tables():
    """读一次平仄表和平水韵（先核对 SHA-256），整理成查找用的字典。"""
    book = load_pingshui_rhyme()
    ping, everything, members = {}, {}, {}
    for part, groups in book.items():
        for group, chars in groups.items():
            if part in PING_PARTS:
                members[group] = tuple(dict.fromkeys(chars))  # 去掉重复，保持顺序
            for char in chars:
                everything.setdefault(char, []).append(f"{part} {group}")
                if part in PING_PARTS and group not in ping.setdefault(char, []):
                    ping[char].append(group)
    order = {group: i for i, group in enumerate(PING_GROUPS)}
    tones = load_word_tones()
    tone_of = {}
    for char in set(tones) | set(everything):
        in_ping = char in ping
        in_ze = any(not g.startswith(PING_PARTS) for g in everything.get(char, ()))
        listed = tones.get(char)
        if listed == "多" or (in_ping and in_ze):
            tone_of[char] = EITHER
        elif listed in (PING, ZE):
            tone_of[char] = listed
        else:
            tone_of[char] = PING if in_ping else ZE
    return Tables(tones=tones, tone_of=tone_of,
                  ping_groups={c: tuple(sorted(g, key=order.get)) for c, g in ping.items()},
                  all_groups={c: tuple(dict.fromkeys(g)) for c, g in everything.items()},
                  group_members=members)


def tone(char):
    """一个字的平仄："平"、"仄"，或 "两可"。

    平仄表标为“多”的字，以及在平水韵里既属平声韵部又属仄声韵部的字（如“重”：二冬 chóng、二肿 zhòng）
    是两可；平仄表里没有的字按平水韵定，两边都查不到的生僻字也算两可。
    """
    return tables().tone_of.get(char, EITHER)


def fits(char, wanted):
    """char 能不能放在要求 wanted（"平"/"仄"）的位置：两可的字哪里都能放。"""
    found = tone(char)
    return found == EITHER or found == wanted


def ping_groups(char):
    """char 所属的平声韵部（元组，可能为空：仄声字、生僻字）。"""
    return tables().ping_groups.get(char, ())


def group_members(group):
    """一个平声韵部的全部字（元组）。"""
    return tables().group_members[group]


def requirement(pattern, line, position):
    """格式 pattern 的第 line 句第 position 字（都从 0 数）的要求，返回 (要求, 规则名)：

    要求是 "平"、"仄"、RHYME（韵脚：平声、与其他韵脚同一韵部），或 None（可平可仄）。
    规则名说明违反时犯的是哪一条（报告里用）。
    """
    shape = PATTERNS[pattern][line]
    if position == 6:
        if line in rhyme_lines(pattern):
            return RHYME, "押韵"
        return ZE, "句末平仄"
    if position == 1:
        return shape[1], ("二四六分明", "失对", "失粘", "失对")[line]
    if position in (3, 5):
        return shape[position], "二四六分明"
    if position == 2 and shape == NO_LONE_PING:
        return PING, "孤平"
    if position == 4 and shape == NO_THREE_PING:
        return ZE, "三平尾"
    return None, ""


# ---------------------------------------------------------------- 检查
@dataclass(frozen=True)
class Problem:
    line: int  # 第几句（从 1 数）
    position: int  # 第几个字（从 1 数）
    char: str
    rule: str  # TONE_RULES、RHYME_RULES 之一，或 "格式"
    message: str


@dataclass(frozen=True)
class Result:
    ok: bool
    pattern: str  # 最接近的格式（问题最少的那个）
    yun: str  # 韵脚所在的平声韵部（押韵不成立时为空）
    problems: tuple

    @property
    def tone_ok(self):
        """平仄（二四六、粘对、孤平、三平尾、句末平仄）都合格式。"""
        return not any(p.rule in TONE_RULES for p in self.problems)

    def explain(self):
        """给人读的说明：合律，或逐条列出问题。"""
        if self.ok:
            return f"合律：{self.pattern}，押平水韵{self.yun}"
        return f"不合律（最接近{self.pattern}）：" + "；".join(p.message for p in self.problems)


_WHY = {"二四六分明": "第 2、4、6 字的平仄必须合格式", "失对": "与上一句第 2 字应平仄相反", "失粘": "与上一句第 2 字应平仄相同",
        "孤平": "否则犯孤平", "三平尾": "否则犯三平尾", "句末平仄": "不押韵的句子以仄声收尾"}


def _tone_problems(poem, pattern):
    problems = []
    for line, text in enumerate(verse_lines(poem)):
        for position, char in enumerate(text):
            wanted, rule = requirement(pattern, line, position)
            if wanted in (PING, ZE) and not fits(char, wanted):
                problems.append(Problem(line + 1, position + 1, char, rule,
                                        f"第 {line + 1} 句第 {position + 1} 字“{char}”是{tone(char)}声，"
                                        f"这里应为{wanted}声（{rule}：{_WHY[rule]}）"))
    return problems


def _rhyme_problems(poem, pattern):
    """韵脚的问题，以及韵脚共同的平声韵部（第一个；没有时为空字符串）。"""
    lines = verse_lines(poem)
    feet = [(line + 1, lines[line][6]) for line in rhyme_lines(pattern)]
    problems, common = [], None
    for number, char in feet:
        groups = ping_groups(char)
        if not groups:
            where = "、".join(tables().all_groups.get(char, ())) or "平水韵里查不到"
            problems.append(Problem(number, 7, char, "押韵", f"第 {number} 句末字“{char}”不是平声韵字（{where}），"
                                                          "韵脚应为平声"))
            continue
        if common is None:
            common, first = set(groups), (number, char)
        elif not common & set(groups):
            problems.append(Problem(number, 7, char, "押韵",
                                    f"第 {number} 句末字“{char}”（{'、'.join(groups)}）与第 {first[0]} 句末字"
                                    f"“{first[1]}”（{'、'.join(sorted(common, key=PING_GROUPS.index))}）"
                                    "不在平水韵的同一个韵部"))
        else:
            common &= set(groups)
    seen = {}
    for number, char in feet:
        if char in seen:
            problems.append(Problem(number, 7, char, "重韵", f"第 {number} 句末字“{char}”与第 {seen[char]} 句的韵脚重复"))
        seen.setdefault(char, number)
    yun = min(common, key=PING_GROUPS.index) if common and not problems else ""
    return problems, yun


def check(poem):
    """检查一首七言绝句的格式与格律，返回 Result。

    四种格式各检查一遍，取问题最少的那个；result.ok 为 True 表示完全符合它。
    problems 里的每一条说明第几句第几个字、违反哪一条规则。
    """
    if not is_well_formed(poem):
        return Result(False, "", "", (Problem(0, 0, "", "格式", f"不是“，。，。”四句七言：{poem!r}"),))
    best = None
    for pattern in PATTERNS:
        rhyme_problems, yun = _rhyme_problems(poem, pattern)
        problems = _tone_problems(poem, pattern) + rhyme_problems
        if best is None or len(problems) < len(best.problems):
            best = Result(not problems, pattern, yun, tuple(problems))
        if not problems:
            break
    return best


def lines_2_and_4_rhyme(poem):
    """第 2、4 句末字属于平水韵的同一个平声韵部，且不是同一个字（只看这一条，不管平仄）。"""
    if not is_well_formed(poem):
        return False
    a, b = poem[2 * LINE_LENGTH - 2], poem[4 * LINE_LENGTH - 2]
    return a != b and bool(set(ping_groups(a)) & set(ping_groups(b)))


def tone_pattern_ok(poem):
    """平仄合四种格式之一（二四六分明、粘对、孤平、三平尾、句末平仄），不管押韵。"""
    return is_well_formed(poem) and any(not _tone_problems(poem, pattern) for pattern in PATTERNS)


def patterns_for(forced, yun=None):
    """给定的字（{位置: 字}，位置按整首诗从 0 数，含标点位置）能放进哪些格式，返回 (格式列表, 说明)。

    说明是一句中文：为什么一种格式也放不进（列表为空时），或空字符串。
    yun: 指定的平声韵部；给定的字落在韵脚上时必须属于它。
    """
    fitting, reasons = [], []
    for pattern in PATTERNS:
        why = []
        for index, char in sorted(forced.items()):
            line, position = divmod(index, LINE_LENGTH)
            if position == 7:
                continue
            wanted, rule = requirement(pattern, line, position)
            where = f"第 {line + 1} 句第 {position + 1} 字“{char}”"
            if wanted in (PING, ZE) and not fits(char, wanted):
                why.append(f"{where}是{tone(char)}声，这里要{wanted}声（{rule}）")
            elif wanted == RHYME and not ping_groups(char):
                why.append(f"{where}落在韵脚上，但它不是平声韵字")
            elif wanted == RHYME and yun and yun not in ping_groups(char):
                why.append(f"{where}落在韵脚上，但它不属于{yun}")
        if why:
            reasons.append(f"{pattern}：{'；'.join(why)}")
        else:
            fitting.append(pattern)
    return fitting, ("" if fitting else "四种格式都放不下给定的字——" + "。".join(reasons))


def corpus_rates(poems):
    """一批诗里：格式标准的首数，以及其中第 2、4 句押韵、平仄合格式、完全合律的比例。"""
    regular = [p for p in poems if is_well_formed(p)]
    n = len(regular)
    return {"n_poems": n, "rhyme": sum(map(lines_2_and_4_rhyme, regular)) / n,
            "tone_pattern": sum(map(tone_pattern_ok, regular)) / n, "gelv": sum(check(p).ok for p in regular) / n}


def main(argv=None):
    import argparse

    from common.load_data import load_poems

    parser = argparse.ArgumentParser(description="检查七言绝句的格律；不给诗时统计语料里全部唐诗的比例",
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("poems", nargs="*", help="要检查的诗，每首 32 个字符，如 朝辞白帝彩云间，千里江陵一日还。…")
    args = parser.parse_args(argv)
    for poem in args.poems:
        print(f"{poem}\n    {check(poem).explain()}")
    if not args.poems:
        rates = corpus_rates(load_poems())
        print(f"语料中格式标准（“，。，。”）的 {rates['n_poems']} 首七言绝句：第 2、4 句押平水韵同一平声韵部 "
              f"{rates['rhyme']:.1%}，平仄合四种格式之一 {rates['tone_pattern']:.1%}，完全合律 {rates['gelv']:.1%}")


if __name__ == "__main__":
    main()
