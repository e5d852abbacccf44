"""旧的导入方式，保留给尚未改用 common.chapters.load 的测试；新代码请直接 `from common.chapters import load`。"""
import sys

from common.chapters import load


def import_chapter_file(relative_path, module_name):
    """load(relative_path)，并把模块另外登记在 module_name 下。"""
    module = load(relative_path)
    sys.modules.setdefault(module_name, module)
    return module
