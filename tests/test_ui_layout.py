"""Issue 10, item 3 in a real browser: after an answer a phone shows the start of it (not the disclaimer), the
bubble uses the screen's width, nothing covers the text, and the page keeps one layout on every tab."""

import pytest

from browser_checks import shot

pytest.importorskip("playwright", reason="playwright is in the `test` extra")
from playwright.sync_api import expect  # noqa: E402

pytest_plugins = ["live_server"]  # the server, browser and page fixtures
GEOMETRY_JS = """() => {
  const rows = document.querySelectorAll('#chat .message-row.bot-row');
  const row = rows[rows.length - 1];
  const bubble = row.querySelector('.message');
  const box = document.querySelector('#chat .bubble-wrap');
  const r = row.getBoundingClientRect(), b = box.getBoundingClientRect();
  return {rowTop: r.top, boxTop: b.top, boxBottom: b.bottom, bubble: bubble.getBoundingClientRect().width,
          page: document.documentElement.clientWidth, innerHeight: innerHeight};
}"""


@pytest.fixture
def page(page_at_width):  # live_server.py: a page at 1280 px and at 375 px
    return page_at_width


def ask(page, text: str, expected_bots: int):
    box = page.get_by_label("您的问题")
    box.fill(text)
    box.press("Enter")
    expect(page.locator("#chat .message-row.bot-row")).to_have_count(expected_bots)
    page.wait_for_function("""(n) => { const rows = document.querySelectorAll('#chat .message-row.bot-row');
      const box = document.querySelector('#chat .bubble-wrap');
      const gap = rows.length && rows[rows.length - 1].getBoundingClientRect().top - box.getBoundingClientRect().top;
      return rows.length === n && Math.abs(gap) < 120;
    }""", arg=expected_bots)


def assert_answer_start_visible(page):
    g = page.evaluate(GEOMETRY_JS)
    # The answer's first line is at the top of the conversation box, and the box's top is on screen.
    assert g["boxTop"] - 1 <= g["rowTop"] <= g["boxTop"] + 100, g
    assert 0 <= g["rowTop"] < g["innerHeight"] * 0.6, g
    if g["page"] < 600:
        assert g["bubble"] >= g["page"] * 0.85, f"the answer bubble is narrow on a phone: {g}"


def test_answer_opens_at_its_start(server, page):
    page.goto(server + "/")
    ask(page, "我在朋友圈卖蛋糕要办营业执照吗？", 1)
    assert_answer_start_visible(page)
    first_answer = page.locator("#chat .message-row.bot-row").first
    expect(first_answer).to_contain_text("《电子商务法》第十条列出了个人不需要登记的情形")
    # The component label never covers the text (it used to float over the first line).
    expect(page.locator("#chat [data-testid='block-label']")).to_have_count(0)
    shot(page, f"issue10-3-chat-answer-start-{page.width}.png", full_page=False)
    page.locator(".quick-reply", has_text="其他商品或者服务").click()
    expect(page.locator("#chat .message-row.bot-row")).to_have_count(2)
    page.wait_for_timeout(300)
    assert_answer_start_visible(page)
    shot(page, f"issue10-3-chat-second-answer-{page.width}.png", full_page=False)


def test_one_layout_on_every_tab(server, page):
    page.goto(server + "/")
    edges = {}
    for tab in ("咨询", "自查", "法规"):
        page.get_by_role("tab", name=tab).click()
        page.wait_for_timeout(200)
        edges[tab] = page.evaluate("""() => { const h = document.querySelector('#header').getBoundingClientRect();
          const t = document.querySelector('#tabs').getBoundingClientRect();
          return [Math.round(h.left), Math.round(t.left), Math.round(t.width),
                  document.documentElement.scrollWidth]; }""")
    assert len(set(map(tuple, edges.values()))) == 1, f"the page moves between tabs: {edges}"
    left, _, width, scroll = edges["咨询"]
    assert scroll <= page.width, f"horizontal scrolling: {edges}"
    if page.width < 600:
        assert left <= 12 and width >= page.width - 24, f"phones should use the screen's width: {edges}"
    else:
        assert width >= 1000, edges
    shot(page, f"issue10-3-laws-tab-{page.width}.png", full_page=False)
