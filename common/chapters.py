"""复用章节代码：按仓库里的相对路径导入一个章节文件，不改 sys.path。

    from common.chapters import load

    fashion = load("ch08_cnn/4_fashion_category.py")   # 路径相对于仓库根目录，从哪个目录运行都一样
    fashion.train(...)                                   # 调用章节自己的函数，而不是在别处重写一遍

为什么不能直接 import：章节文件夹不是包，文件名又常以数字开头（如 10_autograd_vs_backprop.py）；
不同章节里还有同名的模块（ch03、ch04、ch07 各有一个 two_layer_net.py）。所以按路径导入，
模块登记在由路径得出的名字下（"ch08_cnn/4_fashion_category.py" -> "ch08_cnn.4_fashion_category"），
互不冲突；同一个文件只执行一次，再次 load 得到的是同一个模块（类也只有一份）。

章节文件里的同目录导入（如 4_fashion_category.py 里的 `from fashion_cnn import FashionCNN`）
在直接运行脚本时靠 Python 把脚本所在目录放在 sys.path 最前面。load 不改 sys.path（否则整个进程里
`import two_layer_net` 会取决于哪个章节先被导入），而是只在导入这一个文件的期间，把裸模块名解析到
同一文件夹里的同名文件；导入结束后，这些同目录模块改登记在“章节路径.模块名”下，裸名字留给别的章节。
"""
import importlib.abc
import importlib.util
import sys
from pathlib import Path

from common.paths import REPO_ROOT


def load(relative_path, *, fresh=False):
    """导入仓库里的 relative_path（如 "ch04_backward/two_layer_net.py"）并返回模块。

    脚本的主体都在 main() 里、由 `if __name__ == "__main__":` 守着，导入时不会运行。
    文件不存在时抛出 FileNotFoundError，说明找的是哪个文件。
    fresh=True 时不用已经导入的那一份，而是把文件重新执行一遍，得到一个新的模块（测试用：例如先设好
    DL_QUICK=1，让模块顶部的 pick(...) 按快速模式取值）；这个新模块不替换共享的那一份。
    """
    path = (REPO_ROOT / relative_path).resolve()
    if path.suffix != ".py" or not path.is_file():
        raise FileNotFoundError(f"找不到章节文件 {path}：路径应相对于仓库根目录 {REPO_ROOT}，"
                                f"如 \"ch08_cnn/4_fashion_category.py\"")
    shared = module_name(path)
    if not fresh and shared in sys.modules:
        return sys.modules[shared]
    name = shared
    if fresh:
        global _fresh_count
        _fresh_count += 1
        name = f"{shared}__fresh{_fresh_count}"
    package = shared.rpartition(".")[0]
    siblings = {p.stem: p for p in path.parent.glob("*.py")}
    # 导入期间，裸名字只能指向本文件夹里的同名文件：已导入过的同目录模块放回裸名字下（不再执行一次），
    # 别处同名的模块先收起来，导入完再放回
    hidden = {stem: sys.modules.pop(stem) for stem in siblings if stem in sys.modules}
    seeded = [stem for stem in siblings if f"{package}.{stem}" in sys.modules]
    for stem in seeded:
        sys.modules[stem] = sys.modules[f"{package}.{stem}"]
    finder = _SiblingFinder(siblings)
    sys.meta_path.insert(0, finder)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    finally:
        sys.meta_path.remove(finder)
        for stem in {*seeded, *finder.loaded}:  # 同目录模块换到带章节路径的名字下
            sibling = sys.modules.pop(stem, None)
            if sibling is not None:
                sys.modules.setdefault(f"{package}.{stem}", sibling)
        sys.modules.update(hidden)
    return module


_fresh_count = 0  # fresh=True 导入的次数：每个新模块一个不同的名字


def module_name(path):
    """仓库里的文件路径 -> 登记用的模块名："ch08_cnn/solutions/ex8_5.py" -> "ch08_cnn.solutions.ex8_5"。"""
    relative = Path(path).resolve().relative_to(REPO_ROOT)
    return ".".join(relative.with_suffix("").parts)


class _SiblingFinder(importlib.abc.MetaPathFinder):
    """把 `import name` 解析到同一文件夹里的 name.py（只在确有这个文件时）。"""

    def __init__(self, siblings):
        self.siblings = siblings
        self.loaded = []

    def find_spec(self, name, path=None, target=None):
        if name not in self.siblings:
            return None
        self.loaded.append(name)
        return importlib.util.spec_from_file_location(name, self.siblings[name])
