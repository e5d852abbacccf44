"""数据加载器：形状、类型、取值范围、与 shared 数据说明一致的统计量，以及损坏/缺失时的报错。"""
import os
import shutil

import numpy as np
import pytest

from common import load_data
from common.load_data import (CHECKSUMS, FASHION_CLASSES, CorruptedDataError, get_data,
                              load_heart, load_house_prices, load_poems)

# 数据来源说明（data/README.md）中记录的标签直方图与前几个标签
MNIST_TRAIN_HIST = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
MNIST_TEST_HIST = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_mnist_default_shapes_dtypes_and_range():
    x_train, x_test, y_train, y_test = get_data()
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784)
    assert x_train.dtype == np.float32 and y_train.dtype == np.int64
    assert x_train.min() == 0.0 and x_train.max() == 1.0
    # 像素均值（0..255 尺度）与数据说明一致：train 33.318，test 33.791
    assert x_train.mean(dtype=np.float64) * 255 == pytest.approx(33.318, abs=1e-3)
    assert x_test.mean(dtype=np.float64) * 255 == pytest.approx(33.791, abs=1e-3)


def test_mnist_labels_match_published_histograms():
    _, _, y_train, y_test = get_data()
    assert np.bincount(y_train).tolist() == MNIST_TRAIN_HIST
    assert np.bincount(y_test).tolist() == MNIST_TEST_HIST
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert y_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


def test_mnist_options_one_hot_image_shape_raw_and_subset():
    x_train, x_test, y_train, y_test = get_data(flatten=False, one_hot=True, normalize=False,
                                                n_train=500, n_test=100)
    assert x_train.shape == (500, 1, 28, 28) and x_test.shape == (100, 1, 28, 28)
    assert x_train.dtype == np.uint8 and x_train.max() == 255
    assert y_train.shape == (500, 10) and y_train.dtype == np.float32
    assert y_train.sum(axis=1).tolist() == [1.0] * 500
    assert y_train[:4].argmax(axis=1).tolist() == [5, 0, 4, 1]
    # 归一化版本与原始像素一致（float32 的相对精度约 6e-8，乘回 255 后误差不超过约 2e-5，容差取 1e-4）
    x_norm = get_data(n_train=500, n_test=100)[0]
    np.testing.assert_allclose(x_norm * 255, x_train.reshape(500, 784), atol=1e-4)


def test_returned_arrays_are_independent_copies():
    x_train, _, y_train, _ = get_data(normalize=False, n_train=10, n_test=10)
    x_train[:] = 0
    y_train[:] = 0
    x_again, _, y_again, _ = get_data(normalize=False, n_train=10, n_test=10)
    assert x_again.max() > 0 and y_again[0] == 5


def test_fashion_mnist_classes_and_labels():
    x_train, x_test, y_train, y_test = get_data("fashion_mnist")
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784)
    assert np.bincount(y_train).tolist() == [6000] * 10
    assert np.bincount(y_test).tolist() == [1000] * 10
    assert y_train[:10].tolist() == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]
    assert x_train.mean(dtype=np.float64) * 255 == pytest.approx(72.940, abs=1e-3)
    assert len(FASHION_CLASSES) == 10


@pytest.mark.parametrize("kwargs, words", [
    (dict(name="cifar10"), ["cifar10", "mnist", "fashion_mnist"]),
    (dict(n_train=0), ["n_train", "60000"]),
    (dict(n_test=10001), ["n_test", "10000"]),
    (dict(n_train=1.5), ["n_train"]),
    (dict(n_train=True), ["n_train", "True"]),  # bool 是 int 的子类，True 不能悄悄当成 1
    (dict(n_test=False), ["n_test", "False"]),
    (dict(one_hot="yes"), ["one_hot"]),
])
def test_bad_arguments_raise_value_error_listing_what_is_allowed(kwargs, words):
    with pytest.raises(ValueError) as info:
        get_data(**kwargs)
    for word in words:
        assert word in str(info.value)


def test_n_train_and_n_test_may_be_the_full_size():
    x_train, x_test, y_train, y_test = get_data(n_train=60000, n_test=10000)
    assert len(x_train) == len(y_train) == 60000 and len(x_test) == len(y_test) == 10000


def test_heart_table_and_its_inverted_target():
    df = load_heart()
    assert df.shape == (303, 14)
    assert list(df.columns)[-1] == "target"
    assert df["target"].value_counts().sort_index().tolist() == [138, 165]
    assert df["age"].mean() == pytest.approx(54.37, abs=0.01)
    assert "target = 1" in load_heart.__doc__  # 文档中必须提醒 target 的含义


def test_house_prices_keep_none_as_a_category():
    train, test = load_house_prices()
    assert train.shape == (1460, 81) and test.shape == (1459, 80)
    assert train["Id"].tolist()[:3] == [1, 2, 3] and test["Id"].iloc[0] == 1461
    assert train["SalePrice"].median() == 163000
    assert train["SalePrice"].mean() == pytest.approx(180921.2, abs=0.1)
    # "None"（无砌面）是类别，不是缺失值；"NA" 才是缺失
    assert (train["MasVnrType"] == "None").sum() == 864
    assert train["MasVnrType"].isna().sum() == 8
    assert train["PoolQC"].isna().sum() > 1400


def test_poems_simplified_and_with_metadata():
    poems = load_poems()
    assert len(poems) == 10342
    assert all(len(p) == 32 for p in poems)
    assert "朝辞白帝彩云间，千里江陵一日还。两岸猨声啼不尽，轻舟已过万重山。" in poems
    records = load_poems(with_meta=True)
    assert len(records) == 10342
    assert set(records[0]) == {"author", "title", "trad", "simp"}
    assert [r["simp"] for r in records] == poems


def test_song_poems_simplified_and_with_metadata():
    poems = load_data.load_song_poems()
    assert len(poems) == 71518 and all(len(p) == 32 for p in poems)
    records = load_data.load_song_poems(with_meta=True)
    assert set(records[0]) == {"author", "title", "trad", "simp"} and [r["simp"] for r in records] == poems


def use_a_copy_of(dataset, tmp_path, monkeypatch):
    """把 data/<dataset> 复制到 tmp_path，让加载器指向这份副本（不碰仓库里的 data/）。返回临时的 data 目录。

    加载器记住的“已核对”和已读入的图像也清空：否则它不再读文件，损坏副本的测试就测不到。
    """
    shutil.copytree(load_data.DATA_DIR / dataset, tmp_path / dataset)
    monkeypatch.setattr(load_data, "DATA_DIR", tmp_path)
    monkeypatch.setattr(load_data, "_verified", {})
    monkeypatch.setattr(load_data, "_image_cache", {})
    return tmp_path


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    return use_a_copy_of("MNIST", tmp_path, monkeypatch)


def test_truncated_file_gives_clear_error(data_copy):
    relative = "MNIST/raw/t10k-labels-idx1-ubyte.gz"
    path = data_copy / relative
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(CorruptedDataError) as info:
        get_data()
    message = str(info.value)
    assert relative in message and "git checkout -- data/" + relative in message
    assert CHECKSUMS[relative] in message


def test_modified_file_gives_clear_error(data_copy):
    relative = "MNIST/raw/train-labels-idx1-ubyte.gz"
    path = data_copy / relative
    content = bytearray(path.read_bytes())
    content[-1] ^= 0xFF  # 改动一个字节，长度不变
    path.write_bytes(bytes(content))
    with pytest.raises(CorruptedDataError, match="已损坏"):
        get_data()


def test_a_failed_check_is_not_remembered_as_verified(data_copy):
    relative = "MNIST/raw/t10k-labels-idx1-ubyte.gz"
    path = data_copy / relative
    good = path.read_bytes()
    path.write_bytes(good[:1000])
    for _ in range(2):  # 第二次调用也要重新核对并再次失败，不能因为“核对过”就放行
        with pytest.raises(CorruptedDataError):
            load_data.check_file(relative)
    path.write_bytes(good)  # 恢复之后又能正常读取
    assert load_data.check_file(relative) == path


@pytest.fixture
def heart_copy(tmp_path, monkeypatch):
    """把 heart.csv 复制到临时 data 目录：CSV 不像 gzip 那样自带校验，改坏了 pandas 照样能读。"""
    (tmp_path / "heart").mkdir()
    shutil.copyfile(load_data.DATA_DIR / "heart" / "heart.csv", tmp_path / "heart" / "heart.csv")
    monkeypatch.setattr(load_data, "DATA_DIR", tmp_path)
    monkeypatch.setattr(load_data, "_verified", {})
    return tmp_path / "heart" / "heart.csv"


def _change_one_digit(path):
    """把文件里最后一个数字换成另一个数字：长度不变，pandas 仍能读出 303 行。"""
    text = path.read_text(encoding="utf-8")
    i = max(text.rfind(d) for d in "0123456789")
    path.write_text(text[:i] + str((int(text[i]) + 1) % 10) + text[i + 1:], encoding="utf-8")


def test_modified_csv_gives_clear_error(heart_copy):
    _change_one_digit(heart_copy)
    with pytest.raises(CorruptedDataError, match="heart/heart.csv.*已损坏"):
        load_heart()


def test_file_changed_after_it_was_verified_is_checked_again(heart_copy):
    assert load_heart().shape == (303, 14)  # 核对通过并记下
    before = heart_copy.stat()
    _change_one_digit(heart_copy)
    # 同样的长度；再把修改时间明确推后 1 秒，不依赖文件系统时间戳的精度
    os.utime(heart_copy, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    with pytest.raises(CorruptedDataError, match="已损坏"):
        load_heart()


def test_image_file_changed_after_it_was_loaded_is_noticed(data_copy):
    get_data(n_train=10, n_test=10)  # 核对通过，图像已缓存在内存里
    path = data_copy / "MNIST/raw/t10k-labels-idx1-ubyte.gz"
    before = path.stat()
    content = bytearray(path.read_bytes())
    content[-1] ^= 0xFF
    path.write_bytes(bytes(content))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    with pytest.raises(CorruptedDataError, match="t10k-labels"):
        get_data(n_train=10, n_test=10)


def test_missing_file_names_it_and_says_how_to_restore(data_copy):
    relative = "MNIST/raw/train-images-idx3-ubyte.gz"
    (data_copy / relative).unlink()
    with pytest.raises(FileNotFoundError) as info:
        get_data()
    message = str(info.value)
    assert relative in message and str(data_copy / relative) in message
    assert "git checkout" in message


def test_torchvision_reads_the_shipped_image_sets_offline(tmp_path, monkeypatch):
    """torchvision 按 data/MNIST/raw、data/FashionMNIST/raw 的布局离线读取（任何下载都会报错）。"""
    import urllib.request

    from torchvision import datasets

    def no_network(*args, **kwargs):
        raise AssertionError("不应访问网络")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    for folder, cls, first_label in (("MNIST", datasets.MNIST, 5), ("FashionMNIST", datasets.FashionMNIST, 9)):
        # 复制到临时目录：torchvision 第一次会把 .gz 解压到同一目录
        shutil.copytree(load_data.DATA_DIR / folder / "raw", tmp_path / folder / "raw",
                        ignore=shutil.ignore_patterns("*-ubyte"))
        train = cls(root=tmp_path, train=True, download=True)
        test = cls(root=tmp_path, train=False, download=False)
        assert len(train) == 60000 and len(test) == 10000
        assert int(train.targets[0]) == first_label
        x_ours = get_data(folder.lower().replace("fashionmnist", "fashion_mnist"),
                          normalize=False, n_train=100, n_test=1)[0]
        np.testing.assert_array_equal(train.data[:100].numpy().reshape(100, -1), x_ours)


def test_data_readme_lists_every_registered_file_and_checksum():
    readme = (load_data.DATA_DIR / "README.md").read_text(encoding="utf-8")
    for relative, sha256 in CHECKSUMS.items():
        assert relative.rsplit("/", 1)[-1] in readme and sha256 in readme, relative


def test_every_shipped_data_file_is_registered_or_documentation():
    # 没有任何代码再往 data/ 里解压文件（torchvision 的 *-ubyte 之类），所以这里不留例外
    shipped = {p.relative_to(load_data.DATA_DIR).as_posix() for p in load_data.DATA_DIR.rglob("*") if p.is_file()}
    documents = {p for p in shipped if p.endswith((".md", ".txt"))}
    assert shipped - documents <= set(CHECKSUMS), shipped - documents - set(CHECKSUMS)
