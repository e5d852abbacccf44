"""小批量训练循环（理论第 4 章“学习的技巧”的各个实验共用）。

    from common.trainer import train_network
    history = train_network(network, SGD(lr=0.01), x_train, t_train, x_test, t_test, epochs=20)
    history["train_loss_list"]    # 每次迭代（每个小批量）的训练损失
    history["test_acc_list"]      # 训练前和每轮（epoch）结束后的测试精度

一轮 = 把训练数据重新随机排列后按顺序遍历一遍（common.util.minibatches），每个样本恰好用一次。
损失变成 nan/inf（训练发散）时，train_network 用 common.divergence.check_finite_loss 停下并说明原因
（见 stop_on_divergence）；自己写训练循环时，也对每一步的损失调用它（或用 DivergenceGuard）。
"""
import time

import numpy as np
from tqdm import tqdm

from common.divergence import TrainingDivergedError, check_finite_loss
from common.util import minibatches


def train_network(network, optimizer, x_train, t_train, x_test, t_test, *, epochs, batch_size=100,
                  lr_schedule=None, eval_train_samples=None, progress=True, desc="训练",
                  stop_on_divergence=False):
    """用小批量梯度下降训练 network，返回训练过程的记录。

    network: 有 params（参数字典）、gradient(x, t)、accuracy(x, t) 的网络，如 MultiLayerNet；
        gradient 的正向传播会把这一批的损失存在 network.last_layer.loss，这里直接取用，省去一次正向传播
    optimizer: common.optimizer 中的任一优化器（有 update(params, grads) 和属性 lr）
    x_train, t_train: 训练数据 (N, ...) 与标签（整数 (N,) 或 one-hot）
    x_test, t_test: 每轮评估精度用的数据——测试集，或者超参数搜索时的验证集
    epochs: 轮数；batch_size: 小批量大小（最后一批可能不足）
    lr_schedule: 可选，函数 lr_schedule(iteration) -> 学习率（iteration 从 0 开始）；
        每次更新前把 optimizer.lr 设为它的返回值（学习率衰减）
    eval_train_samples: 每轮只用前这么多个训练样本估计训练精度（训练集很大时省时间）；None 表示全部
    progress: 是否显示 tqdm 进度条；desc: 进度条左侧的说明文字
    stop_on_divergence: 损失变成 nan/inf（训练发散）时怎么办。False（默认）：抛出 TrainingDivergedError，
        脚本以非零退出码结束，最后一行说明发生了什么、该怎么办；True：立即停止这次训练，
        把发散记在返回的字典里（diverged、diverged_message），供有意观察发散的实验（如 ch05_optim/3_batch_norm.py）继续下去

    返回字典：
        train_loss_list: 每次迭代的小批量损失（训练模式下的交叉熵，不含权重衰减项），长度 = 迭代次数
        lr_list: 每次迭代所用的学习率，长度同上
        train_acc_list, test_acc_list: 训练前（第 0 轮）与每轮结束后的精度，长度 = epochs + 1
        iterations: 总迭代次数；seconds: 训练用时（秒，含每轮的精度评估）
        diverged: 是否因损失变成 nan/inf 而提前停止（只在 stop_on_divergence=True 时可能为 True）；
            此时 train_loss_list 的最后一项就是那个 nan/inf，精度列表只含发散之前已完成的轮
        diverged_message: 发散时的说明（TrainingDivergedError 的消息），没有发散时为 None
    """
    if len(x_train) == 0:
        raise ValueError("train_network: 训练数据为空，请检查 x_train")
    x_train_eval = x_train if eval_train_samples is None else x_train[:eval_train_samples]
    t_train_eval = t_train if eval_train_samples is None else t_train[:eval_train_samples]
    iters_per_epoch = int(np.ceil(len(x_train) / batch_size))

    history = {"train_loss_list": [], "lr_list": [], "train_acc_list": [], "test_acc_list": [],
               "diverged": False, "diverged_message": None}

    def evaluate():
        history["train_acc_list"].append(network.accuracy(x_train_eval, t_train_eval))
        history["test_acc_list"].append(network.accuracy(x_test, t_test))

    start = time.perf_counter()
    evaluate()  # 第 0 轮：训练之前的精度，曲线从这里开始
    bar = tqdm(total=epochs * iters_per_epoch, desc=desc, mininterval=1, disable=not progress, leave=False)
    iteration = 0
    for epoch in range(1, epochs + 1):
        for x_batch, t_batch in minibatches(x_train, t_train, batch_size):
            if lr_schedule is not None:
                optimizer.lr = lr_schedule(iteration)
            grads = network.gradient(x_batch, t_batch)  # 反向传播求梯度
            loss = float(network.last_layer.loss)
            history["train_loss_list"].append(loss)
            history["lr_list"].append(float(optimizer.lr))
            iteration += 1
            try:  # 损失已经是 nan/inf 时不再更新：参数只会越来越坏
                check_finite_loss(loss, where=f"{desc}：第 {epoch} 轮第 {iteration} 次迭代")
            except TrainingDivergedError as error:
                if not stop_on_divergence:
                    bar.close()
                    raise
                history["diverged"], history["diverged_message"] = True, str(error)
                break
            optimizer.update(network.params, grads)  # 按优化器的规则原地更新参数
            bar.update(1)
        if history["diverged"]:
            break
        evaluate()
        bar.set_postfix(loss=f"{history['train_loss_list'][-1]:.3f}",
                        test_acc=f"{history['test_acc_list'][-1]:.3f}", refresh=False)
    bar.close()
    history["iterations"] = iteration
    history["seconds"] = time.perf_counter() - start
    return history
