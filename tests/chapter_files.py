"""测试共用：按文件路径导入章节文件夹里的模块，不改 sys.path。

章节文件夹不是包，文件名又常以数字开头（如 10_autograd_vs_backprop.py），不能直接 import；
不同章节里还有同名的辅助模块（ch03、ch04、ch07 各有一个 two_layer_net.py），所以按路径导入、各起一个不同的模块名。

章节文件内部的同目录导入（如 4_fashion_category.py 里的 `from fashion_cnn import FashionCNN`）
在直接运行脚本时靠 Python 把脚本所在目录放在 sys.path 最前面。这里不改 sys.path（否则整个测试进程里
`import two_layer_net` 会取决于哪个章节先被导入），而是在导入期间临时装一个查找器：
只在导入这一个文件的过程中，把裸模块名解析到同一文件夹里的同名文件；导入结束后查找器撤下，
这些同目录模块也从 sys.modules 的裸名字下移走，改登记为“章节文件夹名.模块名”。
"""
import importlib.abc
import importlib.util
import sys
from pathlib import Path

from common.paths import REPO_ROOT


class _SiblingFinder(importlib.abc.MetaPathFinder):
    """把 `import name` 解析到 folder/name.py（只在 folder 里确有这个文件时）。"""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.loaded = []

    def find_spec(self, name, path=None, target=None):
        candidate = self.folder / f"{name}.py"
        if "." in name or not candidate.is_file():
            return None
        self.loaded.append(name)
        return importlib.util.spec_from_file_location(name, candidate)


def import_chapter_file(relative_path, module_name):
    """导入仓库里的 relative_path（如 "ch04_backward/two_layer_net.py"），注册为 module_name 并返回模块。

    脚本的主体都在 main() 里，导入时不会运行。
    """
    path = REPO_ROOT / relative_path
    folder = path.parent.name
    # 这个文件夹里已经导入过的同目录模块先放回裸名字下：同一个文件只执行一次，类也只有一份
    seeded = [name for name in _siblings(path.parent) if f"{folder}.{name}" in sys.modules]
    for name in seeded:
        sys.modules[name] = sys.modules[f"{folder}.{name}"]
    finder = _SiblingFinder(path.parent)
    sys.meta_path.insert(0, finder)
    try:
        spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    finally:
        sys.meta_path.remove(finder)
        for name in {*seeded, *finder.loaded}:  # 同目录模块换到带章节名的名字下，裸名字留给别的章节
            sibling = sys.modules.pop(name, None)
            if sibling is not None:
                sys.modules.setdefault(f"{folder}.{name}", sibling)
    sys.modules.setdefault(f"{folder}.{path.stem}", module)
    return module


def _siblings(folder):
    return [p.stem for p in Path(folder).glob("*.py")]
