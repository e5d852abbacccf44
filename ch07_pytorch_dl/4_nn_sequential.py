"""同一个 784-100-10 网络的三种写法：自定义 nn.Module、nn.Sequential、带名字的 nn.Sequential(OrderedDict)。

    python ch07_pytorch_dl/4_nn_sequential.py
    python ch07_pytorch_dl/4_nn_sequential.py --checkpoint 某个/3_nn_test.pt   # 指定要装入的参数文件

1. 三个模型的结构相同，参数个数相同；
2. 把一个模型的 state_dict 装进另一个，两者对同一批输入的输出完全相同（断言）。
   用 OrderedDict 给层起与自定义模块相同的名字（fc1、relu、fc2）时，state_dict 的键也相同，可以直接装入；
   普通的 nn.Sequential 按位置命名（0、1、2），键是 "0.weight"、"2.weight"，要先改名；
3. 保存与加载就是两行：torch.save(model.state_dict(), path) 只保存参数字典；
   model.load_state_dict(torch.load(path, weights_only=True)) 读回（weights_only=True：不执行文件里夹带的代码），
   输出仍然相同。
3_nn_test.py 训练好的参数（output/ch07_pytorch_dl/3_nn_test.pt，它用 torch.save 保存的 state_dict）存在时就用它，
并在 MNIST 测试集上比较精度；不存在时说明怎样生成它，用随机初始化的参数演示（只查看，不创建任何文件夹）。
这个文件是另一个脚本写的，可能已损坏、不完整或是别的模型保存的：读它时用 common/checkpoint.py 的
load_checkpoint、load_model_state（就是上面那两行，外加读不出来时的一行说明）。
"""
from collections import OrderedDict
from pathlib import Path

import torch
from torch import nn

from common.checkpoint import load_checkpoint, load_model_state
from common.cli import run, script_parser
from common.device import get_device
from common.load_data import get_data
from common.paths import output_dir, output_path, relative_to_repo
from common.quick import pick
from common.seed import set_seed
from two_layer_net import TwoLayerNet

TRAINED = "ch07_pytorch_dl/3_nn_test.pt"
HOW_TO_MAKE = "先运行 python ch07_pytorch_dl/3_nn_test.py 训练并保存它"
POSITION_NAMES = {"fc1": "0", "fc2": "2"}  # 普通 Sequential 按位置命名：fc1 是第 0 层，fc2 是第 2 层（ReLU 没有参数）


def parse_args():
    parser = script_parser("同一个网络的自定义 nn.Module 与两种 nn.Sequential 写法互换参数", device=True, seed=42,
                           help={"seed": "随机种子（没有训练好的参数时的初始化）"})
    parser.add_argument("--checkpoint", type=Path, default=None,
                        help=f"要装入的参数文件（3_nn_test.py 保存的 state_dict）；不给时用输出目录下的 {TRAINED}，"
                             "那里没有时用随机初始化的参数")
    return parser.parse_args()


def make_plain_sequential():
    """普通的 nn.Sequential：层按位置命名，state_dict 的键是 0.weight、0.bias、2.weight、2.bias。"""
    return nn.Sequential(nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 10))


def make_named_sequential():
    """带名字的 nn.Sequential：层名与 TwoLayerNet 相同（fc1、relu、fc2），state_dict 的键也相同。"""
    return nn.Sequential(OrderedDict([
        ("fc1", nn.Linear(784, 100)),
        ("relu", nn.ReLU()),
        ("fc2", nn.Linear(100, 10)),
    ]))


def to_position_names(state_dict):
    """把 TwoLayerNet 的 state_dict（fc1.weight ...）改名成普通 Sequential 的键（0.weight ...）。"""
    renamed = OrderedDict()
    for key, value in state_dict.items():
        layer, parameter = key.split(".", 1)
        renamed[f"{POSITION_NAMES[layer]}.{parameter}"] = value
    return renamed


def load_trained(model, path, required):
    """把 path 处 3_nn_test.py 保存的参数（state_dict）装进 model，返回 True；文件不存在且不是 required 时返回 False。

    相当于 model.load_state_dict(torch.load(path, weights_only=True))，只是文件损坏、不完整、不是 state_dict、
    参数与模型对不上或含有 nan 时抛出 CheckpointError（一句说明，由 common.cli.run 打印），而不是一大段 traceback。
    """
    if not path.is_file() and not required:
        print(f"没有找到 {relative_to_repo(path)}（{HOW_TO_MAKE}）；下面用随机初始化的参数演示")
        return False
    state_dict = load_checkpoint(path, how_to_make=HOW_TO_MAKE)  # torch.load(path, weights_only=True)
    load_model_state(model, state_dict, path)  # model.load_state_dict(state_dict)
    print(f"自定义模块装入了 3_nn_test.py 训练好的参数：{relative_to_repo(path)}")
    return True


def main():
    args = parse_args()
    device = get_device(args.device, verbose=True)
    set_seed(args.seed)
    custom = TwoLayerNet(784, 100, 10)
    trained = load_trained(custom, args.checkpoint or output_dir() / TRAINED, required=args.checkpoint is not None)
    custom.to(device)

    plain = make_plain_sequential().to(device)
    named = make_named_sequential().to(device)
    for name, model in (("自定义 nn.Module", custom), ("nn.Sequential", plain), ("nn.Sequential(OrderedDict)", named)):
        keys = list(model.state_dict().keys())
        print(f"{name:28s} 参数 {sum(p.numel() for p in model.parameters()):,} 个，state_dict 的键：{keys}")

    # 带名字的 Sequential：键相同，直接装入
    named.load_state_dict(custom.state_dict())
    # 普通 Sequential：键不同，直接装入会报错（strict=True 时缺一个键、多一个键都不行）
    try:
        plain.load_state_dict(custom.state_dict())
    except RuntimeError as error:
        print(f"把自定义模块的 state_dict 直接装进普通 Sequential：RuntimeError：{str(error).splitlines()[0]}")
    else:
        raise AssertionError("键不同时 load_state_dict 应当报错")
    plain.load_state_dict(to_position_names(custom.state_dict()))  # 按位置改名后装入

    _, x_test, _, y_test = get_data("mnist", n_train=1, n_test=pick(real=None, quick=1000))
    x = torch.from_numpy(x_test).to(device)
    for model in (custom, plain, named):
        model.eval()
    with torch.no_grad():
        out_custom, out_plain, out_named = custom(x), plain(x), named(x)
    # 同样的参数、同样的运算顺序：输出逐位相同，所以用 torch.equal 而不是近似比较
    assert torch.equal(out_custom, out_named) and torch.equal(out_custom, out_plain)
    print(f"装入同一份 state_dict 后，三个模型对 {len(x)} 张测试图像的输出逐位相同（torch.equal 断言通过）")

    # 保存与加载：只存 state_dict（参数字典），读回时先建好同样结构的模型，再装入
    path = output_path("ch07_pytorch_dl/4_nn_sequential.pt")
    torch.save(named.state_dict(), path)
    restored = make_named_sequential().to(device)
    restored.load_state_dict(torch.load(path, map_location=device, weights_only=True))  # 只还原张量和基本类型
    restored.eval()
    with torch.no_grad():
        out_restored = restored(x)
    assert torch.equal(out_restored, out_custom)
    accuracy = (out_restored.argmax(dim=1).cpu() == torch.from_numpy(y_test)).float().mean().item()
    kind = "训练好的" if trained else "随机初始化的"
    print(f"保存到 {relative_to_repo(path)} 再用 weights_only=True 读回：输出仍逐位相同，测试精度 {accuracy:.4f}（{kind}参数）")
    print("完成：自定义模块与两种 Sequential 可以互换参数，输出完全相同")


if __name__ == "__main__":
    run(main)
