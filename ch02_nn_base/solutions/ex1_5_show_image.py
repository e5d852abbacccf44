"""第 1 章练习 5 的参考答案：读出一张 MNIST 测试图像，画出来，与它的标签对照。

运行：python ch02_nn_base/solutions/ex1_5_show_image.py   （图保存在 output/ch02_nn_base/solutions/ 下）
"""
from common.load_data import get_data
from common.plotting import plt, save_figure, show

INDEX = 0  # 第几张测试图像


def solve():
    # flatten=False：图像保持 (N, 1, 28, 28) 的形状，不用自己 reshape；只读 10 张测试图像就够了
    _, x_test, _, t_test = get_data("mnist", flatten=False, n_train=1, n_test=10)
    return {"shape": x_test.shape, "image": x_test[INDEX, 0], "label": int(t_test[INDEX])}


def main():
    results = solve()
    print(f"测试图像的形状 {results['shape']}；第 {INDEX} 张的标签是 {results['label']}，"
          f"像素值在 {results['image'].min():.1f}～{results['image'].max():.1f} 之间")
    fig, ax = plt.subplots(figsize=(3, 3))
    ax.imshow(results["image"], cmap="gray")  # (28, 28)：去掉通道那一维才能画
    ax.set_title(f"标签：{results['label']}")
    ax.axis("off")
    save_figure(fig, "ch02_nn_base/solutions/ex1_5_mnist_image.png")
    show()


if __name__ == "__main__":
    main()
