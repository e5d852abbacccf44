"""在测试进程里运行一个章节脚本，就像在命令行上运行它一样，但不另起一个 Python 进程。

另起进程要重新导入 torch、pandas 等库，在 2 核 CPU 上每次 3～5 秒，往往比脚本在快速模式下的工作还久。
脚本打印什么、写哪些文件、出错时的那一行“错误：……”和退出码，都由它的 main() 和 common.cli.run 决定：
这里用同样的 run(main) 调用它，检查的是同一件事。进程本身才是被检查对象的情形（直接运行时的退出码、
torchrun 启动的多个进程）仍在子进程里测，冒烟测试（tests/test_scripts.py）也在子进程里把每个编号脚本跑一遍。

    finished = run_script("ch08_cnn/4_fashion_category.py", "--lr", "1e6", monkeypatch=monkeypatch, capsys=capsys)
    assert finished.code == 1 and finished.last_error_line.startswith("错误：")
"""
import sys
from dataclasses import dataclass

from common.chapters import load
from common.cli import run


@dataclass
class Finished:
    """一次运行的结果：退出码（0 表示正常结束）和打印到 stdout、stderr 的文字。"""
    code: int
    out: str
    err: str

    @property
    def last_error_line(self):
        lines = self.err.strip().splitlines()
        return lines[-1] if lines else ""


def run_script(relative, *argv, monkeypatch, capsys, quick=True):
    """像 `DL_QUICK=1 python <relative> <argv…>` 那样运行仓库里的脚本 relative，返回 Finished。

    quick=True 时先设 DL_QUICK=1（quick=False 时去掉它），再把脚本重新导入一遍（load(..., fresh=True)），
    让模块顶部的 pick(real=..., quick=...) 按这个模式取值。输出目录是环境变量 DL_OUTPUT_DIR
    （tests/conftest.py 为每个测试设成一个临时目录；测试可以再改）。
    """
    if quick:
        monkeypatch.setenv("DL_QUICK", "1")
    else:
        monkeypatch.delenv("DL_QUICK", raising=False)
    monkeypatch.setattr(sys, "argv", [relative, *map(str, argv)])
    module = load(relative, fresh=True)
    capsys.readouterr()  # 只留本次运行打印的内容
    try:
        run(module.main)
        code = 0
    except SystemExit as stop:  # sys.exit(None) 是 0；sys.exit("文字") 打印文字、退出码 1
        code = 0 if stop.code is None else stop.code if isinstance(stop.code, int) else 1
    captured = capsys.readouterr()
    return Finished(code, captured.out, captured.err)
