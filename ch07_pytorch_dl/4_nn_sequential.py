"""同一个 784-100-10 网络的三种写法：自定义 nn.Module、nn.Sequential、带名字的 nn.Sequential(OrderedDict)。

    python ch07_pytorch_dl/4_nn_sequential.py

1. 三个模型的结构相同，参数个数相同；
2. 把一个模型的 state_dict 装进另一个，两者对同一批输入的输出完全相同（断言）。
   用 OrderedDict 给层起与自定义模块相同的名字（fc1、relu、fc2）时，state_dict 的键也相同，可以直接装入；
   普通的 nn.Sequential 按位置命名（0、1、2），键是 "0.weight"、"2.weight"，要先改名；
3. 用 torch.save 只保存 state_dict，再用 torch.load(weights_only=True) 读回（不执行文件里夹带的代码），输出仍然相同。
3_nn_test.py 训练好的参数（output/ch07_pytorch_dl/3_nn_test.pt）存在时就用它，并在 MNIST 测试集上比较精度。
"""
from collections import OrderedDict

import torch
from torch import nn

from common.device import get_device
from common.load_data import get_data
from common.paths import output_dir, output_path, relative_to_repo
from common.quick import pick
from common.seed import set_seed
from two_layer_net import TwoLayerNet

TRAINED = "ch07_pytorch_dl/3_nn_test.pt"


def main():
    output_dir()  # 输出目录不可写时在训练之前就报错
    device = get_device(verbose=True)
    set_seed(42)
    custom = TwoLayerNet(784, 100, 10).to(device)
    trained_path = output_path(TRAINED)
    if trained_path.is_file():
        custom.load_state_dict(torch.load(trained_path, map_location=device, weights_only=True))
        print(f"自定义模块装入了 3_nn_test.py 训练好的参数：{relative_to_repo(trained_path)}")
    else:
        print(f"没有找到 {relative_to_repo(trained_path)}（先运行 3_nn_test.py），用随机初始化的参数演示")

    plain = nn.Sequential(nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 10)).to(device)
    named = nn.Sequential(OrderedDict([
        ("fc1", nn.Linear(784, 100)),
        ("relu", nn.ReLU()),
        ("fc2", nn.Linear(100, 10)),
    ])).to(device)
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
    # 按位置改名后装入（fc1 是第 0 层，fc2 是第 2 层；ReLU 没有参数）
    rename = {"fc1": "0", "fc2": "2"}
    plain.load_state_dict({rename[key.split(".")[0]] + "." + key.split(".")[1]: value
                           for key, value in custom.state_dict().items()})

    x_train, x_test, y_train, y_test = get_data("mnist", n_train=1, n_test=pick(real=None, quick=1000))
    x = torch.from_numpy(x_test).to(device)
    for model in (custom, plain, named):
        model.eval()
    with torch.no_grad():
        out_custom, out_plain, out_named = custom(x), plain(x), named(x)
    # 同样的参数、同样的运算顺序：输出逐位相同，所以用 torch.equal 而不是近似比较
    assert torch.equal(out_custom, out_named) and torch.equal(out_custom, out_plain)
    print(f"装入同一份 state_dict 后，三个模型对 {len(x)} 张测试图像的输出逐位相同（torch.equal 断言通过）")

    # 保存与加载：只存 state_dict，读回时 weights_only=True
    path = output_path("ch07_pytorch_dl/4_nn_sequential.pt")
    torch.save(named.state_dict(), path)
    restored = nn.Sequential(OrderedDict([
        ("fc1", nn.Linear(784, 100)), ("relu", nn.ReLU()), ("fc2", nn.Linear(100, 10))])).to(device)
    restored.load_state_dict(torch.load(path, map_location=device, weights_only=True))
    restored.eval()
    with torch.no_grad():
        out_restored = restored(x)
    assert torch.equal(out_restored, out_custom)
    accuracy = (out_restored.argmax(dim=1).cpu() == torch.from_numpy(y_test)).float().mean().item()
    print(f"保存到 {relative_to_repo(path)} 再用 weights_only=True 读回：输出仍逐位相同，测试精度 {accuracy:.4f}")
    print("完成：自定义模块与两种 Sequential 可以互换参数，输出完全相同")


if __name__ == "__main__":
    main()
