"""第 3 章练习 1 的参考答案：消费税 1.08、苹果 5 个时买水果例子的各个导数。

运行：python ch04_backward/solutions/ex3_1_fruit_tax.py
"""
from common.layers import AddLayer, MulLayer


def solve():
    apple_price, apple_num = 100, 5
    orange_price, orange_num = 150, 3
    tax = 1.08

    mul_apple, mul_orange = MulLayer(), MulLayer()
    add_fruit, mul_tax = AddLayer(), MulLayer()
    apple_total = mul_apple.forward(apple_price, apple_num)      # 500
    orange_total = mul_orange.forward(orange_price, orange_num)  # 450
    fruit_total = add_fruit.forward(apple_total, orange_total)   # 950
    price = mul_tax.forward(fruit_total, tax)                    # 1026

    dfruit_total, dtax = mul_tax.backward(1)
    dapple_total, dorange_total = add_fruit.backward(dfruit_total)
    dapple_price, dapple_num = mul_apple.backward(dapple_total)
    dorange_price, dorange_num = mul_orange.backward(dorange_total)
    return {"price": price, "apple_price": dapple_price, "apple_num": dapple_num,
            "orange_price": dorange_price, "orange_num": dorange_num, "tax": dtax}


def main():
    results = solve()
    print(f"支付金额：{results['price']:.2f}")
    print(f"对苹果单价 {results['apple_price']:.2f}，对苹果个数 {results['apple_num']:.2f}，"
          f"对橘子单价 {results['orange_price']:.2f}，对橘子个数 {results['orange_num']:.2f}，对消费税 {results['tax']:.2f}")


if __name__ == "__main__":
    main()
