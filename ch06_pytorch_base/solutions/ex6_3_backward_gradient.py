"""第 6 章练习 3 的参考答案：y = v ** 2 时，y.backward(gradient=torch.ones(3)) 与 y.sum().backward() 相同吗？

与 7_autograd.ipynb 相同：v = [1, 2, 3]。

    python ch06_pytorch_base/solutions/ex6_3_backward_gradient.py
"""
import torch


def gradient_of(backward):
    v = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    backward(v ** 2)
    return v.grad


def solve():
    return {
        "gradient=ones": gradient_of(lambda y: y.backward(gradient=torch.ones(3))),
        "sum().backward()": gradient_of(lambda y: y.sum().backward()),
        "gradient=[1, 0, 10]": gradient_of(lambda y: y.backward(gradient=torch.tensor([1.0, 0.0, 10.0]))),
        "(g * y).sum().backward()": gradient_of(lambda y: (torch.tensor([1.0, 0.0, 10.0]) * y).sum().backward()),
    }


def main():
    r = solve()
    for name, grad in r.items():
        print(f"{name:<26} v.grad = {grad.tolist()}")
    print(f"全 1 的上游梯度与 sum() 相同：{torch.equal(r['gradient=ones'], r['sum().backward()'])}；"
          f"任意上游梯度 g 与 (g * y).sum() 相同：{torch.equal(r['gradient=[1, 0, 10]'], r['(g * y).sum().backward()'])}")


if __name__ == "__main__":
    main()
