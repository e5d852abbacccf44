"""3_poems_generation.py 的管道：命令行参数、检查点文件的一生（新建 / 从别的模型出发 / 继续训练、每轮保存、
发布、中断时的说明），以及 generate、evaluate 读哪个模型。训练与生成本身在 3_poems_generation.py 里。

出错时只抛出异常（CheckpointError、ValueError、OSError、TrainingDivergedError、KeyboardInterrupt），
由脚本最后一行的 common.cli.run(main) 变成一行“错误：……”。
"""
import argparse
import math
import os
import time

import torch

import gelv
from common.checkpoint import BestModelFile, CheckpointError, save_checkpoint
from common.cli import (add_standard_options, non_negative_int, positive_float, positive_int, probability,
                        script_parser)
from common.divergence import TrainingDivergedError
from common.load_data import check_file
from common.paths import output_path, relative_to_repo
from poem_model import SEED, PoemModel, load_poem_checkpoint, model_config, transfer_weights

# 随仓库提供的模型（data/ 下）：默认用唐诗 + 宋诗训练的那个；只用唐诗训练的是默认命令的结果
SHIPPED = {"tang+song": "poems/poem_lstm_tang_song.pt", "tang": "poems/poem_lstm.pt"}
SHIPPED_CHECKPOINT = SHIPPED["tang+song"]
MODEL_FILES = {"tang": "ch09_rnn/poem_lstm.pt", "tang+song": "ch09_rnn/poem_lstm_tang_song.pt"}  # output/ 下发布的名字
MIN_POEMS = 50  # --n-poems 的下限：太少时验证集、测试集是空的
HOW_TO_TRAIN = "先运行 python ch09_rnn/3_poems_generation.py train 训练一个，或去掉 --checkpoint 使用随仓库提供的模型"


def last_file(corpus):
    """最近一次正常结束的训练的最后一轮（可 --resume）：output/ch09_rnn/poem_lstm[_tang_song]_last.pt。"""
    return MODEL_FILES[corpus].removesuffix(".pt") + "_last.pt"


# ---------------------------------------------------------------- 命令行参数
def parse_args(argv, defaults):
    """defaults：脚本开头的常量（真实运行 / 快速模式），键与参数名相同（epochs、hidden_size……）。"""
    parser = script_parser("字符级 LSTM 语言模型：训练并生成合乎格律的七言绝句", device=True, seed=SEED,
                           help={"seed": "随机种子（划分、初始化、采样）"})
    parser.add_argument("command", nargs="?", default="all", choices=["all", "train", "generate", "evaluate"],
                        help="all：训练后评估并生成；train：只训练；generate：只生成；evaluate：只评估")
    training = parser.add_argument_group("训练")
    training.add_argument("--corpus", choices=["tang", "tang+song"], default="tang",
                          help="训练数据：tang 只用唐诗；tang+song 再加 71,518 首宋诗（验证集、测试集都是唐诗）")
    add_standard_options(training, epochs=defaults["epochs"], batch_size=defaults["batch_size"], lr=defaults["lr"],
                         help={"epochs": "训练的总轮数（继续训练时也是总数）", "lr": "OneCycle 计划的最大学习率"})
    training.add_argument("--hidden-size", type=positive_int, default=defaults["hidden_size"], help="词向量与隐藏层的大小")
    training.add_argument("--num-layers", type=positive_int, default=defaults["num_layers"], help="RNN 的层数")
    training.add_argument("--dropout", type=probability, default=defaults["dropout"], help="Dropout 的比例")
    training.add_argument("--cell", choices=["lstm", "gru"], default="lstm", help="循环单元")
    training.add_argument("--clip-norm", type=positive_float, default=defaults["clip_norm"], help="梯度裁剪的阈值（梯度的范数）")
    training.add_argument("--n-poems", type=positive_int, default=defaults["n_poems"],
                          help=f"只用前若干首诗（至少 {MIN_POEMS}）；None 表示全部")
    training.add_argument("--resume", default=None, help="从训练写出的 ….last.pt 检查点继续训练")
    training.add_argument("--init", default=None,
                          help="从一个训练好的模型（如 data/poems/poem_lstm.pt）出发，在新的数据上接着训练；"
                               "--hidden-size 等要与它相同")
    sampling = parser.add_argument_group("生成与评估")
    sampling.add_argument("--checkpoint", default=None,
                          help=f"模型文件；generate/evaluate 不设时用随仓库提供的 data/{SHIPPED_CHECKPOINT}")
    sampling.add_argument("--start", default="", help="第一句的开头，如 春风")
    sampling.add_argument("--acrostic", default="", help="藏头诗的四个字，如 春夏秋冬")
    sampling.add_argument("--temperature", type=positive_float, default=0.8, help="采样温度")
    sampling.add_argument("--top-k", type=non_negative_int, default=20, help="只在概率最高的 k 个字中采样；0 表示不限")
    sampling.add_argument("--num", type=positive_int, default=defaults["num"], help="打印几首诗")
    sampling.add_argument("--free", action="store_true", help="不加格律约束、不挑选（只保证四句七言的格式）")
    sampling.add_argument("--best-of", type=positive_int, default=defaults["best_of"],
                          help="每首诗采样几个候选，取模型自己打分最高的")
    sampling.add_argument("--yun", type=yun_name, default=None,
                          help="押平水韵的哪个平声韵部，如 十一尤；不设时由模型自己选")
    sampling.add_argument("--report", action="store_true",
                          help="generate 时另外生成一批，统计格律、重字、照抄、多样性并与真实诗对照")
    args = parser.parse_args(argv)
    if args.n_poems is not None and args.n_poems < MIN_POEMS:
        parser.error(f"--n-poems 至少为 {MIN_POEMS}（太少时验证集、测试集是空的），实际为 {args.n_poems}")
    if args.resume and args.command not in ("all", "train"):
        parser.error(f"--resume 只用于训练（train 或 all），{args.command} 请用 --checkpoint 指定模型文件")
    if args.resume and args.init:
        parser.error("--resume 与 --init 只能二选一")
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


# ---------------------------------------------------------------- 训练开始时：新建、从别的模型出发或继续
def start_model(args, vocab, n_poems, min_count, device):
    """返回 (model, config, 训练记录 history, 继续训练的检查点或 None)。"""
    if args.resume:
        model, _, checkpoint = load_poem_checkpoint(args.resume, expected_vocab=vocab,
                                                    how_to_make="继续训练要用训练时写出的 ….last.pt 文件")
        if "optimizer" not in checkpoint:
            raise CheckpointError(f"{relative_to_repo(args.resume)} 只含模型参数，没有优化器状态和训练记录，不能继续训练；"
                                  f"请用训练时写出的 output/{last_file(args.corpus)}（或中断时提示的 ….last.pt）。")
        print(f"从 {relative_to_repo(args.resume)} 继续训练：已训练 {checkpoint['epoch']} 轮（模型设置取自检查点）")
        if checkpoint["epoch"] >= args.epochs:
            raise ValueError(f"检查点已经训练了 {checkpoint['epoch']} 轮，--epochs {args.epochs} 没有剩下的轮数；"
                             f"请把 --epochs 设得更大。")
        return model.to(device), checkpoint["config"], checkpoint["history"], checkpoint
    config = model_config(vocab, args.cell, args.hidden_size, args.num_layers, args.dropout, n_poems, args.seed)
    config.update(corpus=args.corpus, min_count=min_count)
    model = PoemModel(len(vocab), args.hidden_size, args.num_layers, args.cell, args.dropout).to(device)
    if args.init:  # 循环层照搬，两个词表共有的字沿用它的词向量，新字保留随机的初始值
        start_from, start_vocab, _ = load_poem_checkpoint(args.init, how_to_make=HOW_TO_TRAIN)
        copied = transfer_weights(start_from.to(device), start_vocab, model, vocab)
        config["init"] = relative_to_repo(args.init)
        print(f"从 {relative_to_repo(args.init)} 出发：循环层照搬，{copied} 个字沿用它的词向量")
    return model, config, {"train_loss": [], "val_loss": [], "epoch_seconds": []}, None


def make_scheduler(optimizer, args, steps_per_epoch, first_epoch, resumed):
    """OneCycle 学习率计划：前 5 % 的步数升到 lr，再按余弦降到接近 0。继续训练时恢复优化器与计划的状态。"""
    def one_cycle():
        return torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=args.lr, total_steps=(args.epochs - first_epoch + 1) * steps_per_epoch,
            pct_start=0.05, anneal_strategy="cos")

    if resumed is None:
        return one_cycle()
    if resumed["total_epochs"] == args.epochs and resumed.get("lr") == args.lr:
        scheduler = one_cycle()  # 训练被打断：接着原来的学习率计划（优化器里的学习率随状态一起恢复）
        optimizer.load_state_dict(resumed["optimizer"])
        scheduler.load_state_dict(resumed["scheduler"])
        return scheduler
    # 加长训练或换了学习率：先恢复优化器（Adam 的动量），再按新的 --lr 和剩下的轮数新建计划。
    # 顺序要紧：优化器的状态里存着旧计划的学习率，先建计划再恢复会把 --lr 悄悄换回旧值。
    optimizer.load_state_dict(resumed["optimizer"])
    print(f"原计划 {resumed['total_epochs']} 轮、lr = {resumed.get('lr')}，现在 {args.epochs} 轮、lr = {args.lr}："
          f"剩下的 {args.epochs - first_epoch + 1} 轮按新的学习率重新走一遍计划")
    return one_cycle()


# ---------------------------------------------------------------- 训练途中与结束时的文件
class TrainingFiles(BestModelFile):
    """验证集上最好的一轮（float16）+ 每轮的最后状态（float32，含优化器，可 --resume）。

    两个都先写本次运行自己的文件（output/ch09_rnn/poem_lstm….run-<时间>-<进程号>[.last].pt，原子写入）；
    正常结束时 publish：最好的一轮按 keep_better_checkpoint 发布（以前更好的模型不被替换），
    最后一轮移到 poem_lstm…_last.pt（本次训练期间另一次运行写过它时不覆盖）。
    Ctrl-C 时说明以前发布的模型没动、本次的文件在哪里、怎样继续；发散时删掉本次的文件。
    """

    def __init__(self, corpus):
        self.last_path = output_path(last_file(corpus))
        super().__init__(MODEL_FILES[corpus], score_key="valid_perplexity", higher_is_better=False, what="验证集困惑度")
        self.run_last = self.run_path.with_suffix(".last.pt")
        self.resume_hint = f"继续训练：--resume {relative_to_repo(self.run_last)}"
        self.started = time.time()

    def save_last(self, checkpoint):
        save_checkpoint(checkpoint, self.run_last)  # 原子写入：中途按 Ctrl-C 也不会留下半个文件

    def publish(self):
        written = super().publish() if self.checkpoint is not None else None
        if self.checkpoint is None:
            print("继续训练的几轮没有超过检查点里最好的验证集成绩，不发布模型")
        if self.last_path.exists() and self.last_path.stat().st_mtime > self.started:
            print(f"{relative_to_repo(self.last_path)} 在本次训练期间被另一次运行写过，没有覆盖它；"
                  f"本次的最后一轮在 {relative_to_repo(self.run_last)}（可 --resume）")
        else:
            os.replace(self.run_last, self.last_path)  # 改名是原子的
            print(f"最后一轮（可 --resume 继续训练）：{relative_to_repo(self.last_path)}")
        return written

    def __exit__(self, kind, error, traceback):
        if kind is not None and issubclass(kind, TrainingDivergedError):
            self.run_last.unlink(missing_ok=True)  # 发散：本次不留任何文件
        elif kind is not None and not self.run_path.exists() and self.run_last.exists():
            print(f"训练被中断（Ctrl-C），{self.resume_hint}")
        return super().__exit__(kind, error, traceback)


# ---------------------------------------------------------------- generate / evaluate 读哪个模型
def load_model(args, device):
    """--checkpoint 给出的文件，或随仓库提供的模型（先核对 SHA-256）。返回 (model, vocab, checkpoint)。"""
    path = args.checkpoint or check_file(SHIPPED_CHECKPOINT)
    model, vocab, checkpoint = load_poem_checkpoint(path, device, how_to_make=HOW_TO_TRAIN)
    print(f"模型：{relative_to_repo(path)}（{'唐诗 + 宋诗' if checkpoint['config'].get('corpus') == 'tang+song' else '唐诗'}）")
    return model, vocab, checkpoint

