"""第 5 章练习 3 的参考答案：(64, 10) 的 scores 每行减去该行的最大值，两种写法。

    python ch06_pytorch_base/solutions/ex5_3_subtract_row_max.py
"""
import torch

from common.seed import set_seed


def solve():
    set_seed(0)
    scores = torch.randn(64, 10)
    # 写法 1：keepdim=True 保留被汇总的那一维，最大值的形状是 (64, 1)，与 (64, 10) 直接广播
    with_keepdim = scores - scores.max(dim=1, keepdim=True).values
    # 写法 2：max 得到 (64,)，再用 unsqueeze(1)（或 [:, None]）补回一维，变成 (64, 1) 的列
    without_keepdim = scores - scores.max(dim=1).values.unsqueeze(1)
    # 常见的错误：直接减 (64,)。广播时靠右对齐，10 对 64，报错
    try:
        scores - scores.max(dim=1).values
        error = None
    except RuntimeError as caught:
        error = str(caught)
    return {"with_keepdim": with_keepdim, "without_keepdim": without_keepdim, "error": error,
            "keepdim_shape": tuple(scores.max(dim=1, keepdim=True).values.shape),
            "plain_shape": tuple(scores.max(dim=1).values.shape)}


def main():
    r = solve()
    print(f"max(dim=1, keepdim=True) 的形状 {r['keepdim_shape']}，max(dim=1) 的形状 {r['plain_shape']}")
    print(f"两种写法结果相同：{torch.equal(r['with_keepdim'], r['without_keepdim'])}；"
          f"每行的最大值都变成 0：{bool((r['with_keepdim'].max(dim=1).values == 0).all())}，"
          f"其余都小于 0：{bool(((r['with_keepdim'] < 0).sum(dim=1) == 9).all())}")
    print(f"直接减去 (64,) 的最大值：RuntimeError：{r['error']}")


if __name__ == "__main__":
    main()
