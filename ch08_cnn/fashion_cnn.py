"""Fashion-MNIST 的数据、模型和模型文件，4_fashion_category.py（单进程）和 6_fashion_ddp.py（多进程）共用。

- load_fashion_mnist：用 common.load_data.get_data 读入随仓库提供的 data/FashionMNIST/raw/*.gz
  （先核对 SHA-256，不联网，也不往 data/ 里写任何文件），转成张量，按固定种子分出验证集，再标准化；
  load_fashion_test 只读测试集，用模型文件里记下的均值和标准差标准化（--evaluate 用，不必重新划分训练集）。
- augment：在内存里对一整批张量做随机平移和左右翻转（比逐张图片的 transforms 快得多）。
- FashionCNN：VGG 风格的小网络（3×3 卷积 + 批归一化 + ReLU，两层卷积后接最大池化），末尾用 Dropout。
- 模型文件的内容与读取：make_checkpoint / load_trained_model。训练中把目前最好的一轮写到本次运行自己的文件、
  训练结束才发布到固定的名字（不悄悄替换以前训练出的更好的模型），由 common/checkpoint.py 的 BestModelFile 负责。
- 两个脚本共同的命令行选项（add_training_arguments）、混淆矩阵与各类别精度（confusion_matrix、report_classes）。

训练的那几行（每步的五行、每轮的验证）不在这里，留在两个脚本里，读者在脚本里就能看到。
"""
from dataclasses import dataclass

import torch
from torch import nn

from common.checkpoint import load_checkpoint, load_model_state
from common.cli import add_standard_options, positive_int
from common.load_data import FASHION_CLASSES, get_data
from common.quick import pick

CLASS_NAMES = FASHION_CLASSES  # 中文类别名，标签 0..9
N_TRAIN_IMAGES = 60000  # Fashion-MNIST 训练图像的张数（验证集从这里面分出来）
CHECKPOINT_KEYS = ("model_state", "mean", "std", "best_val_acc", "epoch")


def add_training_arguments(parser, batch_size_help="批量大小"):
    """4、6 号脚本共同的选项（加到 common.cli.script_parser 建立的 parser 上）。
    数值选项用 common/cli.py 的检查函数：0 轮、负数、nan 当场被 argparse 拒绝。"""
    add_standard_options(parser, epochs=pick(real=15, quick=1), batch_size=128, lr=3e-3, weight_decay=1e-2,
                         device=True, seed=42, help={"batch_size": batch_size_help, "lr": "OneCycle 的最大学习率",
                                                     "weight_decay": "AdamW 的权重衰减",
                                                     "seed": "随机种子（参数初始值、验证集划分、打乱顺序）"})
    parser.add_argument("--val-size", type=positive_int, default=pick(real=5000, quick=500),
                        help=f"从 {N_TRAIN_IMAGES:,} 张训练图像中留作验证集的张数（快速模式下默认值变小，给出的值照用）")


def check_val_size(parser, val_size, n_train=None):
    """验证集至少要给训练留下 n_train 张（快速模式只训练 2,000 张）；不够时用 parser.error 说明。"""
    needed = n_train or 1
    if val_size > N_TRAIN_IMAGES - needed:
        parser.error(f"--val-size {val_size} 太大：{N_TRAIN_IMAGES:,} 张训练图像里至少要留 {needed:,} 张用来训练，"
                     f"请给 1..{N_TRAIN_IMAGES - needed} 之间的数")


@dataclass
class FashionData:
    """标准化后的张量（都在 CPU 上）和标准化用的统计量。x: (N, 1, 28, 28) float32，y: (N,) int64。"""
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    mean: float  # 训练部分像素（0..1 尺度）的均值
    std: float   # 训练部分像素的标准差


def to_unit_range(images):
    """uint8 的 NumPy 图像 (N, 1, 28, 28) → float32 张量，取值 0..1。"""
    return torch.from_numpy(images).float().div_(255)


def load_fashion_mnist(val_size=5000, seed=42, n_train=None, n_test=None):
    """读入 Fashion-MNIST，分出验证集并标准化，返回 FashionData。

    验证集是从 60,000 张训练图像里按固定种子随机取出的 val_size 张，不参与训练，用来挑选最好的一轮；
    测试集（10,000 张）只在最后评估一次。n_train / n_test 只用于快速模式（截取前若干张）。
    数据由 get_data 读取并核对 SHA-256：文件缺失或损坏时它会说明是哪个文件、怎样恢复，不会去联网下载。
    """
    train_images, test_images, train_labels, test_labels = get_data("fashion_mnist", normalize=False,
                                                                    flatten=False)
    images, labels = to_unit_range(train_images), torch.from_numpy(train_labels)  # (60000, 1, 28, 28)
    x_test, y_test = to_unit_range(test_images), torch.from_numpy(test_labels)

    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(seed))
    val_index, train_index = order[:val_size], order[val_size:]
    if n_train is not None:
        train_index = train_index[:n_train]
    if n_test is not None:
        x_test, y_test = x_test[:n_test], y_test[:n_test]
    x_train, y_train = images[train_index], labels[train_index]
    x_val, y_val = images[val_index], labels[val_index]

    # 标准化只用训练部分的统计量（验证集和测试集不能“偷看”）；统计量存进模型文件，评估时照样用它们
    mean, std = x_train.mean(), x_train.std()
    x_train, x_val, x_test = [(x - mean) / std for x in (x_train, x_val, x_test)]
    return FashionData(x_train, y_train, x_val, y_val, x_test, y_test, mean.item(), std.item())


def load_fashion_test(mean, std, n_test=None):
    """只读测试集，用训练时记下的 mean、std 标准化，返回 (x_test, y_test)。"""
    _, test_images, _, test_labels = get_data("fashion_mnist", normalize=False, flatten=False, n_train=1,
                                              n_test=n_test)
    mean, std = torch.tensor(mean, dtype=torch.float32), torch.tensor(std, dtype=torch.float32)
    return (to_unit_range(test_images) - mean) / std, torch.from_numpy(test_labels)


def augment(x, max_shift=2, generator=None):
    """对一批图像做轻量的数据增强，返回新张量（不修改 x）。

    x: (N, C, H, W)。每张图独立地：以 1/2 的概率左右翻转（衣服、鞋子翻过来仍是同一类），
    再随机平移 -max_shift..max_shift 个像素（移出去的部分丢掉，空出来的部分填背景值）。
    平移用“先四周填充、再按每张图各自的偏移量取出 H×W 的窗口”实现，整批只做几次索引。
    """
    n, _, h, w = x.shape
    flip = torch.rand(n, generator=generator, device="cpu").to(x.device) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    if max_shift == 0:
        return x
    background = x.amin()  # 标准化后的背景（原来的 0）是最小值
    padded = nn.functional.pad(x, (max_shift,) * 4, value=float(background))
    shift = torch.randint(0, 2 * max_shift + 1, (2, n), generator=generator, device="cpu").to(x.device)
    rows = shift[0][:, None] + torch.arange(h, device=x.device)  # (N, H)：每张图取哪些行
    cols = shift[1][:, None] + torch.arange(w, device=x.device)  # (N, W)
    batch = torch.arange(n, device=x.device)[:, None, None, None]
    channel = torch.arange(x.shape[1], device=x.device)[None, :, None, None]
    return padded[batch, channel, rows[:, None, :, None], cols[:, None, None, :]]


def conv_block(in_channels, out_channels):
    """3×3 卷积（pad 1，尺寸不变）→ 批归一化 → ReLU。卷积后接批归一化时偏置是多余的，所以不用。"""
    return [
        nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    ]


class FashionCNN(nn.Module):
    """输入 (N, 1, 28, 28)，输出 (N, 10) 的 logits（未经 softmax）。

    28×28 → [32, 32] → 池化 14×14 → [64, 64] → 池化 7×7 → [128] → 池化 3×3
    → 展平 1152 → Dropout → 全连接 256 → ReLU → Dropout → 全连接 10
    """

    def __init__(self, dropout=0.3):
        super().__init__()
        self.features = nn.Sequential(
            *conv_block(1, 32), *conv_block(32, 32), nn.MaxPool2d(2),     # 28 → 14
            *conv_block(32, 64), *conv_block(64, 64), nn.MaxPool2d(2),    # 14 → 7
            *conv_block(64, 128), nn.MaxPool2d(2),                        # 7 → 3（向下取整）
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Dropout(dropout),
            nn.Linear(128 * 3 * 3, 256),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(256, 10),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


def make_checkpoint(model_state, data, epoch, val_acc, settings):
    """模型文件的内容：参数、标准化统计量、第几轮、验证精度和训练设置，只有张量和普通的 Python 值。"""
    return {"model_state": model_state, "mean": data.mean, "std": data.std, "epoch": epoch,
            "best_val_acc": val_acc, "n_val": len(data.y_val), "settings": settings}


def load_trained_model(path, device, how_to_make="先运行 python ch08_cnn/4_fashion_category.py 训练一个"):
    """读取 make_checkpoint 保存的模型文件，返回 (放在 device 上的 FashionCNN, checkpoint)。

    文件不存在时抛出 FileNotFoundError，损坏、不是本章的模型文件或参数里有 nan 时抛出 CheckpointError，
    消息都说明是哪个文件、出了什么问题（调用者在命令行入口打印这一行并退出）。
    """
    checkpoint = load_checkpoint(path, required_keys=CHECKPOINT_KEYS, how_to_make=how_to_make)
    model = FashionCNN()
    load_model_state(model, checkpoint["model_state"], path)
    return model.to(device), checkpoint


def confusion_matrix(y_true, y_pred, num_classes=10):
    """matrix[i, j] = 真实类别为 i、被预测为 j 的张数（y_true、y_pred: (N,) 的整数张量）。"""
    matrix = torch.zeros(num_classes, num_classes, dtype=torch.int64)
    matrix.index_put_((y_true, y_pred), torch.ones_like(y_true), accumulate=True)
    return matrix.numpy()


def report_classes(matrix):
    """打印各类别精度（混淆矩阵对角线 / 每行之和），返回 {类别名: 精度}。"""
    per_class = matrix.diagonal() / matrix.sum(axis=1)
    print("各类别精度：" + "，".join(f"{name} {acc:.3f}" for name, acc in zip(CLASS_NAMES, per_class)))
    return dict(zip(CLASS_NAMES, per_class.tolist()))
