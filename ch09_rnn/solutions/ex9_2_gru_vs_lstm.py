"""第 9 章练习 2 的参考答案（计时部分）：同样的设置下，GRU 比 LSTM 少多少参数、每一步训练快多少？

完整的 GRU 训练用 `python ch09_rnn/3_poems_generation.py --cell gru`（训练 20 轮并在测试集上评估，2 核 CPU 上约 19 分钟）。
两次完整训练的耗时不在同一时刻测，机器忙闲不同就没法比；这个脚本在同一个进程里交替地训练 LSTM 和 GRU 各若干步
（与 3_poems_generation.py 的训练循环相同的一步：前向、交叉熵、反向、梯度裁剪、Adam），比较每步的耗时。

    python ch09_rnn/solutions/ex9_2_gru_vs_lstm.py             # 隐藏层 384、批量 32，每种各 60 步，2 核 CPU 上约 30 秒
    DL_QUICK=1 python ch09_rnn/solutions/ex9_2_gru_vs_lstm.py  # 隐藏层 32，每种各 6 步
"""
import statistics
import time

import torch
from torch import nn

from common.chapters import load
from common.load_data import load_poems
from common.quick import pick

HIDDEN_SIZE = pick(real=384, quick=32)  # 与 3_poems_generation.py 的默认设置相同
NUM_LAYERS, BATCH_SIZE, DROPOUT, CLIP_NORM = 2, 32, 0.2, 1.0
ROUNDS = pick(real=6, quick=2)  # 交替计时的轮数：每轮 LSTM、GRU 各走 STEPS 步
STEPS = pick(real=10, quick=3)
CELLS = ["lstm", "gru"]


def train_steps(model, optimizer, batches):
    """与 3_poems_generation.py 的 train() 中相同的一步，走 len(batches) 步，返回用时（秒）。"""
    model.train()
    start = time.perf_counter()
    for batch in batches:
        pred, _ = model(batch[:, :-1])
        loss = nn.functional.cross_entropy(pred.reshape(-1, pred.shape[-1]), batch[:, 1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), CLIP_NORM)
        optimizer.step()
    return time.perf_counter() - start


def solve():
    poem_model = load("ch09_rnn/poem_model.py")
    train, _, _ = poem_model.split_poems(load_poems(), poem_model.SEED)
    vocab = poem_model.build_vocab(train)
    data = poem_model.encode(train, vocab)
    batches = list(data[torch.randperm(len(data), generator=torch.Generator().manual_seed(0))].split(BATCH_SIZE))
    models, optimizers, seconds = {}, {}, {cell: [] for cell in CELLS}
    for cell in CELLS:
        torch.manual_seed(0)
        models[cell] = poem_model.PoemModel(len(vocab), HIDDEN_SIZE, NUM_LAYERS, cell, DROPOUT)
        optimizers[cell] = torch.optim.Adam(models[cell].parameters(), lr=2e-3)
        train_steps(models[cell], optimizers[cell], batches[:2])  # 预热：第一次调用要分配内存
    for round_ in range(ROUNDS):
        chunk = batches[round_ * STEPS:(round_ + 1) * STEPS]
        for cell in CELLS:  # 交替计时：机器忙闲的变化对两者的影响相同
            seconds[cell].append(train_steps(models[cell], optimizers[cell], chunk) / STEPS)
    results = {}
    for cell in CELLS:
        rnn_params = sum(p.numel() for p in models[cell].rnn.parameters())
        results[cell] = {"params": sum(p.numel() for p in models[cell].parameters()), "rnn_params": rnn_params,
                         "seconds_per_step": statistics.median(seconds[cell])}
    return results


def main():
    results = solve()
    for cell, r in results.items():
        print(f"{cell.upper()}：参数 {r['params']:,}（其中循环层 {r['rnn_params']:,}），"
              f"每步训练 {r['seconds_per_step'] * 1000:.0f} 毫秒（{ROUNDS} 轮交替计时的中位数）")
    lstm, gru = results["lstm"], results["gru"]
    print(f"GRU / LSTM：循环层参数 {gru['rnn_params'] / lstm['rnn_params']:.3f}，全部参数 "
          f"{gru['params'] / lstm['params']:.3f}，每步耗时 {gru['seconds_per_step'] / lstm['seconds_per_step']:.2f}")


if __name__ == "__main__":
    main()
