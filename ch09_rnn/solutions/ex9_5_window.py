"""第 9 章练习 5 的参考答案：共现窗口 WINDOW 从 2 改成 1 和 3，PPMI + SVD 词向量里“月”的最近邻怎样变化？

与 1_embedding_test.ipynb 第 3 节相同的做法：最常见的 3,000 个汉字，同一句诗里相距不超过 WINDOW 个位置记一次共现，
PPMI，randomized_svd 降到 100 维（random_state=42），余弦相似度找最近邻。窗口取 1、2、3 各做一遍。

    python ch09_rnn/solutions/ex9_5_window.py             # 全部 10,342 首，2 核 CPU 上约 6 秒
    DL_QUICK=1 python ch09_rnn/solutions/ex9_5_window.py  # 前 2,000 首、500 个字、20 维，几秒钟
"""
from collections import Counter

import numpy as np
from sklearn.utils.extmath import randomized_svd

from common.load_data import load_poems
from common.quick import pick

N_POEMS = pick(real=None, quick=2000)
N_CHARS = pick(real=3000, quick=500)
N_COMPONENTS = pick(real=100, quick=20)
WINDOWS = [1, 2, 3]
QUERY = "月"
K = 8  # 打印几个最近邻


def line_ids_and_chars(poems):
    """每首诗拆成 4 句、每句 7 个字，字换成在最常见的 N_CHARS 个汉字里的编号（不在其中的记为 -1）。"""
    counts = Counter("".join(poems))
    chars = [c for c, _ in counts.most_common() if c.isalpha()][:N_CHARS]
    char_to_id = {c: i for i, c in enumerate(chars)}
    lines = [poem[i * 8:i * 8 + 7] for poem in poems for i in range(4)]
    return np.array([[char_to_id.get(c, -1) for c in line] for line in lines]), chars


def ppmi_vectors(line_ids, window):
    """窗口为 window 的共现矩阵 → PPMI → 截断 SVD，返回 (N_CHARS, N_COMPONENTS) 的词向量。"""
    cooccurrence = np.zeros((N_CHARS, N_CHARS))
    for offset in range(1, window + 1):
        left, right = line_ids[:, :-offset].ravel(), line_ids[:, offset:].ravel()
        keep = (left >= 0) & (right >= 0)
        np.add.at(cooccurrence, (left[keep], right[keep]), 1)
        np.add.at(cooccurrence, (right[keep], left[keep]), 1)
    row_sums = cooccurrence.sum(axis=1)
    with np.errstate(divide="ignore"):  # 没有共现的地方 log 0 = -inf，接下来截成 0
        ppmi = np.maximum(np.log(cooccurrence * cooccurrence.sum() / np.outer(row_sums, row_sums)), 0)
    U, S, _ = randomized_svd(ppmi, n_components=N_COMPONENTS, random_state=42)
    return U * S


def nearest(vectors, chars, query, k):
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True).clip(1e-12)
    similarity = unit @ unit[chars.index(query)]
    return [(chars[i], float(similarity[i])) for i in np.argsort(-similarity) if chars[i] != query][:k]


def solve():
    line_ids, chars = line_ids_and_chars(load_poems()[:N_POEMS])
    return {window: nearest(ppmi_vectors(line_ids, window), chars, QUERY, K) for window in WINDOWS}


def main():
    results = solve()
    for window, neighbours in results.items():
        print(f"WINDOW = {window}：“{QUERY}”的近邻 " + " ".join(f"{c}({s:.2f})" for c, s in neighbours))
    for window in WINDOWS[1:]:
        kept = set(c for c, _ in results[window]) & set(c for c, _ in results[window - 1])
        print(f"WINDOW {window - 1} 与 {window} 的前 {K} 个近邻中相同的字：{len(kept)} 个")


if __name__ == "__main__":
    main()
