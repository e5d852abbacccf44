"""第 6 章练习 1 的参考答案：torch.from_numpy、torch.as_tensor、torch.as_tensor(dtype=float64) 是否与数组共享内存？

与 6.2 节相同：一个 float32 的 NumPy 数组，改它的第 0 个元素，看各个张量跟不跟着变。

    python ch06_pytorch_base/solutions/ex6_1_as_tensor.py
"""
import numpy as np
import torch


def solve():
    array = np.zeros(3, dtype=np.float32)
    tensors = {
        "torch.from_numpy(array)": torch.from_numpy(array),
        "torch.as_tensor(array)": torch.as_tensor(array),  # 类型、设备都不用变：直接共用数组的内存
        "torch.as_tensor(array, dtype=torch.float64)": torch.as_tensor(array, dtype=torch.float64),  # 要换类型：只能复制
        "torch.tensor(array)": torch.tensor(array),  # 总是复制
    }
    array[0] = 100.0
    return {name: {"values": t.tolist(), "dtype": t.dtype,
                   "shares": t.data_ptr() == array.ctypes.data}
            for name, t in tensors.items()}


def main():
    for name, r in solve().items():
        print(f"{name:<44} {str(r['dtype']):<14} 改数组之后 {r['values']}，共享内存：{r['shares']}")


if __name__ == "__main__":
    main()
