"""按诗人的实际用法整理每个字的平仄与韵部，写出 data/poems/gelv_usage.json（随仓库提供的文件就是这样生成的）。

    python ch09_rnn/usage_tables.py          # 约 30 秒；打印几个字的统计，写出文件和它的 SHA-256

为什么要这一步：平仄表把 728 个多音字标为“平仄两可”，平水韵里一个字也可以属于几个韵部。
如果两可的字放在哪里都算对，检查就太宽了：“花”几乎总是平声、“不”几乎总是仄声，“台”做韵脚时只在十灰。
而诗人怎样用每个字，语料里就有答案。做法（只用唐诗、宋诗的语料和两张表，规则都写在下面）：

1. 补表：两张表里都没有的字（溪、啼、沉、炉……），先看语料 trad 字段里它的繁体或异体（溪 ← 谿），
   那个字在表里就照搬它的平仄与韵部。
2. 数平仄：一首诗的平仄（按表，两可的字和查不到的字放哪里都行）合四种格式之一时，
   在格式对平仄有要求的位置（第 2、4、6 字，句末，以及防孤平、三平尾的位置）上，记下每个字放在平声位置几次、
   仄声位置几次；几种格式都合时只数它们要求相同的位置。
3. 数韵脚：第 2、4 句的末字（加上入韵的第 1 句末字）共同所在的平声韵部只有一个时，记下每个韵脚落在这个韵部几次；
   表里没有的字，用同一首诗里其他韵脚的韵部来记。
4. 定平仄：多音字与补表的字，至少用过 MIN_USES 次、放在某一声的位置上不少于 ONE_WAY（90 %）时，
   就定为那一声；否则是真正的两可（看、思、为、过、听、胜、重 ……）。表里只有一种读法的字不改。
5. 定韵部：一个字做韵脚至少 MIN_USES 次时，只留下用过的次数不少于 MIN_SHARE（10 %）的韵部
   （台：十灰 96 次、四支 0 次 → 只在十灰）；用得更少的字保留表里的韵部；按用法定为仄声的字不能做韵脚。

输出是在两张表之上的“修订”：tone 与 groups 只列与表不同的字，uses 与 foot_uses 是它们的证据（次数）。
换了文件就要把打印出的 SHA-256 填进 common/load_data.py 的 CHECKSUMS 和 data/README.md。
"""
import hashlib
import json
from collections import Counter, defaultdict

import gelv
from common.load_data import load_poems, load_song_poems
from common.paths import DATA_DIR

OUTPUT = "poems/gelv_usage.json"  # 相对 data/
MIN_USES = 5  # 少于这么多次的统计不作数
ONE_WAY = 0.9  # 放在平声（或仄声）位置上的比例不少于它，就定为平（仄）
MIN_SHARE = 0.1  # 做韵脚时落在某个韵部的比例不少于它，才算这个字的韵部


def variant_supplement(rows, book):
    """表里没有、但 trad 字段里的繁体/异体在表里的字：{字: 表里的那个字}（取最常见的那个）。"""
    seen = defaultdict(Counter)
    for row in rows:
        for simp, trad in zip(row["simp"], row["trad"]):
            if simp not in book.tone_of and trad != simp and trad in book.tone_of:
                seen[simp][trad] += 1
    return {char: counts.most_common(1)[0][0] for char, counts in seen.items()}


def count_uses(poems, tone_of, groups_of):
    """返回 (uses, foot_uses)：uses[字] = [平声位置的次数, 仄声位置的次数]；foot_uses[字][韵部] = 做韵脚的次数。"""
    uses = defaultdict(lambda: [0, 0])
    foot_uses = defaultdict(Counter)

    def fits(char, wanted):
        return tone_of.get(char, gelv.EITHER) in (gelv.EITHER, wanted)

    requirements = {}  # 格式 -> {(句, 字): "平"/"仄"}：格式对平仄有要求的位置（韵脚算平声）
    for pattern in gelv.PATTERNS:
        needs = {}
        for line in range(4):
            for position in range(7):
                need, _ = gelv.requirement(pattern, line, position)
                if need is not None:
                    needs[(line, position)] = gelv.PING if need == gelv.RHYME else need
        requirements[pattern] = needs

    for poem in poems:
        if not gelv.is_well_formed(poem):
            continue
        lines = gelv.verse_lines(poem)
        fitting = [needs for needs in requirements.values()
                   if all(fits(lines[l][p], need) for (l, p), need in needs.items())]
        if fitting:  # 只数所有合的格式都有要求、而且要求相同的位置
            for key, need in fitting[0].items():
                if all(other.get(key) == need for other in fitting[1:]):
                    uses[lines[key[0]][key[1]]][0 if need == gelv.PING else 1] += 1
        feet = [lines[1][6], lines[3][6]]
        known = [set(groups_of[c]) for c in feet if c in groups_of]
        if lines[0][6] in groups_of and known and set(groups_of[lines[0][6]]) & set.intersection(*known):
            feet.append(lines[0][6])
            known.append(set(groups_of[lines[0][6]]))
        common = set.intersection(*known) if len(known) >= 2 else set()
        if len(common) == 1:
            [group] = common
            for char in feet:
                foot_uses[char][group] += 1
    return uses, foot_uses


def derive():
    """按上面的 1～5 步整理，返回要写出的字典。"""
    book = gelv.dictionary_tables()
    rows = load_poems(with_meta=True) + load_song_poems(with_meta=True)
    variants = variant_supplement(rows, book)
    tone_of = dict(book.tone_of)
    groups_of = dict(book.ping_groups)
    for char, variant in variants.items():
        tone_of[char] = book.tone_of[variant]
        if variant in book.ping_groups:
            groups_of[char] = book.ping_groups[variant]
    uses, foot_uses = count_uses([row["simp"] for row in rows], tone_of, groups_of)

    tone, groups, evidence, foot_evidence = {}, {}, {}, {}
    for char in set(uses) | set(foot_uses) | set(variants):
        listed = book.tone_of.get(char)
        ping, ze = uses.get(char, (0, 0))
        decided = tone_of.get(char, gelv.EITHER)
        if decided == gelv.EITHER and ping + ze >= MIN_USES:
            share = ping / (ping + ze)
            decided = gelv.PING if share >= ONE_WAY else gelv.ZE if share <= 1 - ONE_WAY else gelv.EITHER
        feet = foot_uses.get(char, Counter())
        candidates = groups_of.get(char, ())
        if not candidates and listed is None and feet:  # 表里没有的字：用它做韵脚时的韵部
            candidates = tuple(feet)
        if decided == gelv.ZE:
            kept = ()
        elif sum(feet.values()) >= MIN_USES:
            total = sum(feet.values())
            kept = tuple(g for g in gelv.PING_GROUPS if g in candidates and feet[g] >= MIN_SHARE * total)
            if not kept and listed is not None:
                kept = tuple(candidates)
        else:
            kept = tuple(candidates) if listed is not None or char in variants else ()
        if decided != listed or (listed is None and decided != gelv.EITHER):
            tone[char] = decided
        if kept != book.ping_groups.get(char, ()):
            groups[char] = list(kept)
        if char in tone or char in groups or listed == gelv.EITHER:
            evidence[char] = [ping, ze]
            if feet:
                foot_evidence[char] = dict(sorted(feet.items(), key=lambda item: gelv.PING_GROUPS.index(item[0])))
    order = sorted
    return {"tone": {c: tone[c] for c in order(tone)},
            "groups": {c: groups[c] for c in order(groups)},
            "variants": {c: variants[c] for c in order(variants)},
            "uses": {c: evidence[c] for c in order(evidence)},
            "foot_uses": {c: foot_evidence[c] for c in order(foot_evidence)},
            "rules": {"min_uses": MIN_USES, "one_way": ONE_WAY, "min_share": MIN_SHARE}}


def main():
    tables = derive()
    text = json.dumps(tables, ensure_ascii=False, separators=(",", ":"), sort_keys=False) + "\n"
    path = DATA_DIR / OUTPUT
    path.write_text(text, encoding="utf-8")
    for char in "花中深间不梦望看思为溪啼沉炉台平还儿":
        print(f"{char}：平声位置 / 仄声位置 {tables['uses'].get(char)}，做韵脚 {tables['foot_uses'].get(char)}，"
              f"定为 {tables['tone'].get(char, '（不改）')}，韵部 {tables['groups'].get(char, '（不改）')}")
    print(f"改了平仄的字 {len(tables['tone'])} 个，改了韵部的字 {len(tables['groups'])} 个，"
          f"借繁体/异体补表的字 {len(tables['variants'])} 个")
    print(f"写出 data/{OUTPUT}：{path.stat().st_size} 字节，SHA-256 {hashlib.sha256(text.encode()).hexdigest()}")


if __name__ == "__main__":
    main()
