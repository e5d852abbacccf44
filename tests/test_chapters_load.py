"""common.chapters.load：按仓库里的相对路径导入章节文件，不改 sys.path。"""
import sys

import pytest

from common.chapters import load, module_name
from common.paths import REPO_ROOT

# 导入 4_fashion_category.py（连同 torch）要几秒，放在收集测试时做；记下导入前后的 sys.path
PATH_BEFORE = list(sys.path)
FASHION = load("ch08_cnn/4_fashion_category.py")  # 里面有 `from fashion_cnn import ...`
PATH_AFTER = list(sys.path)


def test_same_file_is_one_module_and_same_names_in_other_chapters_stay_apart():
    ch03 = load("ch03_train/two_layer_net.py")
    ch04 = load("ch04_backward/two_layer_net.py")
    assert ch03 is not ch04 and ch03.TwoLayerNet is not ch04.TwoLayerNet
    assert load("ch04_backward/two_layer_net.py") is ch04  # 第二次得到的是同一个模块：类也只有一份
    assert ch04.__name__ == "ch04_backward.two_layer_net" == module_name(REPO_ROOT / "ch04_backward/two_layer_net.py")
    assert "two_layer_net" not in sys.modules  # 裸名字不留在进程里，不会让别处的 `import two_layer_net` 拿错


def test_imports_of_the_same_folder_work_without_sys_path():
    assert PATH_AFTER == PATH_BEFORE
    assert FASHION.FashionCNN is load("ch08_cnn/fashion_cnn.py").FashionCNN
    assert "fashion_cnn" not in sys.modules or sys.modules["fashion_cnn"] is sys.modules["ch08_cnn.fashion_cnn"]


def test_fresh_runs_the_file_again(monkeypatch):
    shared = FASHION
    monkeypatch.setenv("DL_QUICK", "1")
    fresh = load("ch08_cnn/4_fashion_category.py", fresh=True)
    assert fresh is not shared and fresh.N_TRAIN == 2000  # 模块顶部的 pick(...) 按快速模式重新取值
    assert load("ch08_cnn/4_fashion_category.py") is shared  # 共享的那一份不变


def test_a_missing_file_names_the_path_and_the_expected_form():
    with pytest.raises(FileNotFoundError, match=r"ch07_pytorch_dl/optimizer/4_adam\.py.*相对于仓库根目录"):
        load("ch07_pytorch_dl/optimizer/4_adam.py")
