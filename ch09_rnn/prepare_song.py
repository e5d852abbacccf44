"""把《全宋诗》里的七言绝句整理成 data/poems/song_qijue.jsonl.gz（随仓库提供的文件就是这样生成的）。

    python ch09_rnn/prepare_song.py 路径/song_qijue_trad.jsonl.gz

输入是 chinese-poetry 项目（MIT 许可）的宋诗中恰好四句七言的 73,079 首，繁体，每行一个 JSON：
author、title、trad。步骤与唐诗（data/poems/tang_qijue.jsonl）相同，再加上去重：
1. 核对输入文件的 SHA-256（SOURCE_SHA256）；
2. 去掉不完整的诗：除 8 个标点外必须都是汉字（原文用“□”标出缺字，还有少数私用区的造字）；
3. 用 OpenCC 的 t2s 配置转成简体（唐诗的 simp 字段也是这样转出来的：对 tang_qijue.jsonl 的每一首，
   OpenCC 1.4 的 t2s(trad) 都与 simp 逐字相同）；
4. 去重：一首诗只要有 2 句（7 个字逐字相同）与某首唐诗（训练、验证、测试集都算）或前面已保留的某首宋诗相同，
   就去掉它——完全重复的诗、同一首诗的异文（改了一两个字）、误收进宋诗的唐诗都在其内。
   这样唐诗的测试集里不会有“换了个作者”又出现在训练数据里的诗。
5. 写出 gzip 压缩的 JSON Lines（每行 author、title、trad、simp，顺序与输入相同；gzip 头里不记时间与文件名，
   同一版本的 zlib 下每次逐字节相同），并打印各步保留、去掉的首数和文件的 SHA-256。

换了输出文件就要把打印出的 SHA-256 填进 common/load_data.py 的 CHECKSUMS 和 data/README.md。
需要 opencc（requirements.txt 里有）；其余只用 Python 标准库。
"""
import gzip
import hashlib
import io
import json
from collections import Counter, defaultdict

from common.cli import script_parser
from common.load_data import load_poems
from common.paths import DATA_DIR

SOURCE_SHA256 = "7dcf14bc17d4ef9170574faa12fc999df05cd6829aef7787a13fbfad7e36aef5"  # song_qijue_trad.jsonl.gz
OUTPUT = "poems/song_qijue.jsonl.gz"  # 相对 data/
PUNCTUATION_POSITIONS = (7, 15, 23, 31)
SHARED_LINES_FOR_DUPLICATE = 2  # 与一首已有的诗有这么多句相同，就算重复


def verse_lines(poem):
    """四句，每句 7 个字（不含标点）。"""
    return [poem[i * 8:i * 8 + 7] for i in range(4)]


def is_complete(poem):
    """32 个字符，标点在每句末尾，其余 28 个都是汉字（“□”缺字、私用区的造字都不算）。"""
    return (len(poem) == 32 and all(poem[i] in "，。？！；" for i in PUNCTUATION_POSITIONS)
            and all(c.isalpha() for i, c in enumerate(poem) if i not in PUNCTUATION_POSITIONS))


class LineIndex:
    """已有的诗按句建的索引：一首新诗与其中某一首有几句相同。"""

    def __init__(self):
        self.poems_with_line = defaultdict(set)
        self.count = 0

    def add(self, poem):
        for line in verse_lines(poem):
            self.poems_with_line[line].add(self.count)
        self.count += 1

    def most_shared(self, poem):
        """poem 与索引里的诗最多有几句相同（一句出现两次只算一次）。"""
        shared = Counter(i for line in set(verse_lines(poem)) for i in self.poems_with_line.get(line, ()))
        return max(shared.values(), default=0)


def prepare(rows, tang_poems, convert):
    """rows: [{author, title, trad}]；tang_poems: 唐诗（简体）；convert: 繁 -> 简的函数。

    返回 (保留的行（加上 simp）, 统计字典)。
    """
    tang = LineIndex()
    for poem in tang_poems:
        tang.add(poem)
    song = LineIndex()
    kept, stats = [], Counter(read=len(rows))
    for row in rows:
        if not is_complete(row["trad"]):
            stats["incomplete"] += 1
            continue
        simp = convert(row["trad"])
        if len(simp) != len(row["trad"]):  # t2s 是逐字的转换；万一不是，宁可不要这首
            stats["conversion_changed_length"] += 1
            continue
        if tang.most_shared(simp) >= SHARED_LINES_FOR_DUPLICATE:
            stats["duplicate_of_tang"] += 1
            continue
        if song.most_shared(simp) >= SHARED_LINES_FOR_DUPLICATE:
            stats["duplicate_within_song"] += 1
            continue
        song.add(simp)
        kept.append({"author": row["author"], "title": row["title"], "trad": row["trad"], "simp": simp})
    stats["kept"] = len(kept)
    return kept, dict(stats)


def write_jsonl_gz(rows, path):
    """写 gzip 压缩的 JSON Lines；mtime=0、不记文件名，所以内容相同的文件逐字节相同。"""
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode("utf-8")
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=buffer, mtime=0) as file:
        file.write(text)
    path.write_bytes(buffer.getvalue())
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def main(argv=None):
    import opencc  # 只有整理数据时需要

    parser = script_parser(__doc__.splitlines()[0])
    parser.add_argument("source", help="chinese-poetry 宋诗七言绝句的 song_qijue_trad.jsonl.gz")
    parser.add_argument("--output", default=str(DATA_DIR / OUTPUT), help="写到哪里")
    args = parser.parse_args(argv)
    data = open(args.source, "rb").read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SOURCE_SHA256:
        raise ValueError(f"{args.source} 的 SHA-256 是 {digest}，应为 {SOURCE_SHA256}：不是整理时用的那份文件")
    rows = [json.loads(line) for line in gzip.decompress(data).decode("utf-8").splitlines() if line]
    kept, stats = prepare(rows, load_poems(), opencc.OpenCC("t2s").convert)
    from pathlib import Path

    sha256 = write_jsonl_gz(kept, Path(args.output))
    print(f"读入 {stats['read']} 首；不完整（有缺字或造字）去掉 {stats.get('incomplete', 0)} 首；"
          f"与唐诗有 {SHARED_LINES_FOR_DUPLICATE} 句以上相同去掉 {stats.get('duplicate_of_tang', 0)} 首；"
          f"与前面的宋诗有 {SHARED_LINES_FOR_DUPLICATE} 句以上相同去掉 {stats.get('duplicate_within_song', 0)} 首；"
          f"保留 {stats['kept']} 首")
    print(f"写出 {args.output}：{Path(args.output).stat().st_size} 字节，SHA-256 {sha256}")


if __name__ == "__main__":
    main()
