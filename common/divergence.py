"""训练发散的检测：NumPy 章节和 PyTorch 章节的训练循环共用。

两种发散都要停下来，并以非零退出码结束脚本：
1. 损失变成 nan 或 inf（数值溢出）：check_finite_loss；
2. 损失还是有限的数，但已经远远高于训练开始时的值（学习率太大时常见：参数被甩到很远的地方，
   精度停在随机猜测的水平，脚本却照样“训练完成”）：DivergenceGuard。

    guard = DivergenceGuard()                      # 每次训练建一个
    for step, (x, y) in enumerate(loader):
        ...
        loss_value = guard.check(loss.item(), where=f"第 {epoch} 轮第 {step + 1} 步")

预测值（如回归的输出）也可以用 check_finite_values 检查：里面有 nan/inf 时同样抛出 TrainingDivergedError。
脚本里不必捕获这个异常：它的消息就是最后一行的说明和建议。
"""
import math

ADVICE = "请把学习率调小（例如减半或除以 10）再试；也可以检查输入是否已经归一化，或加上梯度裁剪。"


class TrainingDivergedError(FloatingPointError):
    """训练发散了：损失变成 nan/inf，或远远高于开始时的值。继续算下去只是浪费时间。"""


def _place(where):
    return f"{where}的" if where else ""


def check_finite_loss(loss, where=""):
    """损失是有限的数时原样返回（转成 float）；是 nan/inf 时抛出 TrainingDivergedError。

    loss: float、NumPy 标量或 0 维 torch 张量都可以；where: 说明位置，如 "第 3 轮第 20 步"。
    """
    value = float(loss)
    if not math.isfinite(value):
        raise TrainingDivergedError(
            f"{_place(where)}损失变成了 {value}：训练发散了（参数更新得太猛，数值溢出）。{ADVICE}")
    return value


def check_finite_values(values, where="", what="预测值"):
    """values（NumPy 数组或 torch 张量）里全是有限的数时原样返回，否则抛出 TrainingDivergedError。"""
    try:
        import numpy as np
        finite = bool(np.isfinite(np.asarray(values.detach().cpu() if hasattr(values, "detach") else values)).all())
    except TypeError:
        finite = all(math.isfinite(float(v)) for v in values)
    if not finite:
        raise TrainingDivergedError(f"{_place(where)}{what}里出现了 nan 或 inf：模型已经发散。{ADVICE}")
    return values


class DivergenceGuard:
    """记住训练开始时的损失；之后的损失超过 factor × max(开始时的损失, min_scale) 就算发散。

    factor: 放大多少倍算发散。默认 10：正常训练中损失会上下波动，但几乎不会涨到开始时的 10 倍；
        学习率大得离谱时（如 --lr 1e6），损失几步之内就会涨到成百上千倍。
    min_scale: 开始时的损失很小（例如接着训练一个已经训练好的模型）时，用它作为下限，避免把小小的波动当成发散。
    warmup_steps: 开始时的损失取前这么多步里最大的一个（小批量的损失有噪声）。
    """

    def __init__(self, factor=10.0, min_scale=1.0, warmup_steps=1):
        if not factor > 1:
            raise ValueError(f"DivergenceGuard 的 factor 应大于 1，实际为 {factor}")
        self.factor, self.min_scale, self.warmup_steps = factor, min_scale, warmup_steps
        self.start_loss = None
        self.steps = 0

    @property
    def limit(self):
        """当前的上限（开始时的损失还没记下时为 None）。"""
        if self.start_loss is None:
            return None
        return self.factor * max(self.start_loss, self.min_scale)

    def check(self, loss, where=""):
        """检查一步的损失：nan/inf 或超过上限时抛出 TrainingDivergedError，否则返回 float 的损失。"""
        value = check_finite_loss(loss, where)
        self.steps += 1
        if self.steps <= self.warmup_steps:
            self.start_loss = value if self.start_loss is None else max(self.start_loss, value)
            return value
        if value > self.limit:
            raise TrainingDivergedError(
                f"{_place(where)}损失涨到了 {value:.4g}，是开始时（{self.start_loss:.4g}）的 "
                f"{value / max(self.start_loss, 1e-12):.3g} 倍，超过了上限 {self.limit:.4g}：训练发散了。{ADVICE}")
        return value
