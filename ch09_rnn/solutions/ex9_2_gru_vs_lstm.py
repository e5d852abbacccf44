"""第 9 章练习 2 的参考答案（计时部分）：同样的设置下，GRU 比 LSTM 少多少参数、每一步训练快多少？

完整的 GRU 训练用 `python ch09_rnn/3_poems_generation.py --cell gru`（训练 20 轮并在测试集上评估，2 核 CPU 上约 19 分钟）。
两次完整训练的耗时不在同一时刻测，机器忙闲不同就没法比；这个脚本在同一个进程里交替地训练 LSTM 和 GRU 各若干步
（与 3_poems_generation.py 的训练循环相同的一步：前向、交叉熵、反向、梯度裁剪、Adam），比较每步的耗时。

计时用的是进程的 CPU 时间（time.process_time）：机器上有别的进程在抢 CPU 时，墙上时间会把排队等 CPU 的时间也算进去，
同一个模型测得的值能差一倍；用 1 个线程运行时，CPU 时间就是这一步实际的计算量，最稳定（多线程时它是各线程之和）。

每步耗时差不多，原因要测：脚本再单独给循环层（nn.LSTM / nn.GRU 的前向 + 反向）交替计时，
并用 torch.profiler 记录循环层的几步前向 + 反向，列出自身用时最多的几个算子——看 PyTorch 在这台 CPU 上
为两种循环层各选了哪种实现：一次算完整个序列的融合算子，还是每个时间步调用一次矩阵乘法的通用写法。

    python ch09_rnn/solutions/ex9_2_gru_vs_lstm.py             # 隐藏层 384、批量 32，每种各 60 步，2 核 CPU 上约 30 秒
    DL_QUICK=1 python ch09_rnn/solutions/ex9_2_gru_vs_lstm.py  # 隐藏层 32，每种各 6 步
"""
import statistics
import time

import torch
from torch import nn
from torch.profiler import ProfilerActivity, profile

from common.chapters import load
from common.load_data import load_poems
from common.quick import pick

HIDDEN_SIZE = pick(real=384, quick=32)  # 与 3_poems_generation.py 的默认设置相同
NUM_LAYERS, BATCH_SIZE, DROPOUT, CLIP_NORM = 2, 32, 0.2, 1.0
ROUNDS = pick(real=6, quick=2)  # 交替计时的轮数：每轮 LSTM、GRU 各走 STEPS 步
STEPS = pick(real=10, quick=3)
CELLS = ["lstm", "gru"]
PROFILE_STEPS = pick(real=3, quick=0)  # torch.profiler 记录的步数（循环层的前向 + 反向）；快速模式不记录（整理记录要一秒多）
TOP_OPS = 3  # 列出自身用时最多的几个算子


def train_steps(model, optimizer, batches):
    """与 3_poems_generation.py 的 train() 中相同的一步，走 len(batches) 步，返回用去的 CPU 时间（秒）。"""
    model.train()
    start = time.process_time()
    for batch in batches:
        pred, _ = model(batch[:, :-1])
        loss = nn.functional.cross_entropy(pred.reshape(-1, pred.shape[-1]), batch[:, 1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), CLIP_NORM)
        optimizer.step()
    return time.process_time() - start


def rnn_steps(model, batches):
    """只算循环层：对嵌入后的输入做 model.rnn 的前向和反向，走 len(batches) 步，返回用去的 CPU 时间（秒）。

    嵌入、输出层（3,741 个字的 logits）、交叉熵和 Adam 两种模型完全相同，不计在内。
    """
    model.train()
    # 训练时循环层还要把梯度传回嵌入层，所以输入也要求梯度（反向时同样算 dL/dx）
    inputs = [model.embedding(batch[:, :-1]).detach().requires_grad_() for batch in batches]
    start = time.process_time()
    for x in inputs:
        h, _ = model.rnn(x)
        h.sum().backward()
    return time.process_time() - start


def top_ops(model, batches, k=TOP_OPS):
    """用 torch.profiler 记录循环层 len(batches) 步的前向 + 反向，返回自身用时（self CPU time）最多的 k 个算子：
    [(名字, 占全部算子自身用时的比例, 平均每步调用的次数)]。"""
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        rnn_steps(model, batches)
    events = [(e.key, e.self_cpu_time_total, e.count) for e in prof.key_averages()]
    total = sum(t for _, t, _ in events)
    return [(name, t / total, count / len(batches)) for name, t, count in sorted(events, key=lambda e: -e[1])[:k]]


def solve():
    poem_model = load("ch09_rnn/poem_model.py")
    train, _, _ = poem_model.split_poems(load_poems(), poem_model.SEED)
    vocab = poem_model.build_vocab(train)
    data = poem_model.encode(train, vocab)
    batches = list(data[torch.randperm(len(data), generator=torch.Generator().manual_seed(0))].split(BATCH_SIZE))
    models, optimizers = {}, {}
    seconds, rnn_seconds = {cell: [] for cell in CELLS}, {cell: [] for cell in CELLS}
    for cell in CELLS:
        torch.manual_seed(0)
        models[cell] = poem_model.PoemModel(len(vocab), HIDDEN_SIZE, NUM_LAYERS, cell, DROPOUT)
        optimizers[cell] = torch.optim.Adam(models[cell].parameters(), lr=2e-3)
        train_steps(models[cell], optimizers[cell], batches[:2])  # 预热：第一次调用要分配内存
    for round_ in range(ROUNDS):
        chunk = batches[round_ * STEPS:(round_ + 1) * STEPS]
        for cell in CELLS:  # 交替计时：机器忙闲的变化对两者的影响相同
            seconds[cell].append(train_steps(models[cell], optimizers[cell], chunk) / STEPS)
        for cell in CELLS:
            rnn_seconds[cell].append(rnn_steps(models[cell], chunk) / STEPS)
    profile_batches = batches[ROUNDS * STEPS:ROUNDS * STEPS + PROFILE_STEPS]
    results = {}
    for cell in CELLS:
        rnn_params = sum(p.numel() for p in models[cell].rnn.parameters())
        results[cell] = {"params": sum(p.numel() for p in models[cell].parameters()), "rnn_params": rnn_params,
                         "seconds_per_step": statistics.median(seconds[cell]),
                         "rnn_seconds_per_step": statistics.median(rnn_seconds[cell]),
                         "top_ops": top_ops(models[cell], profile_batches) if PROFILE_STEPS else []}
    return results


def main():
    results = solve()
    for cell, r in results.items():
        print(f"{cell.upper()}：参数 {r['params']:,}（其中循环层 {r['rnn_params']:,}），"
              f"每步训练 {r['seconds_per_step'] * 1000:.0f} 毫秒 CPU 时间（{ROUNDS} 轮交替计时的中位数）")
    lstm, gru = results["lstm"], results["gru"]
    print(f"GRU / LSTM：循环层参数 {gru['rnn_params'] / lstm['rnn_params']:.3f}，全部参数 "
          f"{gru['params'] / lstm['params']:.3f}，每步耗时 {gru['seconds_per_step'] / lstm['seconds_per_step']:.2f}")
    print(f"只算循环层（前向 + 反向）：LSTM 每步 {lstm['rnn_seconds_per_step'] * 1000:.0f} 毫秒，"
          f"GRU {gru['rnn_seconds_per_step'] * 1000:.0f} 毫秒，GRU / LSTM "
          f"{gru['rnn_seconds_per_step'] / lstm['rnn_seconds_per_step']:.2f}")
    if not PROFILE_STEPS:
        return
    print(f"torch.profiler 记录循环层 {PROFILE_STEPS} 步的前向 + 反向，自身用时最多的 {TOP_OPS} 个算子"
          "（占全部算子自身用时的比例，平均每步调用几次）：")
    for cell, r in results.items():
        print(f"{cell.upper()}：" + "，".join(f"{name} {share:.0%}（{calls:.0f} 次）" for name, share, calls in r["top_ops"]))


if __name__ == "__main__":
    main()
