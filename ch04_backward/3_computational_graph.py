"""计算图（computational graph）上的正向传播与反向传播：买苹果和橘子的例子。

    python ch04_backward/3_computational_graph.py

每个节点是一个层（common/layers.py 的 MulLayer、AddLayer）：
正向传播从左到右算出金额；反向传播从右到左，把"金额对自己的导数" 1 依次乘以各节点的局部导数，
得到金额对每个输入（单价、个数、消费税）的导数——这正是神经网络求梯度的方法。
"""
from common.cli import run
from common.layers import AddLayer, MulLayer

# ---------------------------------------------------------------- 例 1：买 2 个苹果
APPLE_PRICE = 100  # 苹果单价（日元）
APPLE_NUM = 2
TAX = 1.1  # 消费税 10%


def main():
    mul_apple_layer = MulLayer()  # 苹果单价 × 个数
    mul_tax_layer = MulLayer()  # 金额 × 消费税

    # 正向传播
    apple_total = mul_apple_layer.forward(APPLE_PRICE, APPLE_NUM)
    price = mul_tax_layer.forward(apple_total, TAX)

    # 反向传播：顺序与正向相反；起点是 d(金额)/d(金额) = 1
    dprice = 1
    dapple_total, dtax = mul_tax_layer.backward(dprice)
    dapple_price, dapple_num = mul_apple_layer.backward(dapple_total)

    print("例 1：买 2 个 100 日元的苹果，消费税 10%")
    print(f"  正向传播：支付金额 = {APPLE_PRICE} × {APPLE_NUM} × {TAX} = {price:g}")
    print(f"  反向传播：d金额/d苹果单价 = {dapple_price:g}（单价涨 1 日元，金额多付 {dapple_price:g} 日元）")
    print(f"            d金额/d苹果个数 = {dapple_num:g}，d金额/d消费税 = {dtax:g}")

    # ---------------------------------------------------------------- 例 2：买 2 个苹果和 3 个橘子
    ORANGE_PRICE = 150
    ORANGE_NUM = 3

    mul_apple_layer = MulLayer()  # 苹果单价 × 个数
    mul_orange_layer = MulLayer()  # 橘子单价 × 个数
    add_apple_orange_layer = AddLayer()  # 苹果金额 + 橘子金额
    mul_tax_layer = MulLayer()  # 合计 × 消费税

    # 正向传播
    apple_total = mul_apple_layer.forward(APPLE_PRICE, APPLE_NUM)
    orange_total = mul_orange_layer.forward(ORANGE_PRICE, ORANGE_NUM)
    all_total = add_apple_orange_layer.forward(apple_total, orange_total)
    price = mul_tax_layer.forward(all_total, TAX)

    # 反向传播：乘法节点把上游梯度乘以"另一个"输入，加法节点原样向两边传
    dprice = 1
    dall_total, dtax = mul_tax_layer.backward(dprice)
    dapple_total, dorange_total = add_apple_orange_layer.backward(dall_total)
    dorange_price, dorange_num = mul_orange_layer.backward(dorange_total)
    dapple_price, dapple_num = mul_apple_layer.backward(dapple_total)

    print("例 2：再加 3 个 150 日元的橘子")
    print(f"  正向传播：支付金额 = ({APPLE_PRICE} × {APPLE_NUM} + {ORANGE_PRICE} × {ORANGE_NUM}) × {TAX} = {price:g}")
    print("  反向传播（金额对每个量的导数）：")
    print(f"    苹果单价 {dapple_price:g}，苹果个数 {dapple_num:g}")
    print(f"    橘子单价 {dorange_price:g}，橘子个数 {dorange_num:g}")
    print(f"    苹果小计 {dapple_total:g}，橘子小计 {dorange_total:g}，合计 {dall_total:g}，消费税 {dtax:g}")


if __name__ == "__main__":
    run(main)
