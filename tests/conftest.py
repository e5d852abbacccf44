"""pytest 的公共设置。"""
import os

# 测试中从不弹出窗口
os.environ.setdefault("MPLBACKEND", "Agg")
