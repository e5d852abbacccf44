"""notebook 冒烟测试用的 Jupyter 内核：从预先导入了 numpy、torch、pandas 和 ipykernel 的进程 fork 出来。

与 tests/preloaded.py 同一个想法，用在 notebook 上：每个 notebook 都要启动一个新内核，而内核在第一个单元格里
导入 torch 等大库就要好几秒。这里有三个角色：
- 服务进程（`python preloaded_kernel.py serve 套接字路径`）：导入好大库，在一个 Unix 套接字上等请求；
- 内核的替身（kernel.json 里的命令，`python preloaded_kernel.py kernel -f 连接文件`）：jupyter_client 启动的就是它。
  它只用标准库，马上连上服务进程，把自己的工作目录、环境变量和标准输入输出（文件描述符）交过去，然后等着；
  收到 SIGTERM/SIGINT 就转给真正的内核，内核结束时以同样的退出码结束；
- 真正的内核：服务进程 fork 出的子进程，接过这些，像 `python -m ipykernel_launcher -f 连接文件` 那样运行。
不预先导入 matplotlib：ipykernel 启动时才设好 inline 后端，matplotlib 要在那之后导入。

只在 Linux 上使用（见 tests/preloaded.py 的说明），由 tests/test_notebooks.py 的 fixture 布置。
"""
import json
import os
import signal
import socket
import sys
import time

PRELOAD = ("numpy", "torch", "pandas", "sklearn", "tqdm", "IPython", "ipykernel.kernelapp", "zmq", "tornado")
SOCKET_ENV = "DL_PRELOADED_KERNEL_SOCKET"


def kernel_spec(folder, socket_path):
    """在 folder/kernels/python3 写一个内核说明，返回 folder（放进 JUPYTER_PATH 的最前面即可让 python3 内核用它）。"""
    spec_dir = os.path.join(folder, "kernels", "python3")
    os.makedirs(spec_dir, exist_ok=True)
    spec = {"argv": [sys.executable, os.path.abspath(__file__), "kernel", "-f", "{connection_file}"],
            "display_name": "Python 3 (ipykernel)", "language": "python", "env": {SOCKET_ENV: socket_path},
            "metadata": {"debugger": False}}
    with open(os.path.join(spec_dir, "kernel.json"), "w", encoding="utf-8") as handle:
        json.dump(spec, handle)
    return folder


# ---------------------------------------------------------------- 内核的替身

def _stand_in(argv):
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(os.environ[SOCKET_ENV])
    request = {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}
    socket.send_fds(connection, [json.dumps(request).encode("utf-8") + b"\n"], [0, 1, 2])
    reader = connection.makefile("r", encoding="utf-8")
    pid = int(reader.readline())

    def forward(signum, frame):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, forward)
    line = reader.readline()
    sys.exit(int(line) if line.strip() else 1)


# ---------------------------------------------------------------- 服务进程

def _kernel_child(request, fds):
    code = 1
    try:
        for target, fd in zip((0, 1, 2), fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        import importlib.util
        sys.argv = [importlib.util.find_spec("ipykernel_launcher").origin, *request["argv"]]
        sys.path[0] = request["cwd"]
        from ipykernel import kernelapp
        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as error:
        code = error.code if isinstance(error.code, int) else (0 if error.code is None else 1)
    except BaseException:
        import traceback
        traceback.print_exc()
    finally:
        os._exit(code)


def _serve(socket_path):
    import importlib
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen()
    print("ready", flush=True)
    while True:
        connection, _ = listener.accept()
        message, fds, _, _ = socket.recv_fds(connection, 1 << 20, 3)
        request = json.loads(message.decode("utf-8"))
        pid = os.fork()
        if pid == 0:
            listener.close()
            connection.close()
            _kernel_child(request, fds)
        for fd in fds:
            os.close(fd)
        connection.sendall(f"{pid}\n".encode())
        connection.setblocking(False)
        while True:  # 等内核结束；替身断开（被杀掉）时也结束内核
            finished, status = os.waitpid(pid, os.WNOHANG)
            if finished:
                try:
                    connection.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())
                except OSError:
                    pass
                break
            try:
                if connection.recv(1) == b"":
                    os.kill(pid, signal.SIGKILL)
            except BlockingIOError:
                pass
            time.sleep(0.02)
        connection.close()


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        _serve(sys.argv[2])
    else:
        _stand_in(sys.argv[2:])
