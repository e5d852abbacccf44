"""第 4 章练习 4 的参考答案：初始学习率偏小（0.1）时，学习率衰减还有用吗？

与 ch05_optim/6_lr_decay.py 相同的网络、数据、种子和五种策略，只把轮数改成 4，
初始学习率取 0.1（练习要求的设置）和 0.4（原脚本的设置，作对照：同样 4 轮，差别只来自初始学习率）。

运行：python ch05_optim/solutions/ex4_4_lr_decay_small_lr.py        （完整 MNIST，2 核 CPU 上约 2 分钟）
     DL_QUICK=1 python ch05_optim/solutions/ex4_4_lr_decay_small_lr.py （512 个训练样本、2 轮，只比较恒定与余弦退火）
"""
import numpy as np

from common.chapters import load
from common.load_data import get_data
from common.multi_layer_net import MultiLayerNet
from common.optimizer import SGD
from common.quick import pick
from common.seed import set_seed
from common.trainer import train_network

SEED = 42
TRAIN_SIZE = pick(real=None, quick=512)  # None 表示全部 60000 个训练样本
TEST_SIZE = pick(real=None, quick=200)
HIDDEN_SIZES = [100, 100, 100, 100]  # 与 6_lr_decay.py 相同：784-100-100-100-100-10
BATCH_SIZE = 128
EPOCHS = pick(real=4, quick=2)
BASE_LRS = [0.1, 0.4]
# 快速模式只比较恒定与余弦退火两种（测试用它检查效果的方向，要在几秒内跑完）
SCHEDULE_NAMES = pick(real=["恒定", "阶梯衰减", "指数衰减", "余弦退火", "预热 + 余弦退火"], quick=["恒定", "余弦退火"])


def make_schedules(base_lr, total_iterations):
    """与 6_lr_decay.py 相同的五种策略：名称 -> 函数（第几次迭代 -> 学习率）。"""
    lr = load("ch05_optim/lr_schedules.py")
    warmup_iterations = max(1, total_iterations // 20)  # 前 5% 的迭代用于预热
    return {
        "恒定": lambda it: lr.constant_lr(it, base_lr),
        "阶梯衰减": lambda it: lr.step_decay(it, base_lr, step_size=(total_iterations + 1) // 2, gamma=0.1),
        "指数衰减": lambda it: lr.exponential_decay(it, base_lr, gamma=0.01 ** (1 / total_iterations)),
        "余弦退火": lambda it: lr.cosine_annealing(it, base_lr, total_iterations),
        "预热 + 余弦退火": lambda it: lr.warmup_cosine(it, base_lr, total_iterations, warmup_iterations),
    }


def solve():
    """返回 {初始学习率: {策略: {"final_loss": 最后一轮的平均损失, "test_acc": 测试精度,
    "epoch_losses": [每一轮的平均损失]}}}。"""
    x_train, x_test, t_train, t_test = get_data("mnist", n_train=TRAIN_SIZE, n_test=TEST_SIZE)
    iters_per_epoch = int(np.ceil(len(x_train) / BATCH_SIZE))
    total_iterations = EPOCHS * iters_per_epoch
    results = {}
    for base_lr in BASE_LRS:
        results[base_lr] = {}
        schedules = make_schedules(base_lr, total_iterations)
        for name in SCHEDULE_NAMES:
            schedule = schedules[name]
            set_seed(SEED)  # 相同的初始权重、相同的小批量顺序
            network = MultiLayerNet(784, HIDDEN_SIZES, 10, activation="relu", weight_init_std="he")
            history = train_network(network, SGD(lr=base_lr), x_train, t_train, x_test, t_test,
                                    epochs=EPOCHS, batch_size=BATCH_SIZE, lr_schedule=schedule, progress=False)
            losses = history["train_loss_list"]
            epoch_losses = [float(np.mean(losses[i:i + iters_per_epoch])) for i in range(0, len(losses), iters_per_epoch)]
            results[base_lr][name] = {
                "final_loss": epoch_losses[-1],
                "test_acc": float(history["test_acc_list"][-1]),
                "epoch_losses": epoch_losses,
            }
    return results


def main():
    results = solve()
    print(f"{EPOCHS} 轮，最后一轮的平均损失 / 测试精度：")
    for base_lr, by_schedule in results.items():
        print(f"初始学习率 {base_lr}：")
        for name, result in by_schedule.items():
            print(f"  {name:<10} 损失 {result['final_loss']:.4f}  测试精度 {result['test_acc']:.4f}")
    print("恒定学习率每一轮的平均损失（损失是否还在稳步下降）：")
    for base_lr, by_schedule in results.items():
        print(f"  初始学习率 {base_lr}：" + " → ".join(f"{loss:.4f}" for loss in by_schedule["恒定"]["epoch_losses"]))


if __name__ == "__main__":
    main()
