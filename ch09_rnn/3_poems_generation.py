"""字符级 LSTM 语言模型：用 10,342 首唐代七言绝句训练，再生成合乎格律的七言绝句。

    python ch09_rnn/3_poems_generation.py                        # 训练（真实运行）→ 测试集评估 → 生成几首诗
    python ch09_rnn/3_poems_generation.py generate --acrostic 春夏秋冬   # 用随仓库提供的模型写藏头诗，约 4 秒（其中 import torch 约 3.7 秒）
    python ch09_rnn/3_poems_generation.py generate --start 春风 --temperature 0.8 --top-k 20 --num 5
    python ch09_rnn/3_poems_generation.py generate --yun 十一尤   # 指定押平水韵的哪个韵部
    python ch09_rnn/3_poems_generation.py generate --free         # 不加格律约束：看模型自己写成什么样
    python ch09_rnn/3_poems_generation.py generate --report       # 另外生成一批，统计格律、照抄、多样性
    python ch09_rnn/3_poems_generation.py evaluate               # 测试集困惑度（与二元语法基线对比）与生成质量
    python ch09_rnn/3_poems_generation.py train --resume output/ch09_rnn/poem_lstm_last.pt --epochs 24
    DL_QUICK=1 python ch09_rnn/3_poems_generation.py             # 快速模式：小子集上的小模型，几秒钟

数据按“首”随机划分为训练 / 验证 / 测试（80 % / 10 % / 10 %，固定种子）。每首诗的输入是
<bos> 加 32 个字符，模型逐字预测下一个字符（标点也算一个字符）。训练集里只出现一次的字记作 <unk>，
所以验证集、测试集里没见过的字也有概率可算。基线是插值 Kneser–Ney 字符二元语法（bigram.py），
两个模型在完全相同的测试字符序列上算困惑度。

生成时按格式约束解码（标点直接填入，句内只在汉字中采样），默认还按格律约束（gelv.py、sampling.py）：
每个位置只在平仄合格式的字中采样，韵脚只在同一个平水韵平声韵部的字中采样，所以每一首都合律；
--free 只保留格式约束。

训练途中只写本次运行自己的文件（output/ch09_rnn/poem_lstm.run-<时间>-<进程号>.pt 和 ….last.pt），
正常结束时把验证集上最好的一轮发布为 output/ch09_rnn/poem_lstm.pt——以前训练出的更好的模型不会被悄悄替换
（common.checkpoint.keep_better_checkpoint）——并把最后一轮（可 --resume 继续）放到 poem_lstm_last.pt。
"""
import argparse
import math
import os
import sys
import time
from collections import namedtuple

import torch
from torch import nn

import gelv
from bigram import BigramModel
from common.checkpoint import CheckpointError, keep_better_checkpoint, save_checkpoint
from common.cli import non_negative_int, positive_float, positive_int, probability
from common.device import get_device
from common.divergence import DivergenceGuard, TrainingDivergedError, check_finite_loss
from common.load_data import check_file, load_poems, load_song_poems
from common.paths import output_dir, output_path, relative_to_repo, save_json
from common.quick import pick
from common.seed import set_seed
from poem_model import (MIN_COUNT, SEED, PoemModel, build_vocab, encode, load_poem_checkpoint, make_checkpoint,
                        model_config, model_from_checkpoint, perplexity, split_poems, transfer_weights)
from sampling import generate_poems, quality_report, train_lines_of

SHIPPED_CHECKPOINT = "poems/poem_lstm.pt"  # data/ 下随仓库提供的模型
BEST_CHECKPOINT = "ch09_rnn/poem_lstm.pt"  # output/ 下：发布的最好模型
LAST_CHECKPOINT = "ch09_rnn/poem_lstm_last.pt"  # output/ 下：最近一次正常结束的训练的最后一轮（可继续训练）
HOW_TO_TRAIN = "先运行 python ch09_rnn/3_poems_generation.py train 训练一个，或去掉 --checkpoint 使用随仓库提供的模型"

# 真实运行 / 快速模式的默认设置
N_POEMS = pick(real=None, quick=600)  # None 表示全部 10,342 首
EPOCHS = pick(real=20, quick=1)
HIDDEN_SIZE = pick(real=384, quick=32)
NUM_LAYERS = 2
BATCH_SIZE = 32
LEARNING_RATE = 2e-3
DROPOUT = pick(real=0.2, quick=0.0)
CLIP_NORM = 1.0
N_QUALITY = pick(real=200, quick=20)  # 统计生成质量用的诗的首数
MIN_POEMS = 50  # --n-poems 的下限：太少时验证集、测试集是空的

Corpus = namedtuple("Corpus", "poems train valid test")


CORPUS_MIN_COUNT = {"tang": MIN_COUNT, "tang+song": 3}  # 词表：训练集里至少出现这么多次的字


def load_corpus(n_poems, seed, corpus="tang"):
    """读诗并按首划分（每个命令只做一次）。corpus="tang+song" 时宋诗全部加进训练集：验证集、测试集仍是唐诗的那两份。"""
    poems = load_poems()[:n_poems]
    train_poems, valid, test = split_poems(poems, seed)
    if corpus == "tang+song":
        train_poems = train_poems + load_song_poems()[:n_poems]
    return Corpus(poems, train_poems, valid, test)


# ---------------------------------------------------------------- 训练与评估的一轮
def train(model, device, loader, optimizer, epoch, loss_fn, scheduler, guard, clip_norm):
    """训练一轮（每一步之后按计划调整学习率），返回这一轮的平均交叉熵。"""
    from tqdm import tqdm  # 只有训练用得到：generate 不必为它付出导入时间

    model.train()
    total, count = 0.0, 0
    for step, (batch,) in enumerate(tqdm(loader, desc=f"第 {epoch} 轮", leave=False, mininterval=2)):
        batch = batch.to(device)
        x, y = batch[:, :-1], batch[:, 1:]  # 输入 <bos> 加前 31 个字，目标是 32 个字
        pred, _ = model(x)
        loss = loss_fn(pred.reshape(-1, pred.shape[-1]), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), clip_norm)  # 梯度裁剪：防止梯度爆炸
        optimizer.step()
        scheduler.step()
        loss_value = guard.check(loss.item(), where=f"第 {epoch} 轮第 {step + 1} 步")  # nan/inf 或暴涨时停下
        total += loss_value * len(batch)
        count += len(batch)
    return total / count


def test(model, device, loader):
    """每个被预测字符的平均交叉熵（nats）；困惑度 = exp(它)。loader 给出 (N, 33) 编码后的诗。"""
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for (batch,) in loader:
            batch = batch.to(device)
            logits, _ = model(batch[:, :-1])
            total += nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1),
                                                 reduction="sum").item()
            count += batch[:, 1:].numel()
    return total / count


def eval_loader(data):
    return torch.utils.data.DataLoader(torch.utils.data.TensorDataset(data), batch_size=512, num_workers=0)


def fit_bigram(corpus, vocab):
    """在训练集上数二元语法、在验证集上选折扣（每个命令只做一次）。"""
    bigram = BigramModel(encode(corpus.train, vocab), len(vocab))
    bigram.fit_discount(encode(corpus.valid, vocab))
    return bigram


# ---------------------------------------------------------------- 命令：训练
def run_files():
    """本次运行自己的两个文件：最好的一轮（半精度）和最后一轮（可继续训练）。两次同时进行的运行互不覆盖。"""
    stem = BEST_CHECKPOINT.removesuffix(".pt")
    run = f"{stem}.run-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    return output_path(f"{run}.pt"), output_path(f"{run}.last.pt")


def train_command(args, corpus, device):
    """训练（或继续训练），发布最好的模型；返回 (结果字典, 本次最好的一轮的检查点字典, 二元语法基线)。"""
    min_count = CORPUS_MIN_COUNT[args.corpus]
    vocab = build_vocab(corpus.train, min_count)
    train_data, valid_data = encode(corpus.train, vocab), encode(corpus.valid, vocab)
    print(f"诗 {len(corpus.poems)} 首：训练 {len(corpus.train)}、验证 {len(corpus.valid)}、测试 {len(corpus.test)}；"
          f"词表 {len(vocab)} 个词元（训练集里至少出现 {min_count} 次的字 + <bos>、<unk>）")

    if args.resume:
        model, _, checkpoint = load_poem_checkpoint(args.resume, expected_vocab=vocab,
                                                    how_to_make="继续训练要用训练时写出的 ….last.pt 文件")
        if "optimizer" not in checkpoint:
            raise CheckpointError(f"{relative_to_repo(args.resume)} 只含模型参数，没有优化器状态和训练记录，不能继续训练；"
                                  f"请用训练时写出的 output/{LAST_CHECKPOINT}（或中断时提示的 ….last.pt）。")
        model = model.to(device)
        config = checkpoint["config"]
        history, first_epoch = checkpoint["history"], checkpoint["epoch"] + 1
        print(f"从 {relative_to_repo(args.resume)} 继续训练：已训练 {checkpoint['epoch']} 轮（模型设置取自检查点）")
        if first_epoch > args.epochs:
            raise ValueError(f"检查点已经训练了 {first_epoch - 1} 轮，--epochs {args.epochs} 没有剩下的轮数；"
                             f"请把 --epochs 设得更大。")
    else:
        config = model_config(vocab, args.cell, args.hidden_size, args.num_layers, args.dropout,
                              len(corpus.poems), args.seed)
        config.update(corpus=args.corpus, min_count=min_count)
        model = PoemModel(len(vocab), args.hidden_size, args.num_layers, args.cell, args.dropout).to(device)
        if args.init:  # 从一个训练好的模型出发：循环层照搬，两个词表共有的字沿用它的词向量，新字保留随机的初始值
            start_from, start_vocab, _ = load_poem_checkpoint(args.init, how_to_make=HOW_TO_TRAIN)
            copied = transfer_weights(start_from, start_vocab, model, vocab)
            config["init"] = relative_to_repo(args.init)
            print(f"从 {relative_to_repo(args.init)} 出发：循环层照搬，{copied} 个字沿用它的词向量")
        history, first_epoch = {"train_loss": [], "val_loss": [], "epoch_seconds": []}, 1
    bigram = fit_bigram(corpus, vocab)
    bigram_valid_ppl = perplexity(bigram.mean_cross_entropy(valid_data))
    print(f"基线：二元语法（Kneser–Ney，d = {bigram.discount:.2f}）的验证集困惑度 {bigram_valid_ppl:.1f}")
    n_params = sum(p.numel() for p in model.parameters())
    print(f"模型：{config['num_layers']} 层 {config['cell'].upper()}，隐藏层 {config['hidden_size']}，"
          f"参数 {n_params / 1e6:.2f} M（输入输出共用词向量）")

    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps_per_epoch = math.ceil(len(train_data) / args.batch_size)

    def one_cycle():  # 学习率先在前 5 % 的步数里升到 lr，再按余弦曲线降到接近 0（OneCycle 计划）
        return torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=args.lr, total_steps=(args.epochs - first_epoch + 1) * steps_per_epoch,
            pct_start=0.05, anneal_strategy="cos")

    if not args.resume:
        scheduler = one_cycle()
    elif checkpoint["total_epochs"] == args.epochs and checkpoint.get("lr") == args.lr:
        scheduler = one_cycle()  # 训练被打断：接着原来的学习率计划（优化器里的学习率随状态一起恢复）
        optimizer.load_state_dict(checkpoint["optimizer"])
        scheduler.load_state_dict(checkpoint["scheduler"])
    else:
        # 加长训练或换了学习率：先恢复优化器（Adam 的动量），再按新的 --lr 和剩下的轮数新建计划。
        # 顺序要紧：优化器的状态里存着旧计划的学习率，先建计划再恢复会把 --lr 悄悄换回旧值。
        optimizer.load_state_dict(checkpoint["optimizer"])
        scheduler = one_cycle()
        print(f"原计划 {checkpoint['total_epochs']} 轮、lr = {checkpoint.get('lr')}，现在 {args.epochs} 轮、lr = {args.lr}："
              f"剩下的 {args.epochs - first_epoch + 1} 轮按新的学习率重新走一遍计划")
    guard = DivergenceGuard()  # 损失变成 nan/inf，或涨到开始时的 10 倍以上，就停下
    best_valid = min(history["val_loss"], default=math.inf)
    best_model = None
    run_best, run_last = run_files()
    progress = {"lr": args.lr, "total_epochs": args.epochs, "history": history}

    start, start_time = time.perf_counter(), time.time()
    try:
        for epoch in range(first_epoch, args.epochs + 1):
            shuffle = torch.Generator().manual_seed(args.seed + epoch)  # 每轮一个固定种子：继续训练时顺序不变
            loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(train_data),
                                                 batch_size=args.batch_size, shuffle=True, generator=shuffle,
                                                 num_workers=0)
            epoch_start = time.perf_counter()
            train_loss = train(model, device, loader, optimizer, epoch, loss_fn, scheduler, guard, args.clip_norm)
            val_loss = check_finite_loss(test(model, device, eval_loader(valid_data)), where=f"第 {epoch} 轮的验证集")
            if val_loss > guard.limit:
                raise TrainingDivergedError(f"第 {epoch} 轮的验证集交叉熵涨到了 {val_loss:.4g}，超过了上限 "
                                            f"{guard.limit:.4g}：训练发散了。请把学习率调小再试。")
            seconds = time.perf_counter() - epoch_start
            for key, value in zip(("train_loss", "val_loss", "epoch_seconds"), (train_loss, val_loss, seconds)):
                history.setdefault(key, []).append(value)
            marker = ""
            if val_loss < best_valid:
                best_valid = val_loss
                best_model = make_checkpoint(model, vocab, config, half=True, epoch=epoch,
                                             valid_perplexity=perplexity(val_loss))
                save_checkpoint(best_model, run_best)  # 原子写入：中途按 Ctrl-C 也不会留下半个文件
                marker = "，目前最好"
            save_checkpoint(make_checkpoint(model, vocab, config, epoch=epoch, optimizer=optimizer.state_dict(),
                                            scheduler=scheduler.state_dict(), **progress), run_last)
            print(f"第 {epoch}/{args.epochs} 轮：训练交叉熵 {train_loss:.3f}，验证交叉熵 {val_loss:.3f}"
                  f"（困惑度 {perplexity(val_loss):.1f}）{marker}，{seconds:.0f} 秒")
    except KeyboardInterrupt:
        kept = (f"；本次到目前最好的模型在 {relative_to_repo(run_best)}" if run_best.exists() else "")
        resume = (f"；继续训练：--resume {relative_to_repo(run_last)}" if run_last.exists() else "")
        sys.exit(f"训练被中断（Ctrl-C）。以前发布的 {relative_to_repo(output_path(BEST_CHECKPOINT))}（如果有）没有改动{kept}{resume}")
    except TrainingDivergedError as error:
        for path in (run_best, run_last):
            path.unlink(missing_ok=True)
        print(f"训练发散，停止。以前发布的 {relative_to_repo(output_path(BEST_CHECKPOINT))}（如果有）没有改动；本次没有保存模型")
        sys.exit(f"错误：{error}")
    train_seconds = time.perf_counter() - start

    if best_model is None:  # 继续训练的几轮都没有比检查点里记录的最好成绩更好
        print(f"继续训练的 {args.epochs - first_epoch + 1} 轮没有超过检查点里最好的验证交叉熵 {best_valid:.3f}，不发布模型")
        best_model = make_checkpoint(model, vocab, config, half=True, epoch=args.epochs,
                                     valid_perplexity=perplexity(history["val_loss"][-1]))
    else:
        _, message = keep_better_checkpoint(best_model, output_path(BEST_CHECKPOINT), score_key="valid_perplexity",
                                            higher_is_better=False, what="验证集困惑度")
        print(message)
    run_best.unlink(missing_ok=True)
    print(publish_last(run_last, start_time))
    plot_history(history, bigram_valid_ppl)
    print(f"训练完成：{args.epochs - first_epoch + 1} 轮用时 {train_seconds / 60:.1f} 分钟")
    return ({"train_seconds": train_seconds, "history": history, "bigram_valid_perplexity": bigram_valid_ppl,
             "best_valid_perplexity": best_model["valid_perplexity"], "best_epoch": best_model["epoch"],
             "n_parameters": n_params}, best_model, bigram)


def publish_last(run_last, start_time):
    """把本次的最后一轮移到 poem_lstm_last.pt（可 --resume）。本次训练期间另一次运行已经写过它时，不覆盖，说明原因。"""
    last = output_path(LAST_CHECKPOINT)
    if last.exists() and last.stat().st_mtime > start_time:
        return (f"{relative_to_repo(last)} 在本次训练期间被另一次运行写过，没有覆盖它；"
                f"本次的最后一轮在 {relative_to_repo(run_last)}（可 --resume）")
    os.replace(run_last, last)  # 改名是原子的
    return f"最后一轮（可 --resume 继续训练）：{relative_to_repo(last)}"


def plot_history(history, bigram_valid_ppl):
    """每轮的训练、验证困惑度，与二元语法基线的验证困惑度对照。"""
    from matplotlib.ticker import MaxNLocator

    from common.plotting import plt, save_figure  # 只有训练画图：generate 不导入 matplotlib

    epochs = range(1, len(history["train_loss"]) + 1)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(epochs, [perplexity(v) for v in history["train_loss"]], "o-",
            label="训练集（一轮的平均，训练模式，含 Dropout）")
    ax.plot(epochs, [perplexity(v) for v in history["val_loss"]], "s-", label="验证集")
    ax.axhline(bigram_valid_ppl, color="gray", linestyle="--", label="二元语法基线（验证集）")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("轮")
    ax.set_ylabel("困惑度")
    ax.set_title("唐诗语言模型的困惑度")
    ax.legend()
    save_figure(fig, "ch09_rnn/poems_perplexity.png")


# ---------------------------------------------------------------- 命令：评估与生成
def evaluate_command(model, vocab, config, corpus, bigram, device, args):
    """测试集困惑度（LSTM 与二元语法基线，同一份划分、词表和字符序列），以及生成质量与真实诗的对照。"""
    test_data = encode(corpus.test, vocab)
    bigram_ppl = perplexity(bigram.mean_cross_entropy(test_data))
    lstm_ppl = perplexity(test(model, device, eval_loader(test_data)))
    reduction = 1 - lstm_ppl / bigram_ppl
    print(f"测试集 {len(corpus.test)} 首（{test_data[:, 1:].numel()} 个字符）的困惑度："
          f"二元语法基线（Kneser–Ney，d = {bigram.discount:.2f}）{bigram_ppl:.1f}，"
          f"{config['cell'].upper()} {lstm_ppl:.1f}，{'低' if reduction >= 0 else '高'}了 {abs(reduction):.1%}"
          f"（目标：至少低 40 %）")
    reports = quality_table(model, vocab, corpus, device, args, N_QUALITY)
    return {"test_perplexity": lstm_ppl, "bigram_test_perplexity": bigram_ppl, "bigram_discount": bigram.discount,
            "reduction": reduction, "quality": reports}


def quality_table(model, vocab, corpus, device, args, n, poems=None):
    """生成 n 首（不约束格律 / 按格律约束，或用给定的 poems）统计质量，与测试集的真实诗并排打印。"""
    train_lines = train_lines_of(corpus.train)
    options = dict(temperature=args.temperature, top_k=args.top_k or None, device=device, seed=args.seed)
    reports = {}
    if poems is None:
        reports["free"] = quality_report(generate_poems(model, vocab, n, free=True, **options), train_lines)
        reports["constrained"] = quality_report(generate_poems(model, vocab, n, **options), train_lines)
    else:
        reports["generated"] = quality_report(poems, train_lines)
    real = [p for p in corpus.test if gelv.is_well_formed(p)][:n]
    reports["real_test"] = quality_report(real, train_lines)
    names = {"free": "模型自由生成（--free）", "constrained": "按格律约束（默认）", "generated": "本次生成",
             "real_test": "测试集的真实诗"}
    print(f"\n生成质量（温度 {args.temperature}，top-k {args.top_k or '不限'}，每行 {n} 首；押韵、格律按平水韵）：")
    print("| | 格式正确 | 第 2、4 句押韵 | 平仄合格式 | 完全合律 | 照抄训练集的句子 | 不同的字 | 不同的二字组合 |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for key, report in reports.items():
        print(f"| {names[key]} | {report['well_formed']:.0%} | {report['rhyme']:.0%} | {report['tone_pattern']:.0%} | "
              f"{report['gelv']:.0%} | {report['copied_lines']:.1%} | {report['distinct_chars']:.1%} | "
              f"{report['distinct_bigrams']:.1%} |")
    return reports


def generate_command(model, vocab, device, args):
    """生成 args.num 首诗并打印，每首注明格式与是否合律。"""
    options = dict(start=args.start, acrostic=args.acrostic, temperature=args.temperature, top_k=args.top_k or None,
                   free=args.free, yun=args.yun, device=device, seed=args.seed)
    poems = generate_poems(model, vocab, args.num, **options)
    setting = f"温度 {args.temperature}，top-k {args.top_k or '不限'}，" + ("不加格律约束" if args.free else "按格律约束")
    prompt = f"，开头“{args.start}”" if args.start else f"，藏头“{args.acrostic}”" if args.acrostic else ""
    print(f"生成（{setting}{prompt}{f'，押{args.yun}' if args.yun else ''}）：\n")
    results = [gelv.check(poem) for poem in poems]
    for poem, result in zip(poems, results):
        print("\n".join("    " + line for line in (poem[i * 8:(i + 1) * 8] for i in range(4))))
        print(f"    （{result.explain()}）\n")
    print(f"{len(poems)} 首中合律 {sum(r.ok for r in results)} 首（gelv.check 检查）")
    return {"poems": poems, "gelv_ok": [r.ok for r in results], "patterns": [r.pattern for r in results],
            "temperature": args.temperature, "top_k": args.top_k, "free": args.free, "yun": args.yun}


# ---------------------------------------------------------------- 命令行
def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("command", nargs="?", default="all", choices=["all", "train", "generate", "evaluate"],
                        help="all：训练后评估并生成；train：只训练；generate：只生成；evaluate：只评估")
    parser.add_argument("--device", default=None, help="cpu / cuda / cuda:1 / mps；不设时自动选择")
    parser.add_argument("--seed", type=non_negative_int, default=SEED, help="随机种子（划分、初始化、采样）")
    parser.add_argument("--corpus", choices=["tang", "tang+song"], default="tang",
                        help="训练数据：tang 只用唐诗；tang+song 再加 71,518 首宋诗（验证集、测试集都是唐诗）")
    training = parser.add_argument_group("训练")
    training.add_argument("--epochs", type=positive_int, default=EPOCHS, help="训练的总轮数（继续训练时也是总数）")
    training.add_argument("--batch-size", type=positive_int, default=BATCH_SIZE, help="批量大小")
    training.add_argument("--lr", type=positive_float, default=LEARNING_RATE, help="OneCycle 计划的最大学习率")
    training.add_argument("--hidden-size", type=positive_int, default=HIDDEN_SIZE, help="词向量与隐藏层的大小")
    training.add_argument("--num-layers", type=positive_int, default=NUM_LAYERS, help="RNN 的层数")
    training.add_argument("--dropout", type=probability, default=DROPOUT, help="Dropout 的比例")
    training.add_argument("--cell", choices=["lstm", "gru"], default="lstm", help="循环单元")
    training.add_argument("--clip-norm", type=positive_float, default=CLIP_NORM, help="梯度裁剪的阈值（梯度的范数）")
    training.add_argument("--n-poems", type=positive_int, default=N_POEMS,
                          help=f"只用前若干首诗（至少 {MIN_POEMS}）；None 表示全部")
    training.add_argument("--resume", default=None, help="从训练写出的 ….last.pt 检查点继续训练")
    training.add_argument("--init", default=None,
                          help="从一个训练好的模型（如 data/poems/poem_lstm.pt）出发，在新的数据上接着训练；"
                               "--hidden-size 等要与它相同")
    sampling = parser.add_argument_group("生成与评估")
    sampling.add_argument("--checkpoint", default=None,
                          help="模型文件；generate/evaluate 不设时用随仓库提供的 data/poems/poem_lstm.pt")
    sampling.add_argument("--start", default="", help="第一句的开头，如 春风")
    sampling.add_argument("--acrostic", default="", help="藏头诗的四个字，如 春夏秋冬")
    sampling.add_argument("--temperature", type=positive_float, default=0.8, help="采样温度")
    sampling.add_argument("--top-k", type=non_negative_int, default=20, help="只在概率最高的 k 个字中采样；0 表示不限")
    sampling.add_argument("--num", type=positive_int, default=pick(real=5, quick=2), help="打印几首诗")
    sampling.add_argument("--free", action="store_true", help="不加格律约束（只保证四句七言的格式）")
    sampling.add_argument("--yun", type=yun_name, default=None,
                          help="押平水韵的哪个平声韵部，如 十一尤；不设时由模型自己选")
    sampling.add_argument("--report", action="store_true",
                          help="generate 时另外生成一批，统计格律、照抄、多样性并与真实诗对照")
    args = parser.parse_args(argv)
    if args.corpus == "tang+song":  # 两种训练数据发布成不同的文件，互不覆盖
        global BEST_CHECKPOINT, LAST_CHECKPOINT
        BEST_CHECKPOINT, LAST_CHECKPOINT = "ch09_rnn/poem_lstm_tang_song.pt", "ch09_rnn/poem_lstm_tang_song_last.pt"
    if args.n_poems is not None and args.n_poems < MIN_POEMS:
        parser.error(f"--n-poems 至少为 {MIN_POEMS}（太少时验证集、测试集是空的），实际为 {args.n_poems}")
    if args.resume and args.command not in ("all", "train"):
        parser.error(f"--resume 只用于训练（train 或 all），{args.command} 请用 --checkpoint 指定模型文件")
    if args.yun and args.free:
        parser.error("--yun 要用格律约束，不能与 --free 同时使用")
    if args.start and args.acrostic:
        parser.error("--start 与 --acrostic 只能二选一")
    return args


def yun_name(text):
    """--yun 的检查：必须是平水韵的 30 个平声韵部之一（可以写“下平十一尤”或“十一尤”）。"""
    name = text.removeprefix("上平").removeprefix("下平").removesuffix("韵")
    if name not in gelv.PING_GROUPS:
        raise argparse.ArgumentTypeError(f"{text!r} 不是平水韵的平声韵部；可选：{'、'.join(gelv.PING_GROUPS)}")
    return name


def main(argv=None):
    args = parse_args(argv)
    start = time.perf_counter()
    output_dir()  # 输出目录不可写时在任何工作之前就报错
    device = get_device(args.device, verbose=True)
    set_seed(args.seed)
    results = {"command": args.command}
    if args.command in ("all", "train"):
        corpus = load_corpus(args.n_poems, args.seed, args.corpus)
        results["train"], best, bigram = train_command(args, corpus, device)
        model, vocab, config = model_from_checkpoint(best).to(device), best["vocab"], best["config"]  # 本次最好的一轮
    if args.command == "generate" and device.type == "cpu":
        # 一次只生成几首时，每一步的矩阵很小，多个线程互相同步的开销比计算本身还大：用一个线程反而快得多
        torch.set_num_threads(1)
    if args.command in ("generate", "evaluate"):
        path = args.checkpoint or check_file(SHIPPED_CHECKPOINT)  # 随仓库提供的模型先核对 SHA-256
        model, vocab, checkpoint = load_poem_checkpoint(path, device, how_to_make=HOW_TO_TRAIN)
        config = checkpoint["config"]
        print(f"模型：{relative_to_repo(path)}")
        if args.command == "evaluate" or args.report:  # 只在需要时读诗、划分（generate 默认不需要）
            corpus = load_corpus(config["n_poems"], config["seed"], config.get("corpus", "tang"))
    if args.command in ("all", "evaluate"):
        if args.command == "evaluate":
            bigram = fit_bigram(corpus, vocab)
        results["evaluate"] = evaluate_command(model, vocab, config, corpus, bigram, device, args)
    if args.command in ("all", "generate"):
        results["generate"] = generate_command(model, vocab, device, args)
        if args.report:
            poems = generate_poems(model, vocab, max(args.num, N_QUALITY), start=args.start, acrostic=args.acrostic,
                                   temperature=args.temperature, top_k=args.top_k or None, free=args.free,
                                   yun=args.yun, device=device, seed=args.seed)
            results["generate"]["quality"] = quality_table(model, vocab, corpus, device, args, len(poems), poems)
    results["seconds"] = time.perf_counter() - start
    save_json(f"ch09_rnn/poems_{args.command}.json", results)
    if args.command in ("all", "train"):
        from common.plotting import show

        show()


if __name__ == "__main__":
    try:
        main()
    except (CheckpointError, OSError, ValueError) as error:
        # 模型文件读不了、数据文件缺失或损坏、提示里有词表外的字、输出目录不可写、--device 不可用：
        # 只打印一行说明，不打印调用栈
        sys.exit(f"错误：{error}")
    except KeyboardInterrupt:  # 训练循环里的 Ctrl-C 另有说明（见 train_command）；其余时候只说一句
        sys.exit("已中断（Ctrl-C），没有写出结果")
