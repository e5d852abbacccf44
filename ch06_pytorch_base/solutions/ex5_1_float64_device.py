"""第 5 章练习 1 的参考答案：get_device 选了哪个设备？float64 的张量能放到这个设备上吗？

    python ch06_pytorch_base/solutions/ex5_1_float64_device.py                # 在 CPU 上检查（本仓库的机器只有 CPU）
    python ch06_pytorch_base/solutions/ex5_1_float64_device.py --device auto  # 在 get_device 自动选的设备上检查

MPS（Apple 芯片的 GPU）没有 float64：在 MPS 上创建 float64 张量会抛出 TypeError，这里把它接住并打印出来。
CUDA 支持 float64；CPU 当然也支持。
"""

import torch

from common.cli import run, script_parser
from common.device import get_device


def parse_args(argv):
    parser = script_parser("检查 float64 的张量能否放到某个设备上", device="cpu",
                           help={"device": "要检查的设备：cpu、cuda、mps，或 auto（由 get_device 按 CUDA → MPS → CPU 自动选择）"})
    return parser.parse_args(argv)


def try_float64(device):
    """在 device 上创建 float64 的全 1 张量并算一次 x @ x.T；返回 (成功与否, 结果的列表或出错信息)。"""
    try:
        x = torch.ones(2, 3, dtype=torch.float64, device=device)
        return True, (x @ x.T).cpu().tolist()
    except (TypeError, RuntimeError) as error:  # MPS：Cannot convert a MPS Tensor to float64 dtype ...
        return False, str(error).splitlines()[0]


def main(argv=()):
    args = parse_args(argv)
    device = get_device(None if args.device == "auto" else args.device)  # 设备不可用时抛出 ValueError，由 run 变成一行“错误：…”
    ok, result = try_float64(device)
    print(f"检查的设备：{device}")
    if ok:
        print(f"float64 的张量可以放在 {device} 上：x @ x.T = {result}，dtype {torch.float64}")
    else:
        print(f"float64 的张量不能放在 {device} 上：{result}")
        print("改用 float32（torch.ones(2, 3, device=device)），需要 float64 的对照计算放在 CPU 上做")


if __name__ == "__main__":
    import sys

    run(lambda: main(sys.argv[1:]))
