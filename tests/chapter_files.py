"""旧的导入方式，保留给尚未改用 common.chapters.load 的测试；新代码请直接 `from common.chapters import load`。"""
import sys

from common.chapters import load


def import_chapter_file(relative_path, module_name):
    """与以前一样：每次调用都把文件重新执行一遍（load(relative_path, fresh=True)），并登记在 module_name 下。

    所以在设好 DL_QUICK=1 之后调用，模块顶部的 pick(...) 按快速模式取值。
    """
    module = load(relative_path, fresh=True)
    sys.modules[module_name] = module
    return module
