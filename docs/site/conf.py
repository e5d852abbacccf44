"""把整本教程建成离线网站的 Sphinx 配置（由 docs/site/build.py 使用，不要直接对仓库运行 sphinx-build）。

build.py 先在输出目录旁的临时工作目录里按仓库的目录结构摆好要建的文件（文档、notebook 用链接，
源代码页和文件夹目录页是生成的小页面），再用本配置建站。所有 JS、字体、公式引擎和搜索索引都来自
已安装的 pip 包，建好的网站打开时不向任何别的主机发请求。
"""
import importlib.util
from pathlib import Path

SITE_DIR = Path(__file__).resolve().parent

project = "深度学习入门教程"
author = "本教程作者"
copyright = "本教程作者"
language = "zh_CN"
root_doc = "index"

extensions = [
    "myst_nb",  # Markdown（MyST）与 notebook：notebook 只显示保存的输出，建站时不重新运行
    "sphinx.ext.mathjax",
    "sphinx_copybutton",
]  # 本网站自己的扩展 book_site.py 在文件末尾的 setup() 里加载

# ---- Markdown 与 notebook ----
myst_enable_extensions = ["dollarmath", "html_image"]
myst_heading_anchors = 6  # 与 GitHub 一样给每级标题生成锚点，文档里的 README.md#安装 这类链接才能跳转
myst_fence_as_directive = ["math"]  # GitHub 的 ```math 代码块按公式排版
nb_execution_mode = "off"  # notebook 显示仓库里保存的输出，不重新执行
nb_ipywidgets_js = {}  # 不加载 ipywidgets 的 JS（它来自 CDN）；进度条显示为保存的文字输出
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
nb_merge_streams = True

source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = []
suppress_warnings = ["myst.header"]  # 章节 README 从二级标题开始的小节，不影响显示

# ---- 公式：MathJax 3 来自 pip 包 sphinx-mathjax-offline，建站结束时复制进 _static/mathjax ----
# SVG 输出：字形画成 SVG 路径，不用下载字体，从磁盘打开（file://）也没有跨域限制
mathjax_path = "mathjax/tex-svg.js"
# MyST 会在这份设置里加上只排版公式元素的选项（正文里偶然出现的 $ 或 \( 不会被当成公式）
mathjax3_config = {"svg": {"fontCache": "global"}}

# ---- 主题 ----
html_theme = "sphinx_book_theme"
html_title = "深度学习入门教程"
html_favicon = "static/favicon.svg"
html_context = {"default_mode": "light"}  # 浅色；读者可以在页面右上角切换深色
html_theme_options = {
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "collapse_navbar": True,  # 左侧导航只展开当前所在的一章：网站有两百多页，全部展开时每页都要生成整棵目录树，建站慢一倍以上
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": True,
    "navigation_with_keys": False,
}
html_static_path = [str(SITE_DIR / "static")]
html_css_files = ["book_site.css"]
html_js_files = ["book_site.js"]
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None

# ---- 中文全文搜索：jieba 分词（build.py 用术语表生成用户词典，通过 html_search_options 传入） ----
html_search_language = "zh"
html_search_scorer = str(SITE_DIR / "static" / "search_scorer.js")  # 标题含搜索词的页面、理论章节排在前面（说明见该文件）

# ---- 代码块的复制按钮：不复制提示符和输出 ----
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True


def setup(app):
    """加载同一文件夹里的扩展 book_site.py：GitHub 写法的链接和公式、按章节的目录树、离线的 MathJax。"""
    spec = importlib.util.spec_from_file_location("book_site", SITE_DIR / "book_site.py")
    book_site = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(book_site)
    return book_site.setup(app)
