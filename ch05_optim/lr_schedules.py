"""学习率衰减（learning rate decay）的几种常见策略，供 6_lr_decay.py 使用。

每个函数都把"第几次迭代"（iteration，从 0 开始）换算成这一次更新所用的学习率；
配合 common.trainer.train_network 的 lr_schedule 参数使用：

    schedule = lambda it: cosine_annealing(it, base_lr=0.1, total_iterations=2000)
    train_network(..., lr_schedule=schedule)

公式与 PyTorch 的 torch.optim.lr_scheduler 中同名策略一致（见 tests/test_chapter_optim.py）。
"""
import math


def constant_lr(iteration, base_lr):
    """恒定学习率：始终为 base_lr（作为对照）。"""
    return base_lr


def step_decay(iteration, base_lr, step_size, gamma=0.1):
    """阶梯衰减：每过 step_size 次迭代，学习率乘以 gamma。

    lr = base_lr * gamma ** (iteration // step_size)，对应 torch 的 StepLR。
    """
    if step_size < 1:
        raise ValueError(f"step_decay: step_size 应为正整数，实际为 {step_size}")
    return base_lr * gamma ** (iteration // step_size)


def exponential_decay(iteration, base_lr, gamma):
    """指数衰减：每次迭代学习率乘以 gamma（略小于 1）。

    lr = base_lr * gamma ** iteration，对应 torch 的 ExponentialLR。
    想在 T 次迭代后降到 base_lr 的 r 倍，取 gamma = r ** (1 / T)。
    """
    return base_lr * gamma ** iteration


def cosine_annealing(iteration, base_lr, total_iterations, min_lr=0.0):
    """余弦退火：学习率沿半个余弦周期从 base_lr 平滑地降到 min_lr。

    lr = min_lr + (base_lr - min_lr) * (1 + cos(π * iteration / total_iterations)) / 2，
    对应 torch 的 CosineAnnealingLR(T_max=total_iterations, eta_min=min_lr)；超过 total_iterations 后保持 min_lr。
    开始时下降得慢（大步探索），中间快，结尾又慢（小步精细调整）。
    """
    if total_iterations < 1:
        raise ValueError(f"cosine_annealing: total_iterations 应为正整数，实际为 {total_iterations}")
    progress = min(iteration / total_iterations, 1.0)
    return min_lr + (base_lr - min_lr) * (1 + math.cos(math.pi * progress)) / 2


def warmup_cosine(iteration, base_lr, total_iterations, warmup_iterations, min_lr=0.0):
    """预热（warm-up）+ 余弦退火：前 warmup_iterations 次迭代学习率从接近 0 线性增加到 base_lr，之后余弦退火。

    刚开始时权重是随机的、梯度可能很大，先用小学习率走几步更稳；
    第 i 次预热迭代（i 从 0 开始）的学习率为 base_lr * (i + 1) / warmup_iterations。
    """
    if not 0 < warmup_iterations < total_iterations:
        raise ValueError(
            f"warmup_cosine: warmup_iterations 应在 1 和 total_iterations - 1（{total_iterations - 1}）之间，"
            f"实际为 {warmup_iterations}")
    if iteration < warmup_iterations:
        return base_lr * (iteration + 1) / warmup_iterations
    return cosine_annealing(iteration - warmup_iterations, base_lr, total_iterations - warmup_iterations, min_lr)
