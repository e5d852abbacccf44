"""七言绝句的格式与格律：每个字的平仄、平水韵的韵部、四种标准格式，以及逐字说明哪里不合律的检查。

    from gelv import check
    result = check("朝辞白帝彩云间，千里江陵一日还。两岸猨声啼不尽，轻舟已过万重山。")
    result.ok, result.pattern, result.yun       # True, '仄起首句入韵', '十五删'
    for problem in result.problems: print(problem.message)

规则（平水韵、每个字的平仄表，以及按诗人用法对两张表的修订，见 data/README.md 与 usage_tables.py）：
- 平仄：每个字是平、仄，或“两可”。默认按用法读（reading="usage"）：多音字按唐宋诗人把它放在平声还是仄声位置
  来定（花几乎总在平声位置，是平；不几乎总在仄声位置，是仄；看、思、为、过、听、胜、重两种都常见，才算两可），
  表里没有的常见字（溪、啼、沉、炉……）由语料补上；reading="dictionary" 是只按两张表的宽读法（多音字都算两可）。
  两可的字放在哪里都不算错。
- 四种格式：平起 / 仄起（第一句第二字是平还是仄）× 首句入韵 / 不入韵，见 PATTERNS。
- 一三五不论，二四六分明：每句第 2、4、6 字必须与格式一致，第 1、3、5 字可平可仄，但有两个例外：
  “仄仄平平仄仄平”的第 3 字用仄就是孤平（第 4 字的平声被仄声夹住，全句除韵脚只剩一个平声）；
  “平平仄仄仄平平”的第 5 字用平就是三平尾（句末三个平声）。
- 粘对：第 2 句与第 1 句、第 4 句与第 3 句的第 2 字平仄相反（对），第 3 句与第 2 句的第 2 字平仄相同（粘）。
  四种格式本身就满足粘对，所以第 2 字不合格式时，报告里说成“失对”或“失粘”。
  孤平拗救：“仄仄平平仄仄平”第 3 字用仄、同时第 5 字用平（仄仄仄平平仄平），补回一个平声，不算孤平（结果里注明）。
- 押韵：第 2、4 句（首句入韵时还有第 1 句）的末字是平声，属于平水韵的同一个平声韵部，而且互不重复；
  按用法读时，一个字只在它实际做过韵脚的韵部里算数（台只在十灰，不在四支）。
  首句借邻韵：入韵的第 1 句末字可以属于相邻的韵部（如押八齐时第 1 句用四支的字），结果里注明。
  其余句子（第 3 句，首句不入韵时的第 1 句）末字用仄声。
其他拗救（如“平平仄仄平平仄”的变格）不接受，所以检查比诗人实际遵守的规矩还严一点，真实的诗也不是 100 % 通过。
一首真实的诗只有按少见的读法才合律时，结果里说明是哪些字（Result.rare_only）。

这个文件只用 Python 标准库和 common.load_data，生成（sampling.py）与质量统计共用同一套规则。
"""
from dataclasses import dataclass, field
from functools import lru_cache

from common.load_data import load_gelv_usage, load_pingshui_rhyme, load_word_tones

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
USAGE, DICTIONARY = "usage", "dictionary"  # 两种读法：按诗人的用法（严），只按两张表（宽）
# 邻韵：首句借邻韵时可以互借的平声韵部（每组内两两相邻）
NEIGHBOURS = (("一东", "二冬"), ("三江", "七阳"), ("四支", "五微", "八齐"), ("六鱼", "七虞"), ("九佳", "十灰"),
              ("十一真", "十二文", "十三元"), ("十三元", "十四寒", "十五删", "一先"), ("二萧", "三肴", "四豪"),
              ("八庚", "九青", "十蒸"), ("十三覃", "十四盐", "十五咸"))


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
def dictionary_tables():
    """读一次平仄表和平水韵（先核对 SHA-256），整理成查找用的字典（宽读法：多音字都算两可）。"""
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


@lru_cache(maxsize=1)
def usage_tables():
    """按用法修订后的表：data/poems/gelv_usage.json（由 usage_tables.py 从语料整理）改写的平仄与韵部。"""
    book, usage = dictionary_tables(), load_gelv_usage()
    tone_of = {**book.tone_of, **usage["tone"]}
    ping = {**book.ping_groups, **{c: tuple(g) for c, g in usage["groups"].items()}}
    ping = {c: g for c, g in ping.items() if g}
    members = {group: tuple(c for c in book.group_members[group] if group in ping.get(c, ()))
               for group in PING_GROUPS}
    for char, groups in ping.items():  # 补表的字加到它们的韵部末尾
        for group in groups:
            if char not in members[group]:
                members[group] += (char,)
    return Tables(tones=book.tones, tone_of=tone_of, ping_groups=ping, all_groups=book.all_groups,
                  group_members=members)


def tables(reading=USAGE):
    return usage_tables() if reading == USAGE else dictionary_tables()


def tone(char, reading=USAGE):
    """一个字的平仄："平"、"仄"，或 "两可"。

    reading="dictionary"：平仄表标为“多”的字，以及在平水韵里既属平声韵部又属仄声韵部的字
    （如“重”：二冬 chóng、二肿 zhòng）是两可；平仄表里没有的字按平水韵定，两边都查不到的字也算两可。
    reading="usage"（默认）：多音字按诗人的用法定（花 平、不 仄、看 两可），表里没有的常见字由语料补上。
    """
    return tables(reading).tone_of.get(char, EITHER)


def fits(char, wanted, reading=USAGE):
    """char 能不能放在要求 wanted（"平"/"仄"）的位置：两可的字哪里都能放。"""
    found = tone(char, reading)
    return found == EITHER or found == wanted


def ping_groups(char, reading=USAGE):
    """char 做韵脚时所在的平声韵部（元组，可能为空：仄声字、生僻字）。"""
    return tables(reading).ping_groups.get(char, ())


def group_members(group, reading=USAGE):
    """一个平声韵部的全部字（元组）。"""
    return tables(reading).group_members[group]


def neighbours(group):
    """与 group 相邻、首句可以借用的韵部（集合，不含它自己）。"""
    return {other for family in NEIGHBOURS if group in family for other in family} - {group}


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
    notes: tuple = ()  # 标准允许的变通：孤平拗救、首句借邻韵
    rare_only: bool = False  # 按用法不合律，只有按少见的读法（两张表的宽读法）才合律

    @property
    def tone_ok(self):
        """平仄（二四六、粘对、孤平、三平尾、句末平仄）都合格式。"""
        return not any(p.rule in TONE_RULES for p in self.problems)

    def explain(self):
        """给人读的说明：合律，或逐条列出问题。"""
        if self.ok:
            return f"合律：{self.pattern}，押平水韵{self.yun}" + (f"；{'；'.join(self.notes)}" if self.notes else "")
        text = f"不合律（最接近{self.pattern}）：" + "；".join(p.message for p in self.problems)
        if self.rare_only:
            text += "。只有按少见的读法（把这些字读成诗人很少用的那一声或那个韵部）才合律"
        return text


_WHY = {"二四六分明": "第 2、4、6 字的平仄必须合格式", "失对": "与上一句第 2 字应平仄相反", "失粘": "与上一句第 2 字应平仄相同",
        "孤平": "否则犯孤平", "三平尾": "否则犯三平尾", "句末平仄": "不押韵的句子以仄声收尾"}


def _tone_problems(poem, pattern, reading=USAGE, notes=None):
    """平仄不合格式的地方（Problem 的列表）；孤平拗救不算问题，给了 notes（列表）时记进去。"""
    problems = []
    for line, text in enumerate(verse_lines(poem)):
        for position, char in enumerate(text):
            wanted, rule = requirement(pattern, line, position)
            if wanted not in (PING, ZE) or fits(char, wanted, reading):
                continue
            if rule == "孤平" and tone(text[4], reading) == PING:  # 第 3 字仄、第 5 字平：孤平拗救
                if notes is not None:
                    notes.append(f"第 {line + 1} 句孤平拗救（第 3 字“{char}”仄，第 5 字“{text[4]}”平）")
                continue
            problems.append(Problem(line + 1, position + 1, char, rule,
                                    f"第 {line + 1} 句第 {position + 1} 字“{char}”是{tone(char, reading)}声，"
                                    f"这里应为{wanted}声（{rule}：{_WHY[rule]}）"))
    return problems


def _rhyme_problems(poem, pattern, reading=USAGE, notes=None):
    """韵脚的问题，以及韵脚共同的平声韵部（没有时为空字符串）。

    先看第 2、4 句的韵脚定出韵部；首句入韵时，第 1 句末字在同一韵部或相邻韵部（首句借邻韵，记进 notes）都行。
    """
    lines = verse_lines(poem)
    feet = [(line + 1, lines[line][6]) for line in rhyme_lines(pattern)]
    problems, common, first = [], None, None
    for number, char in sorted(feet, key=lambda foot: foot[0] == 1):  # 第 1 句放最后
        groups = ping_groups(char, reading)
        if not groups:
            where = "、".join(tables(reading).all_groups.get(char, ())) or "平水韵里查不到"
            if reading == USAGE and tone(char, reading) == ZE:
                where = f"诗人把它当仄声用；{where}"
            problems.append(Problem(number, 7, char, "押韵", f"第 {number} 句末字“{char}”不是平声韵字（{where}），"
                                                          "韵脚应为平声"))
            continue
        if common is None:
            common, first = set(groups), (number, char)
        elif common & set(groups):
            common &= set(groups)
        elif number == 1 and any(neighbours(g) & set(groups) for g in common):
            if notes is not None:
                notes.append(f"首句借邻韵（第 1 句末字“{char}”属{'、'.join(groups)}）")
        else:
            problems.append(Problem(number, 7, char, "押韵",
                                    f"第 {number} 句末字“{char}”（{'、'.join(groups)}）与第 {first[0]} 句末字"
                                    f"“{first[1]}”（{'、'.join(sorted(common, key=PING_GROUPS.index))}）"
                                    "不在平水韵的同一个韵部"))
    seen = {}
    for number, char in feet:
        if char in seen:
            problems.append(Problem(number, 7, char, "重韵", f"第 {number} 句末字“{char}”与第 {seen[char]} 句的韵脚重复"))
        seen.setdefault(char, number)
    yun = min(common, key=PING_GROUPS.index) if common and not problems else ""
    return problems, yun


def check(poem, reading=USAGE):
    """检查一首七言绝句的格式与格律，返回 Result。

    四种格式各检查一遍，取问题最少的那个；result.ok 为 True 表示完全符合它。
    problems 里的每一条说明第几句第几个字、违反哪一条规则；notes 注明用到的孤平拗救、首句借邻韵。
    reading="usage"（默认）按诗人的用法读每个字；按用法不合、按两张表的宽读法合律时，rare_only 为 True。
    """
    if not is_well_formed(poem):
        return Result(False, "", "", (Problem(0, 0, "", "格式", f"不是“，。，。”四句七言：{poem!r}"),))
    best = None
    for pattern in PATTERNS:
        notes = []
        rhyme_problems, yun = _rhyme_problems(poem, pattern, reading, notes)
        problems = _tone_problems(poem, pattern, reading, notes) + rhyme_problems
        if best is None or len(problems) < len(best.problems):
            best = Result(not problems, pattern, yun, tuple(problems), tuple(notes))
        if not problems:
            break
    if not best.ok and reading == USAGE and check(poem, DICTIONARY).ok:
        best = Result(False, best.pattern, best.yun, best.problems, best.notes, rare_only=True)
    return best


def lines_2_and_4_rhyme(poem, reading=USAGE):
    """第 2、4 句末字属于平水韵的同一个平声韵部，且不是同一个字（只看这一条，不管平仄）。"""
    if not is_well_formed(poem):
        return False
    a, b = poem[2 * LINE_LENGTH - 2], poem[4 * LINE_LENGTH - 2]
    return a != b and bool(set(ping_groups(a, reading)) & set(ping_groups(b, reading)))


def tone_pattern_ok(poem, reading=USAGE):
    """平仄合四种格式之一（二四六分明、粘对、孤平、三平尾、句末平仄），不管押韵。"""
    return is_well_formed(poem) and any(not _tone_problems(poem, pattern, reading) for pattern in PATTERNS)


def first_line_rhymes(poem, reading=USAGE):
    """第 1 句末字与第 2、4 句的韵脚同韵部或邻韵（首句入韵）。"""
    groups = set(ping_groups(poem[6], reading))
    common = set(ping_groups(poem[14], reading)) & set(ping_groups(poem[30], reading))
    return bool(groups & (common | {n for g in common for n in neighbours(g)}))


def first_line_out_of_rhyme(poem, reading=USAGE):
    """首句出韵：第 2、4 句押韵，第 1 句末字按用法是平声，却不与它们同韵部（也不是邻韵）。"""
    return (lines_2_and_4_rhyme(poem, reading) and tone(poem[6], reading) == PING
            and not first_line_rhymes(poem, reading))


def patterns_for(forced, yun=None):
    """给定的字（{位置: 字}，位置按整首诗从 0 数，含标点位置）能放进哪些格式，返回 (格式列表, 说明)。

    说明是一句中文：为什么一种格式也放不进（列表为空时），或空字符串。按用法读。
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


def corpus_rates(poems, reading=USAGE):
    """一批诗里：格式标准的首数，以及其中第 2、4 句押韵、平仄合格式、完全合律的比例。"""
    regular = [p for p in poems if is_well_formed(p)]
    n = len(regular)
    return {"n_poems": n, "rhyme": sum(lines_2_and_4_rhyme(p, reading) for p in regular) / n,
            "tone_pattern": sum(tone_pattern_ok(p, reading) for p in regular) / n,
            "gelv": sum(check(p, reading).ok for p in regular) / n}


def main(argv=None):
    from common.cli import script_parser
    from common.load_data import load_poems

    parser = script_parser("检查七言绝句的格律；不给诗时统计语料里全部唐诗的比例")
    parser.add_argument("poems", nargs="*", help="要检查的诗，每首 32 个字符，如 朝辞白帝彩云间，千里江陵一日还。…")
    args = parser.parse_args(argv)
    for poem in args.poems:
        print(f"{poem}\n    {check(poem).explain()}")
    if not args.poems:
        poems = load_poems()
        for reading, name in ((USAGE, "按诗人的用法读（严）"), (DICTIONARY, "只按两张表读（多音字都算两可）")):
            rates = corpus_rates(poems, reading)
            print(f"{name}：格式标准的 {rates['n_poems']} 首唐代七言绝句中，第 2、4 句押平水韵同一平声韵部 "
                  f"{rates['rhyme']:.1%}，平仄合四种格式之一 {rates['tone_pattern']:.1%}，完全合律 {rates['gelv']:.1%}")


if __name__ == "__main__":
    main()
