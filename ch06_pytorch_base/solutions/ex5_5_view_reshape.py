"""第 5 章练习 5 的参考答案：t.T.view(12) 为什么报错？reshape、contiguous().view、view(4, 3) 与 t.T 的比较。

    python ch06_pytorch_base/solutions/ex5_5_view_reshape.py
"""
import torch


def solve():
    t = torch.arange(12).reshape(3, 4)
    try:
        t.T.view(12)
        error = None
    except RuntimeError as caught:
        error = str(caught).split(" (")[0]
    return {
        "t_stride": t.stride(), "tt_stride": t.T.stride(), "tt_contiguous": t.T.is_contiguous(),
        "error": error,
        "reshape": t.T.reshape(12), "contiguous_view": t.T.contiguous().view(12),
        "reshape_shares": t.T.reshape(12).data_ptr() == t.data_ptr(),  # reshape 这时复制了
        "view43": t.view(4, 3), "transposed": t.T,
    }


def main():
    r = solve()
    print(f"t 的步长 {r['t_stride']}，t.T 的步长 {r['tt_stride']}，t.T 连续吗：{r['tt_contiguous']}")
    print(f"t.T.view(12)：RuntimeError：{r['error']}")
    print(f"t.T.reshape(12)         = {r['reshape'].tolist()}")
    print(f"t.T.contiguous().view(12) = {r['contiguous_view'].tolist()}")
    print(f"两者相同：{torch.equal(r['reshape'], r['contiguous_view'])}；reshape 与 t 共用内存吗：{r['reshape_shares']}")
    print(f"t.view(4, 3) = {r['view43'].tolist()}")
    print(f"t.T          = {r['transposed'].tolist()}")
    print(f"两者相同：{torch.equal(r['view43'], r['transposed'])}")


if __name__ == "__main__":
    main()
