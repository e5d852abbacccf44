"""插值 Kneser–Ney 字符二元语法（bigram）：唐诗语言模型的基线（3_poems_generation.py 用）。

    bigram = BigramModel(train_data, len(vocab))   # train_data: (N, 33) 编码后的诗
    bigram.fit_discount(valid_data)                # 在验证集上选折扣 d
    perplexity = math.exp(bigram.mean_cross_entropy(test_data))

LSTM 只有明显好过它，才说明那几百万个参数学到了“前一个字”以外的东西。只用 NumPy。
"""
import numpy as np


class BigramModel:
    """插值 Kneser–Ney 字符二元语法：

        P(c | p) = max(N(p, c) - d, 0) / N(p) + d * T(p) / N(p) * P_cont(c)

    N(p, c) 是训练集里 p 后面紧跟 c 的次数，N(p) = Σ_c N(p, c)，T(p) 是 p 后面出现过的不同字数，
    P_cont(c) 正比于 c 前面出现过的不同字数（“能接在多少种字后面”）。没有在训练集里当过前一个字的 p
    直接用 P_cont。
    """

    def __init__(self, train_data, vocab_size):
        prev, nxt = train_data[:, :-1].reshape(-1).numpy(), train_data[:, 1:].reshape(-1).numpy()
        self.counts = np.zeros((vocab_size, vocab_size), dtype=np.int32)
        np.add.at(self.counts, (prev, nxt), 1)
        self.row_totals = self.counts.sum(axis=1).astype(np.float64)
        self.row_types = (self.counts > 0).sum(axis=1).astype(np.float64)
        followers = (self.counts > 0).sum(axis=0).astype(np.float64)
        self.continuation = followers / followers.sum()
        self.discount = 0.75

    def probabilities(self, prev, nxt):
        """P(nxt | prev)，prev、nxt 是同形状的编号数组。"""
        totals = self.row_totals[prev]
        seen = totals > 0
        safe = np.where(seen, totals, 1.0)
        discounted = np.maximum(self.counts[prev, nxt] - self.discount, 0) / safe
        backoff = np.where(seen, self.discount * self.row_types[prev] / safe, 1.0)
        return discounted + backoff * self.continuation[nxt]

    def next_distribution(self, prev):
        """给定前一个字的编号，返回下一个字的完整分布（长度 V，和为 1）。"""
        vocab_size = len(self.continuation)
        return self.probabilities(np.full(vocab_size, prev), np.arange(vocab_size))

    def mean_cross_entropy(self, data):
        prev, nxt = data[:, :-1].reshape(-1).numpy(), data[:, 1:].reshape(-1).numpy()
        return float(-np.log(self.probabilities(prev, nxt)).mean())

    def fit_discount(self, valid_data, grid=np.arange(0.05, 1.0, 0.05)):
        """在验证集上选折扣 d（交叉熵最小的那个），返回 {d: 验证集交叉熵}。"""
        scores = {}
        for d in grid:
            self.discount = float(d)
            scores[round(float(d), 2)] = self.mean_cross_entropy(valid_data)
        self.discount = min(scores, key=scores.get)
        return scores
