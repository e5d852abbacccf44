"""在“已经导入好 numpy、torch、matplotlib 的 Python”里运行脚本：测试里的冒烟运行省掉每次几秒的导入。

冒烟测试要几十次地运行 `python 脚本.py`，在 2 核 CPU 上每次光是导入 torch、matplotlib、pandas 就要 2～4 秒，
往往比脚本在快速模式下真正做事的时间还长。这里的做法：每个测试进程启动一个常驻的服务进程，它先把这些库导入好，
然后每来一个请求就 fork 出一个子进程运行脚本。子进程是一个全新的进程（自己的进程号、退出码、标准输出和
标准错误），和 `python 脚本.py` 一样：工作目录、环境变量、sys.argv 按请求设好，sys.path[0] 是脚本所在的目录，
脚本以 `__main__` 运行；只是那几个大库已经在内存里了。仓库自己的模块（common、各章的模块）一个也不预先导入，
由子进程照常导入。

只在 Linux 上这样做（fork 之后再用 torch，在 macOS 上不可靠，Windows 没有 fork）；别的系统上 run_python
就是普通的 subprocess.run。服务进程只导入、不计算，没有创建线程池，所以 fork 是安全的。
"""
import atexit
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PRELOAD = ("numpy", "torch", "torchvision", "matplotlib.pyplot", "pandas", "sklearn", "tqdm", "scipy")
USE_FORK = sys.platform.startswith("linux") and os.environ.get("DL_TEST_NO_FORK", "") != "1"
# 这些环境变量在导入时（或解释器启动时）就起作用：线程数、计算内核、sys.path、Python 自己的设置……
# 请求的值与服务进程启动时的不同（如 tests/kernel_sweep.py 换内核重跑），就照常启动一个新的 Python
READ_AT_IMPORT = ("PYTHON", "OMP_", "OPENBLAS_", "MKL_", "ATEN_", "KMP_", "TORCH", "CUDA", "MPLBACKEND")

_server = None


class Completed:
    """与 subprocess.CompletedProcess 相同的几个属性。"""

    def __init__(self, args, returncode, stdout, stderr):
        self.args, self.returncode, self.stdout, self.stderr = args, returncode, stdout, stderr


def run_python(args, cwd, env, timeout):
    """相当于 subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)。

    args[0] 是脚本的路径。超时时抛出 subprocess.TimeoutExpired，与 subprocess.run 相同。
    """
    args = [str(a) for a in args]
    if not USE_FORK or _differs_at_import(env):
        return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True,
                              encoding="utf-8", timeout=timeout)
    with tempfile.TemporaryDirectory() as folder:
        out, err = Path(folder) / "stdout", Path(folder) / "stderr"
        reply = _ask({"args": args, "cwd": str(cwd), "env": dict(env), "stdout": str(out), "stderr": str(err),
                      "timeout": timeout})
        stdout = out.read_text(encoding="utf-8", errors="replace") if out.exists() else ""
        stderr = err.read_text(encoding="utf-8", errors="replace") if err.exists() else ""
    if reply["returncode"] is None:
        raise subprocess.TimeoutExpired([sys.executable, *args], timeout, stdout, stderr)
    return Completed([sys.executable, *args], reply["returncode"], stdout, stderr)


def _server_env():
    return dict(os.environ, PYTHONIOENCODING="utf-8", MPLBACKEND="Agg")


def _differs_at_import(env):
    server = _server_env()
    names = {name for name in (*env, *server) if name.startswith(READ_AT_IMPORT)}
    return any(env.get(name) != server.get(name) for name in names)


def _ask(request):
    global _server
    if _server is None or _server.poll() is not None:
        env = _server_env()
        _server = subprocess.Popen([sys.executable, __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   env=env, text=True, encoding="utf-8")
        atexit.register(_server.kill)
    _server.stdin.write(json.dumps(request) + "\n")
    _server.stdin.flush()
    line = _server.stdout.readline()
    if not line:
        raise RuntimeError("测试用的脚本服务进程意外退出了（tests/preloaded.py）；设 DL_TEST_NO_FORK=1 改用普通的子进程")
    return json.loads(line)


# ---------------------------------------------------------------- 服务进程（python tests/preloaded.py）

def _child(request):
    """fork 出的子进程：布置好环境，像 `python 脚本.py` 那样运行脚本，然后以脚本的退出码结束。"""
    import runpy
    import traceback
    code = 1
    try:
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
            os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), fd)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        sys.stdin = open(0, encoding="utf-8", closefd=False)
        script = os.path.abspath(request["args"][0])
        sys.argv = request["args"]
        sys.path[0] = os.path.dirname(script)
        try:
            runpy.run_path(script, run_name="__main__")
            code = 0
        except SystemExit as error:  # 与解释器相同：None 是 0，整数照用，别的打印出来、退出码 1
            if error.code is None or isinstance(error.code, int):
                code = error.code or 0
            else:
                print(error.code, file=sys.stderr)
        except BaseException:
            traceback.print_exc()
        atexit._run_exitfuncs()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(code)


def _serve():
    import importlib
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    sys.stdout.reconfigure(encoding="utf-8")
    sys.stderr.reconfigure(encoding="utf-8")
    for line in sys.stdin:
        request = json.loads(line)
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            _child(request)
        deadline = time.monotonic() + request["timeout"]
        while True:
            finished, status = os.waitpid(pid, os.WNOHANG)
            if finished:
                returncode = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() > deadline:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                returncode = None
                break
            time.sleep(0.01)
        print(json.dumps({"returncode": returncode}), flush=True)


if __name__ == "__main__":
    _serve()
