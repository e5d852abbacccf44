"""第 9 章练习 4 的参考答案：二元语法基线选出的折扣 d 是多少？只允许 d = 0.1 时测试困惑度变成多少？

与 3_poems_generation.py 相同的语料、划分（种子 42）、词表和 BigramModel（bigram.py）；
fit_discount 的候选范围先用默认的 0.05、0.10、…、0.95，再换成只有 0.1。

    python ch09_rnn/solutions/ex9_4_bigram_discount.py             # 全部 10,342 首，几秒钟
    DL_QUICK=1 python ch09_rnn/solutions/ex9_4_bigram_discount.py  # 前 600 首（与 3_poems_generation.py 的快速模式相同）
"""
import math

import numpy as np

from common.chapters import load
from common.load_data import load_poems
from common.quick import pick

N_POEMS = pick(real=None, quick=600)


def solve():
    poem_model, bigram = load("ch09_rnn/poem_model.py"), load("ch09_rnn/bigram.py")
    train, valid, test = poem_model.split_poems(load_poems()[:N_POEMS], poem_model.SEED)
    vocab = poem_model.build_vocab(train)
    train_data, valid_data, test_data = (poem_model.encode(part, vocab) for part in (train, valid, test))
    model = bigram.BigramModel(train_data, len(vocab))
    results = {}
    for name, grid in [("默认候选 0.05～0.95", np.arange(0.05, 1.0, 0.05)), ("只有 0.1", np.array([0.1]))]:
        scores = model.fit_discount(valid_data, grid=grid)
        results[name] = {"discount": model.discount, "valid_ppl": math.exp(scores[model.discount]),
                         "test_ppl": math.exp(model.mean_cross_entropy(test_data))}
    return results


def main():
    for name, r in solve().items():
        print(f"{name}：选出 d = {r['discount']:.2f}，验证困惑度 {r['valid_ppl']:.2f}，测试困惑度 {r['test_ppl']:.2f}")


if __name__ == "__main__":
    main()
