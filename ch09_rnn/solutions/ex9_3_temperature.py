"""第 9 章练习 3 的参考答案：温度 0.3 与 1.5、加不加格律约束（--free），生成的诗的格律、照抄率和多样性怎样变化？

与 `python ch09_rnn/3_poems_generation.py generate --report [--free] --temperature T` 的统计表完全相同：
随仓库提供的模型，top-k 20，种子 42，每种设置 200 首（sampling.quality_report），训练集按模型记录的种子划分。

    python ch09_rnn/solutions/ex9_3_temperature.py             # 4 种设置各 200 首
    DL_QUICK=1 python ch09_rnn/solutions/ex9_3_temperature.py  # 各 20 首
"""
from collections import Counter

import torch

from common.chapters import load
from common.load_data import check_file, load_poems
from common.quick import pick

N_POEMS = pick(real=200, quick=20)  # 与 3_poems_generation.py 的 --report（N_QUALITY）相同
TEMPERATURES = [0.3, 1.5]
TOP_K = 20
SEED = 42
COLUMNS = {"tone_pattern": "平仄合格式", "rhyme": "第 2、4 句押韵", "copied_lines": "照抄训练集的句子",
           "distinct_chars": "不同的字", "distinct_bigrams": "不同的二字组合", "repeated_lines": "在本批里出现不止一次的句子"}


def solve():
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(1)  # 与 3_poems_generation.py generate 相同：逐字采样的小矩阵，一个线程最快
    try:
        return measure()
    finally:
        torch.set_num_threads(previous_threads)


def measure():
    poem_model, sampling = load("ch09_rnn/poem_model.py"), load("ch09_rnn/sampling.py")
    model, vocab, checkpoint = poem_model.load_poem_checkpoint(check_file("poems/poem_lstm.pt"))
    config = checkpoint["config"]
    train, _, _ = poem_model.split_poems(load_poems()[:config["n_poems"]], config["seed"])
    train_lines = sampling.train_lines_of(train)
    results = {}
    for free in (True, False):
        for temperature in TEMPERATURES:
            poems = sampling.generate_poems(model, vocab, N_POEMS, temperature=temperature, top_k=TOP_K,
                                            free=free, seed=SEED)
            report = sampling.quality_report(poems, train_lines)
            # 模型自己的“口头禅”：同一句在这一批诗里出现了不止一次（照抄训练集只数与训练集相同的句子）
            lines = Counter(line for poem in poems for line in sampling.verse_lines(poem))
            report["repeated_lines"] = sum(n for n in lines.values() if n > 1) / sum(lines.values())
            report["most_common_line"] = lines.most_common(1)[0]
            results[(free, temperature)] = report
    return results


def main():
    print(f"每种设置 {N_POEMS} 首，top-k {TOP_K}：")
    print("设置：" + "，".join(COLUMNS.values()))
    for (free, temperature), report in solve().items():
        name = f"{'--free' if free else '格律约束'}，温度 {temperature}"
        line, count = report["most_common_line"]
        print(f"{name}：" + "，".join(f"{report[key]:.1%}" for key in COLUMNS) + f"；最常见的句子“{line}”{count} 次")


if __name__ == "__main__":
    main()
