"""第 9 章练习 7 的参考答案：把 20 首生成的诗和 20 首真实的唐诗混在一起打乱，盲评通顺、连贯、意义、诗意。

    python ch09_rnn/solutions/ex9_7_blind_rating.py                       # 写出评分表和答案（几秒钟）
    python ch09_rnn/solutions/ex9_7_blind_rating.py --score 我的评分.csv   # 评完后：两组诗各项的平均分

评分表 output/ch09_rnn/ex9_7_sheet.csv：每行一首（编号、诗），后面四栏 通顺、连贯、意义、诗意 留空，各打 1～5 分。
答案 output/ch09_rnn/ex9_7_key.json：每个编号是“生成”还是“真实”（评完再看）。
生成的诗：随仓库提供的唐诗 + 宋诗模型，默认解码（格律约束、重字惩罚、8 选 1），温度 0.8，top-k 20，种子 42；
真实的诗：唐诗测试集里随机的 20 首（模型没见过它们）。
"""
import csv
import json
import random
import sys

import torch

from common.chapters import load
from common.cli import script_parser
from common.load_data import check_file, load_poems
from common.paths import output_path

N_EACH = 20
SEED = 42
CRITERIA = ("通顺", "连贯", "意义", "诗意")
SHEET, KEY = "ch09_rnn/ex9_7_sheet.csv", "ch09_rnn/ex9_7_key.json"


def make_sheet():
    """返回 [(编号, 诗, 来源)]：20 首生成的、20 首真实的，按固定种子打乱。"""
    poem_model, sampling, gelv = (load(f"ch09_rnn/{name}.py") for name in ("poem_model", "sampling", "gelv"))
    model, vocab, checkpoint = poem_model.load_poem_checkpoint(check_file("poems/poem_lstm_tang_song.pt"))
    torch.set_num_threads(1)  # 一次只生成几十首：一个线程最快
    generated = sampling.generate_poems(model, vocab, N_EACH, temperature=0.8, top_k=20, seed=SEED)
    test_poems = poem_model.split_poems(load_poems(), checkpoint["config"]["seed"])[2]
    real = random.Random(SEED).sample([p for p in test_poems if gelv.is_well_formed(p)], N_EACH)
    poems = [(p, "生成") for p in generated] + [(p, "真实") for p in real]
    random.Random(SEED).shuffle(poems)
    return [(i + 1, poem, source) for i, (poem, source) in enumerate(poems)], gelv


def score(path):
    """读评好的表（编号、诗、四项分数），按答案分组求平均。"""
    key = json.loads(output_path(KEY).read_text(encoding="utf-8"))
    totals = {source: {c: [] for c in CRITERIA} for source in ("生成", "真实")}
    with open(path, encoding="utf-8") as file:
        for row in csv.DictReader(file):
            for criterion in CRITERIA:
                if row.get(criterion, "").strip():
                    totals[key[row["编号"]]][criterion].append(float(row[criterion]))
    for source, scores in totals.items():
        print(f"{source}的诗：" + "，".join(f"{c} {sum(v) / len(v):.2f}（{len(v)} 首）" if v else f"{c} 没有分数"
                                          for c, v in scores.items()))


def main(argv=()):
    parser = script_parser(__doc__.splitlines()[0])
    parser.add_argument("--score", default=None, help="评好的评分表（CSV）：打印两组诗各项的平均分")
    args = parser.parse_args(argv)
    if args.score:
        return score(args.score)
    sheet, gelv = make_sheet()
    with open(output_path(SHEET), "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["编号", "诗", *CRITERIA])
        writer.writerows([number, poem, "", "", "", ""] for number, poem, _ in sheet)
    output_path(KEY).write_text(json.dumps({str(n): source for n, _, source in sheet}, ensure_ascii=False, indent=1),
                                encoding="utf-8")
    counts = {source: sum(s == source for _, _, s in sheet) for source in ("生成", "真实")}
    regular = {source: sum(gelv.check(p).ok for _, p, s in sheet if s == source) for source in counts}
    print(f"评分表 ex9_7_sheet.csv：{len(sheet)} 首，生成 {counts['生成']}、真实 {counts['真实']}，顺序按种子 {SEED} 打乱；"
          "答案 ex9_7_key.json（评完再看）；都在输出目录的 ch09_rnn/ 下")
    print(f"按诗人的用法检查格律：生成的 {regular['生成']} 首合律，真实的 {regular['真实']} 首合律"
          "——不合律的一定是真实的诗（模型的每一首都合律），合律的要靠意思分辨")


if __name__ == "__main__":
    main(sys.argv[1:])
