"""测试共用：按文件路径导入章节文件夹里的模块。

章节文件夹不是包，文件名又常以数字开头（如 10_autograd_vs_backprop.py），不能直接 import；
不同章节里还有同名的辅助模块（两个 two_layer_net.py），所以按路径导入、各起一个不同的模块名。
"""
import importlib.util
import sys

from common.paths import REPO_ROOT


def import_chapter_file(relative_path, module_name):
    """导入仓库里的 relative_path（如 "ch04_backward/two_layer_net.py"），注册为 module_name 并返回模块。

    该文件所在的文件夹会加到 sys.path 上，这样它内部的 `from fashion_cnn import …` 之类的同目录导入照常可用
    （与直接运行脚本时 Python 的做法相同）。脚本的主体都在 main() 里，导入时不会运行。
    """
    path = REPO_ROOT / relative_path
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module
