"""读取仓库 data/ 目录里随附的真实数据集（全部离线，不下载任何东西）。

    from common.load_data import get_data
    x_train, x_test, y_train, y_test = get_data()            # MNIST，(N, 784) float32，取值 [0, 1]
    x_train, x_test, y_train, y_test = get_data("fashion_mnist", flatten=False)  # (N, 1, 28, 28)

每个文件第一次被读取时都会核对 SHA-256：
文件缺失、被截断或被改动时，会报出是哪个文件、应该在哪里、怎样恢复。
核对通过后记下文件的大小和修改时间；同一进程里再次读取时，两者都没变就不再重算，
变了（文件在运行期间被改动过）就重新核对。
"""
import gzip
import hashlib
import json

import numpy as np

from common.paths import DATA_DIR
from common.util import one_hot as to_one_hot

# data/ 下每个文件的 SHA-256，与 data/README.md 中的表格一致
CHECKSUMS = {
    "MNIST/raw/train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "MNIST/raw/train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "MNIST/raw/t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "MNIST/raw/t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    "FashionMNIST/raw/train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    "FashionMNIST/raw/train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    "FashionMNIST/raw/t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
    "FashionMNIST/raw/t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    "heart/heart.csv": "d121ed0c88a1e4bd4d74693f03d830602e7eba8ed81a364f25c2b891756b29f2",
    "house_prices/train.csv": "1e18addf81e5e4d347cc17ee6075bbe4a42b7fa26b9e5b063e8f692a5f929d41",
    "house_prices/test.csv": "8fdd3d829d4d986b58f845c9553b225e67dd8383624d90fb6ca1d4bed5798c1e",
    "poems/tang_qijue_simp.txt": "5ef0278b833f8aa75b4a7abead995f63a5f8f3a2469d215988287f52904385c5",
    "poems/tang_qijue.jsonl": "92ed19a303ff5fe94bc3ed390a91922b9254c5208bca922bc32d44bbcec22f3d",
    "poems/song_qijue.jsonl.gz": "8bb18e94ab3691f9a5256bb7c7511b3bc75181a00537153c50fc92321420b6e7",
    "poems/poem_lstm.pt": "5a60016e5315a2eef7e46fab8c1f0df991d5f2145a06fc78ae181270b90ec2f6",
    "poems/poem_lstm_tang_song.pt": "c43b6f4bf861b149089ebd632f131ef5d8f071051c4fa27fc3e47eaf52e4c2a8",
    "poems/pingshui_rhyme.json": "fd11164ca1b848eb6b777688d5d6628ce772d72d0a25a0efd12d6b58459c6e2e",
    "poems/word_tune.json": "7040a6c630e2b410c1ad0c0dad2f26d7a24f931e34f7b6eb521e9bd3a950dc9b",
    "poems/gelv_usage.json": "9bd31287ec8cd7711c05983384741ed16a85688a7bb3f1260cc019bcd16bbbbb",
    "nn_sample": "5781618df092695d39463fccc37e54f7992ef47de965edbd7776ae3229bafbfd",
}

# 图像数据集：名称 -> data/ 下的子目录
IMAGE_DATASETS = {"mnist": "MNIST", "fashion_mnist": "FashionMNIST"}

# Fashion-MNIST 的 10 个类别（标签 0..9）
FASHION_CLASSES = ["T恤/上衣", "裤子", "套头衫", "连衣裙", "外套", "凉鞋", "衬衫", "运动鞋", "包", "短靴"]

_verified = {}  # 本进程中核对通过的文件：相对路径 -> 核对时的 (大小, 修改时间)
_image_cache = {}  # (数据集, 划分) -> (uint8 图像, int64 标签)，只读


class CorruptedDataError(OSError):
    """数据文件存在，但内容与记录的 SHA-256 不一致（被截断、改动或换成了别的文件）。"""


def _restore_hint(relative):
    return (f"请在仓库根目录运行 `git checkout -- data/{relative}` 恢复该文件"
            f"（如果是 git clone 下来的仓库）；或从 data/README.md 所列的来源重新获取。")


def check_file(relative):
    """核对 data/ 下文件的存在与 SHA-256，返回其路径。

    relative: 相对 data/ 的路径，如 "heart/heart.csv"（必须是 CHECKSUMS 中登记的文件）
    """
    if relative not in CHECKSUMS:
        raise ValueError(f"未登记的数据文件：{relative!r}；已登记的有：{sorted(CHECKSUMS)}")
    path = DATA_DIR / relative
    if not path.is_file():
        _verified.pop(relative, None)
        raise FileNotFoundError(
            f"找不到数据文件 data/{relative}（应位于 {path}）。{_restore_hint(relative)}")
    stat = path.stat()
    signature = (stat.st_size, stat.st_mtime_ns)
    if _verified.get(relative) == signature:  # 核对过，之后没有被改动
        return path
    _verified.pop(relative, None)  # 先作废旧的记录：只有这一次核对通过才重新记下
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    if sha256 != CHECKSUMS[relative]:
        raise CorruptedDataError(
            f"数据文件 data/{relative} 已损坏（{path}，{stat.st_size} 字节）："
            f"SHA-256 应为 {CHECKSUMS[relative]}，实际为 {sha256}。{_restore_hint(relative)}")
    _verified[relative] = signature
    return path


def _read_idx(relative):
    """读取一个 gzip 压缩的 IDX 文件，返回 uint8 数组（形状由文件头给出）。"""
    data = gzip.decompress(check_file(relative).read_bytes())
    magic_zero, dtype_code, ndim = data[0:2], data[2], data[3]
    if magic_zero != b"\x00\x00" or dtype_code != 0x08:
        raise CorruptedDataError(f"data/{relative} 不是 uint8 的 IDX 文件。{_restore_hint(relative)}")
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def _load_split(name, split):
    """读取某个数据集的 train 或 t10k 部分，返回 (uint8 图像 (N, 28, 28), int64 标签 (N,))。"""
    key = (name, split)
    folder = IMAGE_DATASETS[name]
    image_file, label_file = f"{folder}/raw/{split}-images-idx3-ubyte.gz", f"{folder}/raw/{split}-labels-idx1-ubyte.gz"
    if key in _image_cache:
        check_file(image_file)  # 已经读进内存，仍看一眼文件：运行期间被改动过就报错（没改动时只是一次 stat）
        check_file(label_file)
    else:
        images = _read_idx(image_file)
        labels = _read_idx(label_file).astype(np.int64)
        labels.flags.writeable = False
        _image_cache[key] = (images, labels)
    return _image_cache[key]


def _check_count(arg_name, value, maximum):
    if value is None:
        return maximum
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= maximum:
        raise ValueError(f"{arg_name} 应为 1..{maximum} 之间的整数（或 None 表示全部），实际为 {value!r}")
    return int(value)


def get_data(name="mnist", *, normalize=True, flatten=True, one_hot=False, n_train=None, n_test=None):
    """读取 MNIST 或 Fashion-MNIST，标准的 60000/10000 划分。

    name:      "mnist" 或 "fashion_mnist"
    normalize: True 时图像为 float32、取值 [0, 1]；False 时保留原始的 uint8 像素值 0..255
    flatten:   True 时图像形状为 (N, 784)；False 时为 (N, 1, 28, 28)（卷积网络用）
    one_hot:   True 时标签为 (N, 10) 的 float32 one-hot；False 时为 (N,) 的 int64
    n_train, n_test: 只取前若干个样本（快速实验用）；None 表示全部
    返回 x_train, x_test, y_train, y_test（与原课程代码的顺序一致）
    """
    if name not in IMAGE_DATASETS:
        raise ValueError(f"未知的数据集 {name!r}，可选：{list(IMAGE_DATASETS)}")
    for arg_name, value in (("normalize", normalize), ("flatten", flatten), ("one_hot", one_hot)):
        if not isinstance(value, bool):
            raise ValueError(f"{arg_name} 应为 True 或 False，实际为 {value!r}")
    result = {}
    for split, count_name, count in (("train", "n_train", n_train), ("t10k", "n_test", n_test)):
        images, labels = _load_split(name, split)
        n = _check_count(count_name, count, len(labels))
        x = images[:n].reshape(n, -1) if flatten else images[:n].reshape(n, 1, 28, 28)
        if normalize:  # 一次完成 uint8 -> float32 的转换与缩放，不产生中间数组
            x = np.multiply(x, np.float32(1 / 255), dtype=np.float32)
        else:
            x = x.copy()
        y = to_one_hot(labels[:n]) if one_hot else labels[:n].copy()
        result[split] = (x, y)
    (x_train, y_train), (x_test, y_test) = result["train"], result["t10k"]
    return x_train, x_test, y_train, y_test


def load_heart():
    """读取心脏病数据 heart.csv（303 行 × 14 列）为 pandas DataFrame。

    注意：这份广为流传的文件中 target = 1 表示“未诊断出心脏病”，target = 0 表示患病
    （与 UCI 原始数据的 num 字段相反，详见 data/README.md）。
    """
    import pandas as pd

    return pd.read_csv(check_file("heart/heart.csv"))


def load_house_prices():
    """读取 Kaggle 房价数据（Ames），返回 (train_df, test_df)。

    train: 1460 行 × 81 列（含 SalePrice）；test: 1459 行 × 80 列。
    字符串 "NA" 在许多列里表示“没有该设施”，读作缺失值；而 MasVnrType 中的 "None" 是一个类别，
    pandas 默认会把它也当成缺失值，这里用 keep_default_na=False 保留它。
    """
    import pandas as pd

    options = dict(keep_default_na=False, na_values=["NA"])
    train = pd.read_csv(check_file("house_prices/train.csv"), **options)
    test = pd.read_csv(check_file("house_prices/test.csv"), **options)
    return train, test


def load_poems(with_meta=False):
    """读取 10,342 首七言绝句（简体）。

    with_meta=False：返回字符串列表，每首诗 32 个字符（四句，每句 7 字加一个标点）
    with_meta=True： 返回字典列表，键为 author、title、trad（繁体）、simp（简体）
    """
    if with_meta:
        text = check_file("poems/tang_qijue.jsonl").read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines() if line]
    text = check_file("poems/tang_qijue_simp.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line]


def load_song_poems(with_meta=False):
    """读取 71,518 首宋代七言绝句（简体；由 ch09_rnn/prepare_song.py 从《全宋诗》整理，已与唐诗去重）。

    with_meta=False：返回字符串列表，每首诗 32 个字符（四句，每句 7 字加一个标点）
    with_meta=True： 返回字典列表，键为 author、title、trad（繁体）、simp（简体）
    """
    text = gzip.decompress(check_file("poems/song_qijue.jsonl.gz").read_bytes()).decode("utf-8")
    rows = [json.loads(line) for line in text.splitlines() if line]
    return rows if with_meta else [row["simp"] for row in rows]


def load_pingshui_rhyme():
    """读取平水韵（106 个韵部），返回 {声部: {韵部: [字, …]}}。

    声部共 5 个：上平声部（15 个韵部）、下平声部（15）、上声部（28，这份数据缺“三讲”）、去声部（30）、入声部（17）；
    韵部名如 "一东"、"十一尤"（入声部的写作 "入声一屋"）。一个字可以属于几个韵部（多音字）。
    """
    return json.loads(check_file("poems/pingshui_rhyme.json").read_text(encoding="utf-8"))


def load_gelv_usage():
    """读取按唐宋诗人的用法对平仄表、平水韵的修订（ch09_rnn/usage_tables.py 从语料整理）。

    返回字典：tone {字: "平"|"仄"|"两可"}、groups {字: [平声韵部, …]}（只列与两张表不同的字）、
    variants {字: 借来查表的繁体或异体}、uses {字: [平声位置的次数, 仄声位置的次数]}、
    foot_uses {字: {韵部: 做韵脚的次数}}、rules（整理时用的阈值）。
    """
    return json.loads(check_file("poems/gelv_usage.json").read_text(encoding="utf-8"))


def load_word_tones():
    """读取每个字的平仄，返回 {字: "平" | "仄" | "多"}（8,232 个字；"多" 是平仄两读的多音字）。"""
    return json.loads(check_file("poems/word_tune.json").read_text(encoding="utf-8"))


def load_nn_sample():
    """读取理论第 1 章（ch02_nn_base）用的预训练权重 data/nn_sample（784-50-100-10，sigmoid 隐藏层，由
    ch02_nn_base/train_nn_sample.py 训练得到）。

    返回参数字典，值都是 float32 数组：W1 (784, 50)、b1 (50,)、W2 (50, 100)、b2 (100,)、
    W3 (100, 10)、b3 (10,)。
    """
    import joblib

    # 先核对 SHA-256，再反序列化：joblib（pickle）读取文件时可以执行文件里写的任意代码，
    # 所以只打开与记录一致的那份文件，被替换或改动过的文件在这里就会被拒绝。
    path = check_file("nn_sample")
    return joblib.load(path)
