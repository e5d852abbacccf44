// 本教程网站的小脚本（由 docs/site/conf.py 加到每一页）。

// 从磁盘直接打开网站（file://）时，浏览器不允许脚本读取别的本地文件，搜索页就无法为每个结果取正文摘要；
// 这时只列出结果的标题，不去取摘要（否则控制台会报错）。用 python -m http.server 打开时照常显示摘要。
if (location.protocol === "file:" && typeof DOCUMENTATION_OPTIONS !== "undefined") {
  DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false;
}
