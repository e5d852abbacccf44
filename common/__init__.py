"""深度学习入门教程的公共库，前后两半都用。

NumPy 章节（第 1～4 章）用 functions、gradient、layers、optimizer、multi_layer_net、trainer、util；
两半共用 load_data（数据集）、seed、quick、plotting、paths、divergence（训练发散的检测）；
PyTorch 章节（第 5～9 章）另用 device（选择设备）、checkpoint（保存与读取模型）、cli（命令行参数的检查）。
只有 device 和 checkpoint 用到 torch，而且在函数内部才导入：NumPy 章节 import common 时不会加载它。
"""
