r"""换一种计算内核重跑练习答案的脚本：答案里引用的数在别的 CPU 上还对吗？

同一段 PyTorch / NumPy 代码在不同的 CPU 上可能算出最后几位不同的浮点数：PyTorch 按 CPU 支持的指令集
（AVX-512、AVX2 或不用向量指令）选不同的内核，求和的分组和顺序随之改变；NumPy 的 OpenBLAS 也按 CPU 选内核；
线程数不同，并行求和的分组也不同。训练几百步以后，最后一位的差别可能放大到答案引用的第三、四位有效数字。

这台机器只有一种 CPU，但可以用环境变量让 PyTorch 和 OpenBLAS 换用别的内核、换线程数，模拟“另一台机器”：

    ATEN_CPU_CAPABILITY=default|avx2   PyTorch 逐元素运算与归约的内核（default = 不用 AVX 指令的那一套）
    MKL_CBWR=COMPATIBLE   PyTorch 矩阵乘法（MKL）改走与 CPU 无关的“兼容”路径：分块和求和顺序都变了。
                          第 7 章练习 5 的 float32 训练在这里打印 0.2517 而不是 0.2567，与 Intel AVX-512 的机器上看到的一样
    OPENBLAS_CORETYPE=Prescott|Sandybridge   NumPy 矩阵乘法用的 OpenBLAS 内核（老 CPU 的，不用 FMA）
    OMP_NUM_THREADS / MKL_NUM_THREADS / OPENBLAS_NUM_THREADS   线程数（torch 启动时按 OMP_NUM_THREADS 设线程数）

对每一种设置，把答案里每个 ```text output=…``` 代码块对应的脚本在新进程中运行一次，
按代码块写明的容差（tests/test_solutions.py 的 Tolerances）与文档比较。用法（在仓库根目录）：

    python -m tests.kernel_sweep                    # 全部设置 × 全部 output 块，打印每个超出容差或变动了的数
    python -m tests.kernel_sweep -k ex7_5 -s default-threads1
    python -m pytest -m kernels                     # 同样的检查写成测试（默认不运行，见 tests/test_solutions_kernels.py）

报告里“变动”一栏列出与文档不同、但仍在容差内的数：容差应当来自这样的测量，而不是猜测。
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from common.paths import REPO_ROOT
from tests.test_solutions import (NUMBER, SOLUTIONS, Tolerances, chapter_id, compare_output, numbered_positions,
                                  result_blocks, split_numbers)

THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def _threads(count):
    return {variable: str(count) for variable in THREAD_VARIABLES}


# 另一台机器的几种模拟。这台机器（AMD EPYC，有 AVX2、没有 AVX-512）上 PyTorch 默认就用 avx2 内核；
# “default”一组再换上 MKL 的兼容路径和老 CPU 的 OpenBLAS 内核，一组 1 个线程、一组 2 个线程。
OTHER_CPU = {"ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "COMPATIBLE"}
SETTINGS = {
    "avx2-threads1": {"ATEN_CPU_CAPABILITY": "avx2", **_threads(1)},
    "avx2-threads2": {"ATEN_CPU_CAPABILITY": "avx2", **_threads(2)},
    "default-threads1": {**OTHER_CPU, "OPENBLAS_CORETYPE": "Prescott", **_threads(1)},
    "default-threads2": {**OTHER_CPU, "OPENBLAS_CORETYPE": "Sandybridge", **_threads(2)},
}
SCRIPT_TIMEOUT = 600  # 秒；output 块的脚本都在一两分钟内结束


def blocks(kind="output"):
    """答案里某一种代码块：[(编号, 脚本路径, 选项, 内容)]，编号如 07-5:ex7_5_bce_flipped_labels.py。"""
    return [(f"{chapter_id(chapter)}-{number}:{path.rsplit('/', 1)[1]}", path, options, body)
            for chapter, number, solution in SOLUTIONS
            for block_kind, path, options, body in result_blocks(solution) if block_kind == kind]


def run_script(path, environment, args=(), timeout=SCRIPT_TIMEOUT):
    """在新进程中按文档里的命令运行 `python 脚本`（正常模式），返回它打印的内容。

    输出目录换成一个临时目录，打印出的这个目录再换写回 output，与文档里一致；出错时抛出 RuntimeError。
    """
    with tempfile.TemporaryDirectory() as output_dir:
        env = {key: value for key, value in os.environ.items() if key != "DL_QUICK"}
        env.update(environment, DL_OUTPUT_DIR=output_dir, MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
        done = subprocess.run([sys.executable, path, *args], cwd=REPO_ROOT, env=env, capture_output=True,
                              text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"{path} 退出码 {done.returncode}：\n{done.stderr[-2000:]}")
        return done.stdout.replace(output_dir.rstrip("/"), "output")


def differences(expected, actual, options):
    """与文档不同的数：[(行号, 第几个数, 文档, 脚本, 是否在容差内)]；文字不同时返回 None。"""
    expected_words, _ = split_numbers(expected)
    actual_words, actual_numbers = split_numbers(actual)
    written = NUMBER.findall(expected)
    if expected_words != actual_words or len(written) != len(actual_numbers):
        return None
    tolerances = Tolerances(options)
    return [(line_number, index, a, b, tolerances.allows(line_number, index, a, b))
            for (line_number, index), a, b in zip(numbered_positions(expected), written, actual_numbers)
            if float(a) != b]


def spread_between(outputs):
    """几种设置下的输出之间，哪些数不同：["第 3 行第 2 个数：0.9338 / 0.9331 / …"]；文字都相同时才比较数。"""
    texts = list(outputs.values())
    if len(texts) < 2 or len({split_numbers(text)[0] for text in texts}) != 1:
        return [] if len(texts) < 2 else ["各设置打印的文字不同"]
    columns = [NUMBER.findall(text) for text in texts]
    positions = numbered_positions(texts[0])
    return [f"第 {line_number} 行第 {index} 个数：" + " / ".join(f"{name} {column[i]}" for name, column in zip(outputs, columns))
            for i, (line_number, index) in enumerate(positions) if len({float(column[i]) for column in columns}) > 1]


def main(argv=None):
    parser = argparse.ArgumentParser(description="在别的计算内核设置下重跑练习答案的 output 块，与文档比较")
    parser.add_argument("-s", "--setting", action="append", choices=sorted(SETTINGS),
                        help="只用这种设置（可以写多次）；不给时用全部设置")
    parser.add_argument("-k", "--keyword", default="", help="只运行编号中含这个词的代码块，如 ex7_5 或 07-")
    parser.add_argument("--json", default=None, help="把每个数的测量结果另存为这个 JSON 文件")
    args = parser.parse_args(argv)
    settings = args.setting or list(SETTINGS)
    selected = [block for block in blocks() if args.keyword in block[0]]
    if not selected:
        raise SystemExit(f"错误：没有编号中含“{args.keyword}”的 output 代码块")
    failures, record = 0, []
    for block_id, path, options, body in selected:
        outputs = {}
        for setting in settings:
            start = time.perf_counter()
            try:
                actual = run_script(path, SETTINGS[setting])
            except (RuntimeError, subprocess.TimeoutExpired) as error:
                failures += 1
                print(f"失败 {block_id} [{setting}]：{error}", flush=True)
                continue
            seconds = time.perf_counter() - start
            outputs[setting] = actual
            found = differences(body, actual, options)
            problems = compare_output(body, actual, tolerances=Tolerances(options))
            record.append({"block": block_id, "setting": setting, "seconds": round(seconds, 1),
                           "text_differs": found is None, "output": actual,
                           "changed": [list(item) for item in found or []]})
            status = "超出容差" if problems else ("变动" if found else "相同")
            failures += bool(problems)
            print(f"{status:4} {block_id} [{setting}] {seconds:.1f} 秒", flush=True)
            if found is None:
                print("\n".join(problems), flush=True)
            for line_number, index, a, b, within in found or []:
                print(f"      第 {line_number} 行第 {index} 个数：文档 {a}，脚本 {b:g}"
                      f"{'' if within else '（超出容差）'}", flush=True)
        # 设置之间的差别（与文档是否过时无关）：这才是定容差要看的测量
        for line in spread_between(outputs):
            print(f"      设置之间：{line}", flush=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as file:
            json.dump(record, file, ensure_ascii=False, indent=1)
    print(f"共 {len(selected)} 个代码块 × {len(settings)} 种设置，{failures} 处超出容差或运行失败")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
