"""离线网站（python docs/site/build.py）：建站一次，再用无头 Chromium 逐页打开检查。

浏览器检查每一页：没有控制台错误、没有失败的请求、没有发往别的主机的请求（从 Chrome 开发者工具的网络事件看）；
公式都已排版（页面上看不到 $$、\\frac 之类的原文）；图片都加载了（naturalWidth > 0）；站内链接的目标文件和锚点都存在。
另外检查：中文搜索（反向传播、交叉熵误差、平水韵）找到对应章节；折叠的参考答案点开才显示；代码块有复制按钮；
用 python -m http.server 打开时同样不向外请求。几张截图（有公式的一章、有图的 notebook、搜索结果）保存在
输出目录（DL_OUTPUT_DIR，测试时是临时目录）的 site_screenshots/ 下，供人查看。

需要 Debian 的 chromium 和 chromium-driver（以及显示中文的 fonts-noto-cjk）：
    apt-get install chromium chromium-driver fonts-noto-cjk
没有安装时这些测试跳过并说明原因；在 CI（环境变量 CI=true）里则算失败，因为 .ci/run 会安装它们。
"""
import contextlib
import functools
import html
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from common.chapters import load
from common.paths import REPO_ROOT, output_path, save_json

site_build = load("docs/site/build.py")

CHAPTER_3 = "docs/03_反向传播算法.html"
# 每个搜索词应当找到的页面（正文里的词，不只是标题里的）
SEARCH_EXPECTATIONS = {
    "反向传播": "docs/03_反向传播算法.html",
    "交叉熵误差": "docs/02_神经网络的学习.html",
    "平水韵": "docs/09_循环神经网络.html",
}
NOTEBOOK_WITH_FIGURE = "ch05_optim/training_techniques.html"
PAGE_TIMEOUT = 60  # 秒：一页（含公式排版）最多等这么久；实际每页零点几秒到两三秒
# 页面可见文字里不应出现的公式原文（代码块、<script> 里的不算）
RAW_TEX = re.compile(r"\$\$|\\frac|\\begin\{|\\\(|\\\[|\\mathrm|\\sum_|\$`")


# ---------- 不需要浏览器的快速测试：建站代码里的小函数 ----------

def test_natural_key_orders_numbered_files():
    names = ["10_autograd_vs_backprop.py", "figures.py", "2_tensor_conversion.ipynb", "ex5_10_x.py", "ex5_2_y.py"]
    ordered = sorted(names, key=site_build.natural_key)
    assert ordered == ["2_tensor_conversion.ipynb", "ex5_2_y.py", "ex5_10_x.py", "10_autograd_vs_backprop.py", "figures.py"]


def test_search_words_come_from_the_glossary(tmp_path):
    glossary = tmp_path / "术语表.md"
    glossary.write_text("| 中文 | English |\n| --- | --- |\n| 交叉熵误差 | cross entropy |\n"
                        "| 池化、最大池化 | pooling |\n| 连续（内存） | contiguous |\n| Smooth L1 损失 | x |\n| 轮 | epoch |\n",
                        encoding="utf-8")
    assert site_build.search_words(glossary) == ["交叉熵误差", "最大池化", "池化", "连续"]


def test_sources_are_split_into_pages_code_and_images():
    files = ["README.md", "docs/01_a.md", "docs/images/x.png", "ch04_backward/README.md", "ch04_backward/1_x.py",
             "ch04_backward/nb.ipynb", "common/layers.py", "tests/test_a.py", "data/README.md", "data/x.csv",
             "requirements.txt", ".ci/run"]
    pages, code, assets = site_build.select_sources(files)
    assert pages == ["README.md", "docs/01_a.md", "ch04_backward/README.md", "ch04_backward/nb.ipynb", "data/README.md"]
    assert code == ["ch04_backward/1_x.py", "common/layers.py", "tests/test_a.py", "requirements.txt"]
    assert assets == ["docs/images/x.png"]


# ---------- 浏览器：找 Chromium ----------

def _browser_paths():
    """Debian 的 chromium 与 chromedriver 的路径；缺了哪个就说明怎样安装。"""
    browser = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome") if shutil.which(name)), None)
    driver = shutil.which("chromedriver") or next(
        (p for p in ("/usr/lib/chromium/chromedriver", "/usr/bin/chromedriver") if os.path.isfile(p)), None)
    missing = [name for name, path in (("chromium", browser), ("chromedriver", driver)) if not path]
    return browser, driver, missing


def browser_missing_reason():
    """没有浏览器或 selenium 时返回原因（一句话，说明怎样安装），都在时返回 None。"""
    _, _, missing = _browser_paths()
    if missing:
        return (f"没有找到 {'、'.join(missing)}，跳过网站的浏览器测试。"
                f"安装：apt-get install chromium chromium-driver fonts-noto-cjk（.ci/run 会自动安装）")
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "没有安装 selenium，跳过网站的浏览器测试。安装：python -m pip install -r requirements.txt"
    return None


def skip_or_fail(reason):
    """本机没有浏览器时跳过；但在 CI（CI=true）里必须真的在浏览器里测过，所以算失败。"""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI 中必须运行网站的浏览器测试：{reason}")
    pytest.skip(reason)


def test_missing_browser_skips_locally_but_fails_in_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="chromium"):
        skip_or_fail("没有找到 chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI 中必须运行"):
        skip_or_fail("没有找到 chromium")


# ---------- 建站与浏览器（每个测试会话只建一次） ----------

@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """用 README 里的命令建站（写到临时目录），返回网站目录；有警告时失败并列出警告。

    整个测试会话只建一次：用 pytest -n auto 并行时，各个工作进程共用同一个临时目录里的网站，
    谁先到谁建，其余的等它建完（文件锁）。
    """
    reason = browser_missing_reason()
    if reason:
        skip_or_fail(reason)
    shared = tmp_path_factory.getbasetemp()
    if "PYTEST_XDIST_WORKER" in os.environ:
        shared = shared.parent  # 同一次运行的所有工作进程共用的上一级临时目录
    out = shared / "site"
    with _file_lock(shared / "site.lock"):
        done = shared / "site.built"
        if not done.is_file():
            start = time.perf_counter()
            result = subprocess.run([sys.executable, str(REPO_ROOT / "docs" / "site" / "build.py"), "--output", str(out)],
                                    capture_output=True, text=True, encoding="utf-8", cwd=REPO_ROOT)
            seconds = time.perf_counter() - start
            assert result.returncode == 0, (f"建站失败（{seconds:.0f} 秒）：\n{result.stdout[-3000:]}\n"
                                            f"{result.stderr[-6000:]}")
            done.write_text(f"{seconds:.0f} 秒：{result.stdout.strip()}", encoding="utf-8")
    print(f"建站用时 {done.read_text(encoding='utf-8')}")
    return out


@contextlib.contextmanager
def _file_lock(path):
    """进程间的互斥锁（POSIX 的 fcntl）；没有 fcntl 的系统（Windows）上不加锁，最坏是各个工作进程各建一次。"""
    try:
        import fcntl
    except ImportError:
        yield
        return
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="module")
def browser(site):
    """无头 Chromium（Selenium 驱动），打开浏览器控制台日志和网络事件日志。"""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # 不让 Selenium 联网找浏览器驱动
    binary, driver_path, _ = _browser_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,900", "--lang=zh-CN", "--hide-scrollbars",
                     # 不让浏览器自己在后台联网（更新、翻译、安全浏览），网络日志里只有页面发出的请求
                     "--disable-background-networking", "--disable-component-update", "--no-first-run",
                     "--disable-features=Translate,OptimizationHints,MediaRouter"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    driver.set_script_timeout(PAGE_TIMEOUT)
    driver.set_page_load_timeout(PAGE_TIMEOUT)
    yield driver
    driver.quit()


# 等页面的公式排版完：页面有公式时等 MathJax 3 的启动排版（startup.promise）结束
WAIT_FOR_MATH = """
const done = arguments[arguments.length - 1];
const started = Date.now();
function check() {
  if (!document.querySelector('.math')) { done('none'); return; }
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    MathJax.startup.promise.then(() => done('typeset'), (error) => done('MathJax 出错：' + error));
  } else if (Date.now() - started > 30000) { done('MathJax 没有加载'); }
  else { setTimeout(check, 50); }
}
check();
"""

# 一页的检查数据：公式、图片、链接、可见文字里残留的公式原文
PAGE_FACTS = """
const untypeset = Array.from(document.querySelectorAll('.math')).filter(m => !m.querySelector('mjx-container'))
  .map(m => m.textContent.slice(0, 80));
const images = Array.from(document.images).map(i => ({src: i.src, ok: i.complete && i.naturalWidth > 0}));
const links = Array.from(document.querySelectorAll('a[href]')).map(a => a.href);
const clone = document.body.cloneNode(true);
clone.querySelectorAll('script, style, pre, code, mjx-assistive-mml, .highlight, noscript').forEach(e => e.remove());
return {
  formulas: document.querySelectorAll('mjx-container').length,
  mathErrors: document.querySelectorAll('mjx-merror, [data-mjx-error]').length,
  untypeset: untypeset,
  images: images,
  links: links,
  text: clone.textContent,
  copyButtons: document.querySelectorAll('button.copybtn').length,
  codeBlocks: document.querySelectorAll('div.highlight pre').length,
  title: document.title,
};
"""


def drain_logs(driver):
    """取出（并清空）浏览器的控制台日志和网络事件：返回 (控制台错误, 请求的 URL, 失败的请求)。"""
    errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    requests, failures = [], []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message["method"] == "Network.requestWillBeSent":
            requests.append(params["request"]["url"])
        elif message["method"] == "Network.loadingFailed" and not params.get("canceled"):
            failures.append(f"{params.get('errorText')}（请求 {params.get('requestId')}）")
        elif message["method"] == "Network.responseReceived" and params["response"].get("status", 200) >= 400:
            failures.append(f"HTTP {params['response']['status']}：{params['response']['url']}")
    return errors, requests, failures


def open_page(driver, url):
    """打开一页并等公式排版完，返回 (排版状态, 页面检查数据, 控制台错误, 请求, 失败的请求)。"""
    drain_logs(driver)  # 丢掉上一页留下的日志
    driver.get(url)
    math_state = driver.execute_async_script(WAIT_FOR_MATH)
    facts = driver.execute_script(PAGE_FACTS)
    return (math_state, facts) + drain_logs(driver)


def site_pages(site):
    """网站的全部 HTML 页面（相对路径），不含主题和下载文件夹里的文件。"""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if not p.relative_to(site).parts[0].startswith("_"))


def local_path(site, url):
    """file:// 或本地 http 的站内 URL 对应的文件路径。"""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if parts.scheme == "file":
        return Path(path)
    return site / path.lstrip("/")


@functools.lru_cache(maxsize=None)
def element_ids(path):
    """一个 HTML 文件里所有元素的 id（检查链接的锚点）。"""
    text = Path(path).read_text(encoding="utf-8")
    return {html.unescape(value) for value in re.findall(r'\bid="([^"]+)"', text)}


def save_screenshot(driver, name):
    path = output_path(f"site_screenshots/{name}.png")
    driver.save_screenshot(str(path))
    return path


@pytest.mark.slow(seconds=180)  # 建站约 45 秒 + 逐页检查约 130 秒
def test_every_page_in_headless_chromium(site, browser):
    """逐页打开（file://），汇总所有问题后一起报告。"""
    pages = site_pages(site)
    assert len(pages) > 150, f"网站只有 {len(pages)} 页，应当包括全部章节、notebook 和源代码页"
    problems, total_formulas, pages_with_math = [], 0, 0
    for page in pages:
        math_state, facts, errors, requests, failures = open_page(browser, (site / page).as_uri())
        where = f"{page}："
        if math_state not in ("none", "typeset"):
            problems.append(where + f"公式没有排版（{math_state}）")
        if math_state == "typeset":
            pages_with_math += 1
        total_formulas += facts["formulas"]
        if facts["untypeset"] or facts["mathErrors"]:
            problems.append(where + f"有未排版或出错的公式 {facts['untypeset'][:3]}，错误 {facts['mathErrors']} 处")
        raw = sorted(set(RAW_TEX.findall(facts["text"])))
        if raw:
            problems.append(where + f"可见文字里有公式原文 {raw}")
        problems += [where + f"控制台错误：{e}" for e in errors]
        problems += [where + f"请求失败：{f}" for f in failures]
        problems += [where + f"请求了别的主机：{u}" for u in requests if urlsplit(u).scheme not in ("file", "data", "blob")]
        problems += [where + f"图片没有加载：{i['src']}" for i in facts["images"] if not i["ok"]]
        if facts["codeBlocks"] and facts["copyButtons"] < facts["codeBlocks"]:
            problems.append(where + f"{facts['codeBlocks']} 个代码块只有 {facts['copyButtons']} 个复制按钮")
        for link in facts["links"]:
            if urlsplit(link).scheme != "file":
                continue  # 指向别的网站的链接：点了才会访问，打开页面时不请求
            target = local_path(site, link)
            anchor = unquote(urlsplit(link).fragment)
            if not target.is_file():
                problems.append(where + f"链接的目标不存在：{link}")
            elif anchor and target.suffix == ".html" and anchor not in element_ids(target):
                problems.append(where + f"链接的锚点不存在：{link}")
    print(f"浏览器检查了 {len(pages)} 页；{pages_with_math} 页有公式，共排版 {total_formulas} 个公式")
    save_json("site_screenshots/browser_check.json",
              {"pages": len(pages), "pages_with_math": pages_with_math, "formulas_typeset": total_formulas})
    assert not problems, f"{len(problems)} 个问题：\n" + "\n".join(problems[:60])
    assert total_formulas > 500, f"全站只排版了 {total_formulas} 个公式，公式可能没有被识别出来"


def search_results(driver, url, timeout=PAGE_TIMEOUT):
    """打开搜索页，等搜索结束（结果摘要行出现文字），返回结果链接（完整 URL，按名次）。"""
    drain_logs(driver)  # 丢掉上一页留下的日志
    driver.get(url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        links = driver.execute_script(
            "const summary = document.querySelector('#search-results .search-summary');"
            "if (!summary || !summary.textContent.trim()) return null;"
            "return Array.from(document.querySelectorAll('#search-results ul.search li > a')).map(a => a.href);")
        if links is not None:
            return links
        time.sleep(0.2)
    raise AssertionError(f"{timeout} 秒内搜索没有结束：{url}")


def site_relative(site, links):
    return [local_path(site, link).relative_to(site).as_posix() for link in links]


@pytest.mark.slow
def test_chinese_search_finds_chapter_words(site, browser):
    """jieba 分词的索引：正文里的中文词能搜到对应的章节，“反向传播”的前几个结果里有第 3 章。"""
    found = {}
    for word, expected in SEARCH_EXPECTATIONS.items():
        pages = site_relative(site, search_results(browser, (site / "search.html").as_uri() + f"?q={word}"))
        found[word] = pages[:5]
        assert expected in pages[:3], f"搜索“{word}”的前 3 个结果里应当有 {expected}，实际结果：{pages[:10]}"
        if word == "反向传播":
            assert pages[0] == CHAPTER_3, f"搜索“反向传播”的第一个结果应当是第 3 章，实际：{pages[:5]}"
            save_screenshot(browser, "search_反向传播")
        errors, requests, failures = drain_logs(browser)
        assert not errors and not failures, f"搜索“{word}”时出错：{errors} {failures}"
    print(f"搜索结果（前 5 个）：{found}")
    save_json("site_screenshots/search_results.json", found)


@pytest.mark.slow
def test_folded_answers_open_on_click_and_screenshots(site, browser):
    """参考答案默认折叠，点“参考答案”才展开；顺便保存有公式的一章和有图的 notebook 的截图。"""
    from selenium.webdriver.common.by import By

    open_page(browser, (site / CHAPTER_3).as_uri())
    details = browser.find_elements(By.CSS_SELECTOR, "details")
    assert details, "第 3 章应当有折叠的参考答案"
    assert not any(d.get_attribute("open") for d in details), "参考答案应当默认折叠"
    assert all(d.find_element(By.TAG_NAME, "summary").text == "参考答案" for d in details)
    first = details[0]
    answer = first.find_element(By.CSS_SELECTOR, "p")
    visible = "return arguments[0].checkVisibility();"  # 折叠的 <details> 里的内容不显示
    assert not browser.execute_script(visible, answer), "折叠时答案不应显示"
    # 先截一张正文有公式的截图：滚到第一个行间公式
    browser.execute_script("document.querySelector('div.math').scrollIntoView({block: 'center'});")
    save_screenshot(browser, "chapter3_math")
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'});", first)
    first.find_element(By.TAG_NAME, "summary").click()
    assert first.get_attribute("open") is not None, "点“参考答案”后应当展开"
    assert browser.execute_script(visible, answer), "展开后答案应当显示出来"
    save_screenshot(browser, "chapter3_answer_open")

    _, facts, errors, _, _ = open_page(browser, (site / NOTEBOOK_WITH_FIGURE).as_uri())
    assert any(i["ok"] for i in facts["images"]) and not errors
    browser.execute_script("document.querySelector('.cell_output img').scrollIntoView({block: 'center'});")
    save_screenshot(browser, "notebook_figure")
    print(f"截图保存在 {output_path('site_screenshots')}")


@pytest.mark.slow
def test_site_over_http_server_stays_on_localhost(site, browser):
    """用 python -m http.server 的方式打开网站：只请求本机这个服务，搜索结果的摘要也能取到。"""
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        for page in ("index.html", CHAPTER_3, NOTEBOOK_WITH_FIGURE):
            math_state, facts, errors, requests, failures = open_page(browser, f"{origin}/{page}")
            assert math_state in ("none", "typeset"), f"{page}：{math_state}"
            assert not errors and not failures, f"{page}：{errors} {failures}"
            outside = [u for u in requests if not u.startswith(origin + "/") and urlsplit(u).scheme not in ("data", "blob")]
            assert not outside, f"{page} 请求了别的主机：{outside}"
        pages = [unquote(urlsplit(link).path).lstrip("/") for link in
                 search_results(browser, f"{origin}/search.html?q=反向传播")]
        assert pages[:1] == [CHAPTER_3], f"通过 http 搜索“反向传播”，第一个结果应当是第 3 章：{pages[:10]}"
        time.sleep(1)  # 摘要是逐条取回的
        summaries = browser.execute_script(
            "return Array.from(document.querySelectorAll('#search-results ul.search li p.context')).length;")
        assert summaries > 0, "通过 http 打开时，搜索结果应当带正文摘要"
        errors, requests, failures = drain_logs(browser)
        assert not errors and not failures, f"{errors} {failures}"
    finally:
        server.shutdown()
        server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """不在测试输出里打印每个请求的 http.server。"""

    def log_message(self, format, *args):
        pass
