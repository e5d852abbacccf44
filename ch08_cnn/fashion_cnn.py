"""Fashion-MNIST 的数据与模型，4_fashion_category.py（单进程）和 6_fashion_ddp.py（多进程）共用。

- load_fashion_mnist：用 torchvision.datasets.FashionMNIST 读入随仓库提供的数据（data/FashionMNIST/raw/*.gz，
  download=True 时发现文件已在就只解压，不联网），整批放进内存，标准化，并按固定种子分出验证集。
- augment：在内存里对一整批张量做随机平移和左右翻转（比逐张图片的 transforms 快得多）。
- FashionCNN：VGG 风格的小网络（3×3 卷积 + 批归一化 + ReLU，两层卷积后接最大池化），末尾用 Dropout。
"""
import torch
import torchvision
from torch import nn

from common.load_data import FASHION_CLASSES
from common.paths import DATA_DIR

CLASS_NAMES = FASHION_CLASSES  # 中文类别名，标签 0..9


def load_fashion_mnist(val_size=5000, seed=42, n_train=None, n_test=None):
    """返回 (x_train, y_train, x_val, y_val, x_test, y_test)，都是 CPU 上的张量。

    x: (N, 1, 28, 28) float32，已按训练部分的均值和标准差标准化；y: (N,) int64。
    验证集是从 60,000 张训练图像里按固定种子随机取出的 val_size 张，不参与训练，用来挑选最好的一轮；
    测试集（10,000 张）只在最后评估一次。n_train / n_test 只用于快速模式（截取前若干张）。
    """
    root = str(DATA_DIR)
    train_set = torchvision.datasets.FashionMNIST(root=root, train=True, download=True)
    test_set = torchvision.datasets.FashionMNIST(root=root, train=False, download=True)
    images = train_set.data.float().div_(255).unsqueeze(1)  # (60000, 1, 28, 28)，取值 0..1
    labels = train_set.targets
    x_test = test_set.data.float().div_(255).unsqueeze(1)
    y_test = test_set.targets

    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(seed))
    val_index, train_index = order[:val_size], order[val_size:]
    if n_train is not None:
        train_index = train_index[:n_train]
    if n_test is not None:
        x_test, y_test = x_test[:n_test], y_test[:n_test]
    x_train, y_train = images[train_index], labels[train_index]
    x_val, y_val = images[val_index], labels[val_index]

    # 标准化只用训练部分的统计量（验证集和测试集不能“偷看”）
    mean, std = x_train.mean(), x_train.std()
    x_train, x_val, x_test = [(x - mean) / std for x in (x_train, x_val, x_test)]
    return x_train, y_train, x_val, y_val, x_test, y_test


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
