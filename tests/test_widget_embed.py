"""Issue 10, item 6 in a real browser, as an integrator sees the widget: Escape closes it from inside the iframe,
data-color themes all of it with readable contrast, a page on an origin that is not allowed gets a clear notice
(and the console names the setting), and the questionnaire selector names the questionnaire on screen."""

import functools
import http.server
import threading

import pytest

from browser_checks import WIDTHS, free_port, offline_context, shot, start_server
from test_api import make_live

pytest.importorskip("playwright", reason="playwright is in the `test` extra")
from playwright.sync_api import expect  # noqa: E402

pytest_plugins = ["live_server"]  # the server, browser and page fixtures
HOST_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>示例卖家中心（另一个来源）</title></head>
<body><main><h1>示例卖家中心</h1><p>这个页面在另一个来源上，通过 embed.js 嵌入合规助手。</p></main>
<script src="{server}/embed.js" data-title="合规助手" data-color="{color}" async></script></body></html>"""

CONTRAST_JS = """([fg, bg]) => {
  const rgb = (s) => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => {
    const l = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
  };
  const a = lum(rgb(fg)), b = lum(rgb(bg));
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


@pytest.fixture(scope="module")
def host_pages(tmp_path_factory):
    """A static server on another origin (http://localhost:<port>) for host pages that embed the widget."""
    folder = tmp_path_factory.mktemp("host")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()

    def publish(name: str, server_url: str, color: str = "#1d4ed8") -> str:
        (folder / name).write_text(HOST_PAGE.format(server=server_url, color=color), encoding="utf-8")
        return f"http://localhost:{httpd.server_address[1]}/{name}"

    yield publish
    httpd.shutdown()


@pytest.fixture(scope="module")
def strict_server(server_settings, kb):
    """The same assistant, allowing only http://127.0.0.1 (so a page on http://localhost is not allowed)."""
    settings = server_settings.replace(allowed_origins="http://127.0.0.1")
    url, instance, thread = start_server(settings, make_live(settings, kb))
    yield url
    instance.should_exit = True
    thread.join(30)


def widget_frame(page):
    """The widget's Frame (for evaluate), once its page has loaded."""
    handle = page.wait_for_selector("iframe.wjz-frame")
    frame = handle.content_frame()
    frame.wait_for_selector("#question")
    return frame


def colors(frame, selector: str) -> dict:
    return frame.locator(selector).first.evaluate(
        "el => { const s = getComputedStyle(el); return {fg: s.color, bg: s.backgroundColor, border: s.borderColor,"
        " underline: s.borderBottomColor}; }")


def test_escape_closes_the_panel_from_inside_the_widget(server, page):
    page.goto(server + "/widget/demo")
    button = page.get_by_role("button", name="合规助手")
    button.click()
    panel = page.get_by_role("dialog", name="合规助手")
    expect(panel).to_be_visible()
    widget = page.frame_locator("iframe.wjz-frame")
    widget.locator("#question").click()  # focus is inside the iframe now
    widget.locator("#question").press("Escape")
    expect(panel).to_be_hidden()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_be_focused()
    button.click()
    expect(panel).to_be_visible()
    page.keyboard.press("Escape")  # and from the host page, as before
    expect(panel).to_be_hidden()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("color", ["#c8102e", "gold"])
def test_data_color_themes_the_whole_widget_readably(server, browser, host_pages, color, width):
    context = offline_context(browser, width=width)
    page = context.new_page()
    page.goto(host_pages(f"theme-{color.strip('#')}.html", server, color))
    page.get_by_role("button", name="合规助手").click()
    frame = widget_frame(page)
    frame.locator("#question").fill("直播带货要展示哪些信息？")
    frame.locator("#question").press("Enter")
    expect(frame.locator("details.cite").first).to_be_visible()
    accent = frame.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--wj-accent').trim()")
    assert accent.startswith("rgb("), f"?accent= did not set the theme: {accent!r}"
    send, tab, chip, bar = (colors(frame, "#send"), colors(frame, "#tab-chat"), colors(frame, "details.cite"),
                            colors(page, ".wjz-bar"))
    assert send["bg"] == accent, send  # buttons, the selected tab and the user's bubbles share the accent
    assert tab["underline"] == accent, tab
    assert colors(frame, ".msg.user")["bg"] == accent
    for fg, bg, what in [(send["fg"], send["bg"], "button text"), (tab["fg"], "rgb(255, 255, 255)", "selected tab"),
                         (chip["fg"], chip["bg"], "citation chip"), (bar["fg"], bar["bg"], "panel header")]:
        ratio = page.evaluate(CONTRAST_JS, [fg, bg])
        assert ratio >= 4.5, f"{what} with data-color={color}: {fg} on {bg} is {ratio:.2f}:1"
    frame.get_by_role("tab", name="自查").click()
    frame.locator("#questionnaire").select_option("registration")
    assert colors(frame, "#next")["bg"] == accent
    shot(page, f"issue10-6-widget-theme-{color.strip('#')}-{width}.png", full_page=False)
    context.close()
    assert not context.external, context.external


@pytest.mark.parametrize("width", WIDTHS)
def test_origin_not_allowed_gets_a_clear_notice(strict_server, browser, host_pages, width):
    context = offline_context(browser, width=width)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    host = host_pages("blocked.html", strict_server)
    page.goto(host)
    page.get_by_role("button", name="合规助手").click()
    notice = page.get_by_role("alert")
    expect(notice).to_contain_text("合规助手无法在本页面显示")
    expect(notice).to_contain_text(host.rsplit("/", 1)[0])
    expect(notice).to_contain_text("allowed_origins")
    expect(page.locator("iframe.wjz-frame")).to_have_count(0)
    assert any("allowed_origins" in e and "localhost" in e for e in errors), errors
    shot(page, f"issue10-6-widget-origin-not-allowed-{width}.png", full_page=False)
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_selector_names_the_questionnaire_on_screen(server, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(server + "/widget/demo")
    page.locator("#check-registration").click()  # the host hands over its turnover and opens the questionnaire
    widget = page.frame_locator("iframe.wjz-frame")
    select = widget.locator("#questionnaire")
    expect(select).to_have_value("registration")
    for label in ("个人，尚未办理市场主体登记", "其他商品或者服务", "依法无须取得许可"):
        widget.get_by_text(label, exact=True).click()
        widget.locator("#next").click()
    expect(widget.locator(".card")).to_contain_text("可以不办理市场主体登记")
    expect(select).to_have_value("registration")
    assert select.evaluate("s => s.options[s.selectedIndex].text") == "我需要办理市场主体登记吗？"
    expect(widget.locator(".answered-box")).to_contain_text("60,000 元（不超过10万元）（由店铺后台提供）")
    shot(page, f"issue10-6-widget-selector-{width}.png", full_page=False)
