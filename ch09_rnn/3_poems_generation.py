"""字符级 LSTM 语言模型：用唐代七言绝句训练，再生成合乎格律的七言绝句。

    python ch09_rnn/3_poems_generation.py                        # 训练（真实运行）→ 测试集评估 → 生成几首诗
    python ch09_rnn/3_poems_generation.py generate --acrostic 春夏秋冬   # 用随仓库提供的模型写藏头诗
    python ch09_rnn/3_poems_generation.py generate --start 春风 --temperature 0.8 --top-k 20 --num 5
    python ch09_rnn/3_poems_generation.py generate --free         # 不加格律约束：看模型自己写成什么样
    python ch09_rnn/3_poems_generation.py evaluate               # 测试集困惑度（与二元语法基线对比）与生成质量
    python ch09_rnn/3_poems_generation.py train --corpus tang+song --init data/poems/poem_lstm.pt --epochs 1 --lr 1e-3
    DL_QUICK=1 python ch09_rnn/3_poems_generation.py             # 快速模式：小子集上的小模型，几秒钟

从上往下读：1. 数据（按首划分，编码成 <bos> + 32 个字符）→ 2. 模型（poem_model.PoemModel：嵌入、2 层 LSTM、
共用词向量的输出层）→ 3. 训练一轮、在验证集上评估、每轮记下最好的一轮 → 4. 测试集困惑度与二元语法基线对比 →
5. 生成：按格式与格律约束的采样（sampling.py、gelv.py）。命令行参数与检查点文件的管道在 poem_cli.py。
"""
import math
import time
from collections import namedtuple

import torch
from torch import nn

import gelv
import poem_cli
from bigram import BigramModel
from common.cli import run
from common.device import get_device
from common.divergence import DivergenceGuard, TrainingDivergedError, check_finite_loss
from common.load_data import load_poems, load_song_poems
from common.paths import save_json
from common.quick import pick
from common.seed import set_seed
from poem_model import MIN_COUNT, build_vocab, encode, make_checkpoint, model_from_checkpoint, perplexity, split_poems
from sampling import BEST_OF, generate_poems, quality_report, train_lines_of

# 真实运行 / 快速模式的默认设置（也是命令行参数的默认值）
DEFAULTS = dict(
    n_poems=pick(real=None, quick=600),  # None 表示全部 10,342 首唐诗
    epochs=pick(real=20, quick=1),
    hidden_size=pick(real=384, quick=32),
    num_layers=2,
    batch_size=32,
    lr=2e-3,
    dropout=pick(real=0.2, quick=0.0),
    clip_norm=1.0,
    num=pick(real=5, quick=2),  # 打印几首诗
    best_of=BEST_OF,
)
N_QUALITY = pick(real=200, quick=20)  # 统计生成质量用的诗的首数
CORPUS_MIN_COUNT = {"tang": MIN_COUNT, "tang+song": 3}  # 词表：训练集里至少出现这么多次的字

Corpus = namedtuple("Corpus", "poems train valid test")


# ---------------------------------------------------------------- 1. 数据
def load_corpus(n_poems, seed, corpus="tang"):
    """读诗并按首划分（每个命令只做一次）。corpus="tang+song" 时宋诗全部加进训练集：验证集、测试集仍是唐诗的那两份。"""
    tang = load_poems()
    poems = tang[:n_poems]
    train_poems, valid, test_poems = split_poems(poems, seed)
    if corpus == "tang+song":  # 全部唐诗时加全部宋诗；只用前 n 首唐诗时（快速模式）也只加前 n 首宋诗
        song = load_song_poems()
        train_poems = train_poems + (song if len(poems) == len(tang) else song[:len(poems)])
    return Corpus(poems, train_poems, valid, test_poems)


def eval_loader(data):
    return torch.utils.data.DataLoader(torch.utils.data.TensorDataset(data), batch_size=512, num_workers=0)


# ---------------------------------------------------------------- 3. 训练一轮与评估
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


def fit_bigram(train_poems, valid_poems, vocab):
    """基线：在训练集上数二元语法、在验证集上选折扣（每个命令只做一次）。"""
    bigram = BigramModel(encode(train_poems, vocab), len(vocab))
    bigram.fit_discount(encode(valid_poems, vocab))
    return bigram


def train_command(args, corpus, device):
    """训练（或继续训练）；返回 (结果字典, 本次最好的一轮的检查点字典, 二元语法基线)。"""
    min_count = CORPUS_MIN_COUNT[args.corpus]
    vocab = build_vocab(corpus.train, min_count)
    train_data, valid_data = encode(corpus.train, vocab), encode(corpus.valid, vocab)
    print(f"诗 {len(corpus.poems)} 首唐诗{'（训练集另加宋诗）' if args.corpus == 'tang+song' else ''}："
          f"训练 {len(corpus.train)}、验证 {len(corpus.valid)}、测试 {len(corpus.test)}；"
          f"词表 {len(vocab)} 个词元（训练集里至少出现 {min_count} 次的字 + <bos>、<unk>）")
    # 2. 模型：新建、从 --init 的模型出发，或从 --resume 的检查点继续（poem_cli.start_model）
    model, config, history, resumed = poem_cli.start_model(args, vocab, len(corpus.poems), min_count, device)
    bigram = fit_bigram(corpus.train, corpus.valid, vocab)
    bigram_valid_ppl = perplexity(bigram.mean_cross_entropy(valid_data))
    print(f"基线：二元语法（Kneser–Ney，d = {bigram.discount:.2f}）的验证集困惑度 {bigram_valid_ppl:.1f}")
    n_params = sum(p.numel() for p in model.parameters())
    print(f"模型：{config['num_layers']} 层 {config['cell'].upper()}，隐藏层 {config['hidden_size']}，"
          f"参数 {n_params / 1e6:.2f} M（输入输出共用词向量）")

    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    first_epoch = len(history["val_loss"]) + 1
    steps_per_epoch = math.ceil(len(train_data) / args.batch_size)
    scheduler = poem_cli.make_scheduler(optimizer, args, steps_per_epoch, first_epoch, resumed)
    guard = DivergenceGuard()  # 损失变成 nan/inf，或涨到开始时的 10 倍以上，就停下
    best_valid, best_model = min(history["val_loss"], default=math.inf), None
    start = time.perf_counter()
    with poem_cli.TrainingFiles(args.corpus) as files:  # 本次运行自己的文件；Ctrl-C、发散时说明发生了什么
        for epoch in range(first_epoch, args.epochs + 1):
            shuffle = torch.Generator().manual_seed(args.seed + epoch)  # 每轮一个固定种子：继续训练时顺序不变
            loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(train_data),
                                                 batch_size=args.batch_size, shuffle=True, generator=shuffle)
            epoch_start = time.perf_counter()
            train_loss = train(model, device, loader, optimizer, epoch, loss_fn, scheduler, guard, args.clip_norm)
            val_loss = check_finite_loss(test(model, device, eval_loader(valid_data)), where=f"第 {epoch} 轮的验证集")
            if val_loss > guard.limit:
                raise TrainingDivergedError(f"第 {epoch} 轮的验证集交叉熵涨到了 {val_loss:.4g}，超过了上限 "
                                            f"{guard.limit:.4g}：训练发散了。请把学习率调小再试。")
            seconds = time.perf_counter() - epoch_start
            for key, value in zip(("train_loss", "val_loss", "epoch_seconds"), (train_loss, val_loss, seconds)):
                history[key].append(value)
            marker = ""
            if val_loss < best_valid:  # 验证集上更好：记下这一轮（float16），写进本次运行的文件
                best_valid = val_loss
                best_model = make_checkpoint(model, vocab, config, half=True, epoch=epoch,
                                             valid_perplexity=perplexity(val_loss))
                files.save(best_model)
                marker = "，目前最好"
            files.save_last(make_checkpoint(model, vocab, config, epoch=epoch, optimizer=optimizer.state_dict(),
                                            scheduler=scheduler.state_dict(), lr=args.lr, total_epochs=args.epochs,
                                            history=history))
            print(f"第 {epoch}/{args.epochs} 轮：训练交叉熵 {train_loss:.3f}，验证交叉熵 {val_loss:.3f}"
                  f"（困惑度 {perplexity(val_loss):.1f}）{marker}，{seconds:.0f} 秒")
    train_seconds = time.perf_counter() - start
    files.publish()  # 发布最好的一轮（不替换以前更好的模型），最后一轮放到 …_last.pt
    if best_model is None:  # 继续训练的几轮都没有超过检查点里记录的最好成绩：用最后一轮
        best_model = make_checkpoint(model, vocab, config, half=True, epoch=args.epochs,
                                     valid_perplexity=perplexity(history["val_loss"][-1]))
    plot_history(history, bigram_valid_ppl)
    print(f"训练完成：{args.epochs - first_epoch + 1} 轮用时 {train_seconds / 60:.1f} 分钟")
    return ({"train_seconds": train_seconds, "history": history, "bigram_valid_perplexity": bigram_valid_ppl,
             "best_valid_perplexity": best_model["valid_perplexity"], "best_epoch": best_model["epoch"],
             "n_parameters": n_params}, best_model, bigram)


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


# ---------------------------------------------------------------- 4. 测试集困惑度与生成质量
def evaluate(model, vocab, config, corpus, bigram, device, args):
    """测试集困惑度（模型与在同样的训练数据上拟合的二元语法基线，同一份词表和字符序列），以及生成质量与真实诗的对照。"""
    test_data = encode(corpus.test, vocab)
    lstm_ppl = perplexity(test(model, device, eval_loader(test_data)))
    bigram_ppl = perplexity(bigram.mean_cross_entropy(test_data))  # 在同样的训练集、同一份词表上数出来的二元语法
    reduction = 1 - lstm_ppl / bigram_ppl
    print(f"测试集 {len(corpus.test)} 首唐诗（{test_data[:, 1:].numel()} 个字符）的困惑度：二元语法基线（Kneser–Ney，"
          f"训练数据与模型相同，d = {bigram.discount:.2f}）{bigram_ppl:.1f}，{config['cell'].upper()} {lstm_ppl:.1f}，"
          f"{'低' if reduction >= 0 else '高'}了 {abs(reduction):.1%}")
    results = {"test_perplexity": lstm_ppl, "bigram_test_perplexity": bigram_ppl, "bigram_discount": bigram.discount,
               "reduction": reduction}
    results["quality"] = quality_table(model, vocab, corpus, device, args, N_QUALITY)
    return results


def quality_table(model, vocab, corpus, device, args, n, poems=None):
    """生成 n 首（不约束 / 默认解码，或用给定的 poems）统计质量，与测试集的真实诗并排打印。"""
    train_lines = train_lines_of(corpus.train)
    options = dict(temperature=args.temperature, top_k=args.top_k or None, device=device, seed=args.seed)
    batches = {"real_test": [p for p in corpus.test if gelv.is_well_formed(p)][:n]}
    if poems is None:
        batches["free"] = generate_poems(model, vocab, n, free=True, **options)
        batches["constrained"] = generate_poems(model, vocab, n, best_of=args.best_of, **options)
    else:
        batches["generated"] = poems
    reports = {key: quality_report(batch, train_lines, model, vocab, device) for key, batch in batches.items()}
    names = {"free": "模型自由生成（--free）", "constrained": "默认解码", "generated": "本次生成", "real_test": "测试集的真实诗"}
    print(f"\n生成质量（温度 {args.temperature}，top-k {args.top_k or '不限'}，每行 {n} 首；格律按诗人的用法读）：")
    print("| | 合律 | 首句出韵 | 首句入韵 | 有重字的诗 | 每首多出的重字 | 硬凑的韵 | 不同的二字组合 | 照抄训练集的句子 |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for key in [k for k in names if k in reports]:
        r = reports[key]
        print(f"| {names[key]} | {r['gelv']:.0%} | {r['out_of_rhyme']:.0%} | {r['first_line_rhymes']:.0%} | "
              f"{r['poems_with_repeats']:.0%} | {r['extra_repeats']:.2f} | {r['forced_rhymes']:.0%} | "
              f"{r['distinct_bigrams']:.1%} | {r['copied_lines']:.1%} |")
    return reports


# ---------------------------------------------------------------- 5. 生成
def generate(model, vocab, device, args):
    """生成 args.num 首诗并打印，每首注明格式与是否合律。"""
    poems = generate_poems(model, vocab, args.num, start=args.start, acrostic=args.acrostic,
                           temperature=args.temperature, top_k=args.top_k or None, free=args.free, yun=args.yun,
                           best_of=args.best_of, device=device, seed=args.seed)
    setting = f"温度 {args.temperature}，top-k {args.top_k or '不限'}，" + (
        "不加格律约束" if args.free else f"按格律约束，每首从 {args.best_of} 个候选中挑选")
    prompt = f"，开头“{args.start}”" if args.start else f"，藏头“{args.acrostic}”" if args.acrostic else ""
    print(f"生成（{setting}{prompt}{f'，押{args.yun}' if args.yun else ''}）：\n")
    results = [gelv.check(poem) for poem in poems]
    for poem, result in zip(poems, results):
        print("\n".join("    " + line for line in (poem[i * 8:(i + 1) * 8] for i in range(4))))
        print(f"    （{result.explain()}）\n")
    print(f"{len(poems)} 首中合律 {sum(r.ok for r in results)} 首（gelv.check 按诗人的用法检查）")
    return {"poems": poems, "gelv_ok": [r.ok for r in results], "patterns": [r.pattern for r in results],
            "temperature": args.temperature, "top_k": args.top_k, "free": args.free, "yun": args.yun}


def main(argv=None):
    args = poem_cli.parse_args(argv, DEFAULTS)
    start = time.perf_counter()
    device = get_device(args.device, verbose=True)
    set_seed(args.seed)
    results = {"command": args.command}
    if args.command in ("all", "train"):
        corpus = load_corpus(args.n_poems, args.seed, args.corpus)
        results["train"], best, bigram = train_command(args, corpus, device)
        model, vocab, config = model_from_checkpoint(best).to(device), best["vocab"], best["config"]  # 本次最好的一轮
    else:
        if args.command == "generate" and device.type == "cpu":
            torch.set_num_threads(1)  # 一次只生成几首：矩阵很小，多个线程互相同步的开销比计算还大
        model, vocab, checkpoint = poem_cli.load_model(args, device)
        config = checkpoint["config"]
        if args.command == "evaluate" or args.report:  # 只在需要时读诗、划分（generate 默认不需要）
            corpus = load_corpus(config["n_poems"], config["seed"], config.get("corpus", "tang"))
            bigram = fit_bigram(corpus.train, corpus.valid, vocab) if args.command == "evaluate" else None
    if args.command in ("all", "evaluate"):
        results["evaluate"] = evaluate(model, vocab, config, corpus, bigram, device, args)
    if args.command in ("all", "generate"):
        results["generate"] = generate(model, vocab, device, args)
        if args.report:
            poems = generate_poems(model, vocab, N_QUALITY, start=args.start, acrostic=args.acrostic,
                                   temperature=args.temperature, top_k=args.top_k or None, free=args.free,
                                   yun=args.yun, best_of=args.best_of, device=device, seed=args.seed)
            results["generate"]["quality"] = quality_table(model, vocab, corpus, device, args, len(poems), poems)
    results["seconds"] = time.perf_counter() - start
    save_json(f"ch09_rnn/poems_{args.command}.json", results)
    if args.command in ("all", "train"):
        from common.plotting import show

        show()


if __name__ == "__main__":
    run(main)
