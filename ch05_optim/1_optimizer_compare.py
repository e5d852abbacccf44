"""比较各种参数更新方法（优化器）：先在一个二维函数上看路径，再在 MNIST 上比较训练速度。

第一部分：f(x, y) = x²/20 + y² 的最小值在 (0, 0)。它在 x 方向很平缓、在 y 方向很陡（∂f/∂x = x/10，∂f/∂y = 2y：离原点同样远时梯度相差 20 倍），
梯度大多指向 y 方向而不是最小值，正好暴露 SGD 的弱点。各优化器从同一点 (-7, 2) 出发各走 30 步。
第二部分：同样的优化器（各用常见的默认学习率）训练 5 层全连接网络识别 MNIST，比较损失下降的速度。

运行：python ch05_optim/1_optimizer_compare.py
"""
import numpy as np

from common.cli import run
from common.load_data import get_data
from common.multi_layer_net import MultiLayerNet
from common.optimizer import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop
from common.paths import save_json
from common.plotting import plt, save_figure, show
from common.quick import pick
from common.seed import set_seed
from common.trainer import train_network
from curves import loss_curves_figure

SEED = 42
# ---- 第一部分：二维函数
START_POINT = (-7.0, 2.0)
STEPS_2D = 30
OPTIMIZER_CLASSES = {"SGD": SGD, "Momentum": Momentum, "Nesterov": Nesterov,
                     "AdaGrad": AdaGrad, "RMSprop": RMSprop, "Adam": Adam}
# 各优化器在二维函数上的学习率（SGD、Momentum、AdaGrad、Adam 与书中的图相同；Nesterov、RMSprop 是另选的）
LEARNING_RATES_2D = {"SGD": 0.95, "Momentum": 0.1, "Nesterov": 0.1, "AdaGrad": 1.5, "RMSprop": 0.1, "Adam": 0.3}
# ---- 第二部分：MNIST
TRAIN_SIZE = pick(real=None, quick=1000)  # None 表示全部 60000 个训练样本
TEST_SIZE = pick(real=None, quick=500)
HIDDEN_SIZES = [100, 100, 100, 100]  # 784-100-100-100-100-10，共 5 层
BATCH_SIZE = 128
EPOCHS = pick(real=4, quick=1)  # 4 轮 × 469 批 = 1876 次迭代
# 训练网络时的学习率：取各方法常用的默认值（与 common/optimizer.py 的默认值相同，只有 RMSprop 取 0.001：
# 它第一步的步长约为 lr / sqrt(1 - decay_rate) = 10 × lr；取 0.01 时 4 轮后损失约 0.18，比 0.001 时的 0.06 差得多）
LEARNING_RATES_MNIST = {"SGD": 0.01, "Momentum": 0.01, "Nesterov": 0.01, "AdaGrad": 0.01, "RMSprop": 0.001, "Adam": 0.001}


def f(x, y):
    """要最小化的函数 f(x, y) = x²/20 + y²。"""
    return x ** 2 / 20.0 + y ** 2


def grad_f(params):
    """f 的梯度：∂f/∂x = x/10，∂f/∂y = 2y。params、返回值都是 {'x': ..., 'y': ...}。"""
    return {"x": params["x"] / 10.0, "y": 2.0 * params["y"]}


def main():
    # ============================================================ 第一部分：二维函数上的路径
    set_seed(SEED)
    paths = {}
    for name, lr in LEARNING_RATES_2D.items():
        optimizer = OPTIMIZER_CLASSES[name](lr=lr)
        # 参数用 0 维数组保存，优化器的 update 会原地修改它们，和训练网络时一模一样
        params = {"x": np.array(START_POINT[0]), "y": np.array(START_POINT[1])}
        path = [START_POINT]
        for _ in range(STEPS_2D):
            optimizer.update(params, grad_f(params))
            path.append((float(params["x"]), float(params["y"])))
        paths[name] = np.array(path)

    print(f"f(x, y) = x²/20 + y²，从 {START_POINT} 出发走 {STEPS_2D} 步后：")
    for name, path in paths.items():
        x_end, y_end = path[-1]
        print(f"  {name:9s} 终点 ({x_end:7.3f}, {y_end:7.3f})  f = {f(x_end, y_end):.4f}")

    grid_x, grid_y = np.meshgrid(np.linspace(-10, 10, 201), np.linspace(-5, 5, 101))
    fig, axes = plt.subplots(2, 3, figsize=(13, 7), sharex=True, sharey=True)
    for ax, (name, path) in zip(axes.ravel(), paths.items()):
        ax.contour(grid_x, grid_y, f(grid_x, grid_y), levels=[0.1, 0.5, 1, 2, 4, 7, 11, 16], colors="gray",
                   linewidths=0.8)
        ax.plot(path[:, 0], path[:, 1], "o-", color="tab:red", markersize=3, linewidth=1)
        ax.plot(0, 0, "+", color="black", markersize=12)  # 最小值所在的位置
        ax.set_title(f"{name}（lr = {LEARNING_RATES_2D[name]}）")
        ax.set_xlim(-10, 10)
        ax.set_ylim(-5, 5)
    for ax in axes[1]:
        ax.set_xlabel("x")
    for ax in axes[:, 0]:
        ax.set_ylabel("y")
    fig.suptitle(f"各优化器最小化 f(x, y) = x²/20 + y² 的路径（起点 {START_POINT}，{STEPS_2D} 步）")
    save_figure(fig, "ch05_optim/optimizer_paths.png")

    # ============================================================ 第二部分：训练 MNIST
    x_train, x_test, t_train, t_test = get_data("mnist", n_train=TRAIN_SIZE, n_test=TEST_SIZE)
    print(f"\nMNIST：训练 {len(x_train)} 个样本、测试 {len(x_test)} 个；网络 784-{'-'.join(map(str, HIDDEN_SIZES))}-10，"
          f"批量大小 {BATCH_SIZE}，{EPOCHS} 轮")

    histories = {}
    for name, lr in LEARNING_RATES_MNIST.items():
        set_seed(SEED)  # 每种优化器都从相同的初始权重、相同的小批量顺序出发，比较才公平
        network = MultiLayerNet(784, HIDDEN_SIZES, 10, activation="relu", weight_init_std="he")
        optimizer = OPTIMIZER_CLASSES[name](lr=lr)
        histories[name] = train_network(network, optimizer, x_train, t_train, x_test, t_test,
                                        epochs=EPOCHS, batch_size=BATCH_SIZE, eval_train_samples=10000, desc=name)

    print("\n各优化器训练结束时（损失取最后 100 次迭代的平均，训练精度用前 10000 个训练样本估计）：")
    results = {}
    for name, history in histories.items():
        lr = LEARNING_RATES_MNIST[name]
        final_loss = float(np.mean(history["train_loss_list"][-100:]))
        results[name] = {
            "lr": lr,
            "final_loss_last_100_iters": final_loss,
            "train_acc_first_10000": history["train_acc_list"][-1],
            "test_acc": history["test_acc_list"][-1],
            "seconds": round(history["seconds"], 1),
        }
        print(f"  {name:9s} lr={lr:<6g} 损失 {final_loss:.4f}  训练精度 {history['train_acc_list'][-1]:.4f}  "
              f"测试精度 {history['test_acc_list'][-1]:.4f}  用时 {history['seconds']:.1f} 秒")

    best = min(results, key=lambda name: results[name]["final_loss_last_100_iters"])
    print(f"摘要：{histories[best]['iterations']} 次迭代后，损失最低的是 {best}"
          f"（{results[best]['final_loss_last_100_iters']:.4f}），SGD 为 {results['SGD']['final_loss_last_100_iters']:.4f}")

    save_json("ch05_optim/1_optimizer_compare.json", {
        "paths_2d": {name: {"lr": LEARNING_RATES_2D[name], "end_point": path[-1].tolist(),
                            "f_end": float(f(*path[-1]))} for name, path in paths.items()},
        "mnist": {"train_size": len(x_train), "test_size": len(x_test), "hidden_sizes": HIDDEN_SIZES,
                  "batch_size": BATCH_SIZE, "epochs": EPOCHS, "iterations": histories[best]["iterations"],
                  "seed": SEED, "results": results},
    })

    fig = loss_curves_figure(histories, top=1.0, title="不同优化器训练 5 层网络（MNIST）的损失")
    save_figure(fig, "ch05_optim/optimizer_mnist_loss.png")
    show()


if __name__ == "__main__":
    run(main)
