"""训练理论第 1 章（ch02_nn_base）用的预训练权重 data/nn_sample（784-50-100-10，sigmoid 隐藏层）。

理论第 1 章只讲推理，用的是现成的权重；本脚本说明这些权重从何而来，任何人都能重新生成。
训练用的是后面几章才讲的方法（反向传播 + Adam），读到理论第 3、4 章时再回来看会更清楚。

    python ch02_nn_base/train_nn_sample.py             # 不到 1 分钟；写到 output/ch02_nn_base/nn_sample
    python ch02_nn_base/train_nn_sample.py --install   # 训练后覆盖 data/nn_sample（仓库随附的文件）

默认不碰 data/：新文件写到 output/ 下，并打印它的 SHA-256 与测试精度。
要发布它，把它复制为 data/nn_sample，并更新 common/load_data.py 的 CHECKSUMS 与 data/README.md
（--install 会复制文件，但 CHECKSUMS 与 README 仍需手动更新）。
同一台机器上相同的种子得到相同的权重；换了 CPU 或 BLAS 库，浮点运算的顺序可能不同，
得到的文件（和 SHA-256）可能略有差别，精度则相当。
"""
import hashlib
import shutil
import time
from collections import OrderedDict

import joblib
import numpy as np
from tqdm import tqdm

from common.cli import run, script_parser
from common.layers import Affine, Sigmoid, SoftmaxWithLoss
from common.load_data import get_data
from common.optimizer import Adam
from common.paths import DATA_DIR, output_path, relative_to_repo, save_json
from common.quick import is_quick, pick
from common.seed import set_seed
from common.divergence import check_finite_loss
from common.util import minibatches
from sample_network import predict

SEED = 42
LAYER_SIZES = [784, 50, 100, 10]
EPOCHS = pick(real=30, quick=1)
BATCH_SIZE = 100
LEARNING_RATE = 0.001
N_TRAIN = pick(real=None, quick=2000)  # None 表示全部 60,000 张
OUTPUT_NAME = "ch02_nn_base/nn_sample"


def main():
    parser = script_parser("训练理论第 1 章的预训练权重 nn_sample")
    parser.add_argument("--install", action="store_true",
                        help="训练后把权重写到 data/nn_sample（覆盖仓库随附的文件）；默认只写到 output/ 下")
    args = parser.parse_args()
    if args.install and is_quick():
        parser.error("快速模式（DL_QUICK=1）训练出的权重精度不够，不能用 --install 写入 data/")

    # ---------------------------------------------------------------- 数据
    x_train, x_test, y_train, y_test = get_data("mnist", n_train=N_TRAIN)

    # ---------------------------------------------------------------- 模型：Affine → Sigmoid → Affine → Sigmoid → Affine → SoftmaxWithLoss
    set_seed(SEED)
    params = {}
    for i in range(1, len(LAYER_SIZES)):
        fan_in, fan_out = LAYER_SIZES[i - 1], LAYER_SIZES[i]
        # Xavier 初始值（标准差 sqrt(1 / fan_in)）：适合 sigmoid，各层的激活值分布不会挤到 0 或 1
        params[f"W{i}"] = (np.sqrt(1.0 / fan_in) * np.random.randn(fan_in, fan_out)).astype(np.float32)
        params[f"b{i}"] = np.zeros(fan_out, dtype=np.float32)
    layers = OrderedDict()
    layers["Affine1"] = Affine(params["W1"], params["b1"])
    layers["Sigmoid1"] = Sigmoid()
    layers["Affine2"] = Affine(params["W2"], params["b2"])
    layers["Sigmoid2"] = Sigmoid()
    layers["Affine3"] = Affine(params["W3"], params["b3"])
    last_layer = SoftmaxWithLoss()
    optimizer = Adam(lr=LEARNING_RATE)

    # ---------------------------------------------------------------- 训练
    start = time.perf_counter()
    progress = tqdm(range(1, EPOCHS + 1), desc="训练 nn_sample", mininterval=1)
    for epoch in progress:
        batch_losses = []
        for x_batch, t_batch in minibatches(x_train, y_train, BATCH_SIZE):
            out = x_batch
            for layer in layers.values():
                out = layer.forward(out)
            loss = last_layer.forward(out, t_batch)
            batch_losses.append(check_finite_loss(loss, where=f"第 {epoch} 轮"))  # nan/inf：训练发散，停下并说明
            dout = last_layer.backward(1)
            for layer in reversed(layers.values()):
                dout = layer.backward(dout)
            grads = {}
            for i in range(1, len(LAYER_SIZES)):
                grads[f"W{i}"] = layers[f"Affine{i}"].dW
                grads[f"b{i}"] = layers[f"Affine{i}"].db
            optimizer.update(params, grads)
        progress.set_postfix(平均损失=f"{np.mean(batch_losses):.4f}")
    seconds = time.perf_counter() - start

    # ---------------------------------------------------------------- 用理论第 1 章的推理代码（sample_network.py）评估并保存
    train_accuracy = float(np.mean(np.argmax(predict(params, x_train), axis=1) == y_train))
    test_accuracy = float(np.mean(np.argmax(predict(params, x_test), axis=1) == y_test))
    path = output_path(OUTPUT_NAME)
    joblib.dump(params, path)  # 字典 {'W1', 'b1', ..., 'b3'}，值为 float32 数组
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    size = path.stat().st_size
    print(f"完成：{EPOCHS} 轮，用时 {seconds:.1f} 秒；训练精度 {train_accuracy:.4f}，"
          f"测试精度 {test_accuracy:.4f}（{len(x_test):,} 张测试图像）")
    print(f"权重已保存：{relative_to_repo(path)}（{size:,} 字节）")
    print(f"SHA-256：{sha256}")
    save_json("ch02_nn_base/train_nn_sample.json", {
        "test_accuracy": test_accuracy, "train_accuracy": train_accuracy, "seconds": round(seconds, 2),
        "sha256": sha256, "bytes": size, "quick_mode": is_quick(),
        "settings": {"layers": LAYER_SIZES, "activation": "sigmoid", "init": "Xavier", "dtype": "float32",
                     "optimizer": "Adam", "learning_rate": LEARNING_RATE, "epochs": EPOCHS,
                     "batch_size": BATCH_SIZE, "n_train": len(x_train), "seed": SEED},
    })

    if args.install:
        shutil.copyfile(path, DATA_DIR / "nn_sample")
        print("已写入 data/nn_sample。还需要把上面的 SHA-256 更新到 common/load_data.py 的 CHECKSUMS"
              "（键 \"nn_sample\"）和 data/README.md。")
    else:
        print("data/nn_sample 未改动。要发布这份权重：运行 `python ch02_nn_base/train_nn_sample.py --install`"
              "（或手动复制为 data/nn_sample），再更新 common/load_data.py 的 CHECKSUMS 与 data/README.md。")


if __name__ == "__main__":
    run(main)
