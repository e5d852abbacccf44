"""第 9 章练习 5 的参考答案：共现窗口 WINDOW 从 2 改成 1 和 3，PPMI + SVD 词向量里“月”的最近邻怎样变化？

与 1_embedding_test.ipynb 第 3 节相同的做法：最常见的 3,000 个汉字，同一句诗里相距不超过 WINDOW 个位置记一次共现，
PPMI，randomized_svd 降到 100 维（random_state=42），余弦相似度找最近邻。窗口取 1、2、3 各做一遍。
为了看“为什么相近”，再列出窗口为 1 时“月”与“春”“秋”共同的上下文（两者的 PPMI 都为正的字），以及它们自己紧挨着出现的次数。

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
SHARED_WITH = ["春", "秋"]  # 看这几个字与 QUERY 共同的上下文
N_SHARED = 5


def line_ids_and_chars(poems):
    """每首诗拆成 4 句、每句 7 个字，字换成在最常见的 N_CHARS 个汉字里的编号（不在其中的记为 -1）。"""
    counts = Counter("".join(poems))
    chars = [c for c, _ in counts.most_common() if c.isalpha()][:N_CHARS]
    char_to_id = {c: i for i, c in enumerate(chars)}
    lines = [poem[i * 8:i * 8 + 7] for poem in poems for i in range(4)]
    return np.array([[char_to_id.get(c, -1) for c in line] for line in lines]), chars


def cooccurrence_counts(line_ids, window):
    """同一句里相距不超过 window 的字对的次数，(N_CHARS, N_CHARS) 的对称矩阵（左右不分）。"""
    cooccurrence = np.zeros((N_CHARS, N_CHARS))
    for offset in range(1, window + 1):
        left, right = line_ids[:, :-offset].ravel(), line_ids[:, offset:].ravel()
        keep = (left >= 0) & (right >= 0)
        np.add.at(cooccurrence, (left[keep], right[keep]), 1)
        np.add.at(cooccurrence, (right[keep], left[keep]), 1)
    return cooccurrence


def ppmi_matrix(cooccurrence):
    row_sums = cooccurrence.sum(axis=1)
    with np.errstate(divide="ignore"):  # 没有共现的地方 log 0 = -inf，接下来截成 0
        return np.maximum(np.log(cooccurrence * cooccurrence.sum() / np.outer(row_sums, row_sums)), 0)


def ppmi_vectors(cooccurrence):
    """共现矩阵 → PPMI → 截断 SVD，返回 (N_CHARS, N_COMPONENTS) 的词向量。"""
    U, S, _ = randomized_svd(ppmi_matrix(cooccurrence), n_components=N_COMPONENTS, random_state=42)
    return U * S


def shared_contexts(cooccurrence, chars, a, b, k):
    """a 与 b 共同的上下文：两者的 PPMI 都为正的字，按两个共现次数中较小的一个从大到小取前 k 个。

    余弦相似度比较的是两个字的“上下文”向量，两个字相近，是因为它们常与同样的字相邻，而不是因为它们自己常相邻。
    返回 ([(上下文字, 与 a 的共现次数, 与 b 的共现次数)], a 与 b 自己相邻的次数, 它们之间的 PPMI)。
    """
    ppmi = ppmi_matrix(cooccurrence)
    i, j = chars.index(a), chars.index(b)
    both = (ppmi[i] > 0) & (ppmi[j] > 0)
    score = np.where(both, np.minimum(cooccurrence[i], cooccurrence[j]), -1)
    top = [c for c in np.argsort(-score, kind="stable")[:k] if score[c] > 0]
    return ([(chars[c], int(cooccurrence[i, c]), int(cooccurrence[j, c])) for c in top],
            int(cooccurrence[i, j]), float(ppmi[i, j]))


def nearest(vectors, chars, query, k):
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True).clip(1e-12)
    similarity = unit @ unit[chars.index(query)]
    return [(chars[i], float(similarity[i])) for i in np.argsort(-similarity) if chars[i] != query][:k]


def solve():
    line_ids, chars = line_ids_and_chars(load_poems()[:N_POEMS])
    counts = {window: cooccurrence_counts(line_ids, window) for window in WINDOWS}
    return ({window: nearest(ppmi_vectors(counts[window]), chars, QUERY, K) for window in WINDOWS},
            {other: shared_contexts(counts[1], chars, QUERY, other, N_SHARED) for other in SHARED_WITH})


def main():
    results, shared = solve()
    for window, neighbours in results.items():
        print(f"WINDOW = {window}：“{QUERY}”的近邻 " + " ".join(f"{c}({s:.2f})" for c, s in neighbours))
    for window in WINDOWS[1:]:
        kept = set(c for c, _ in results[window]) & set(c for c, _ in results[window - 1])
        print(f"WINDOW {window - 1} 与 {window} 的前 {K} 个近邻中相同的字：{len(kept)} 个")
    for other, (contexts, together, ppmi) in shared.items():
        print(f"WINDOW = 1，“{QUERY}”与“{other}”共同的上下文（括号里是各自与它相邻的次数）："
              + " ".join(f"{c}({n_a}/{n_b})" for c, n_a, n_b in contexts)
              + f"；“{QUERY}”“{other}”自己相邻 {together} 次，PPMI {ppmi:.2f}")


if __name__ == "__main__":
    main()
