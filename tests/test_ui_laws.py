"""Issue 10, item 5 in a real browser: the 法规 search box finds 18条 / 十万 / 自动续费提前几天 and marks the hit."""

import pytest

from browser_checks import shot

pytest.importorskip("playwright", reason="playwright is in the `test` extra")
from playwright.sync_api import expect  # noqa: E402

pytest_plugins = ["live_server"]  # the server, browser and page fixtures


@pytest.fixture
def page(page_at_width):  # live_server.py: a page at 1280 px and at 375 px
    return page_at_width


def search(page, query: str):
    box = page.get_by_label("搜索条文")
    box.fill(query)
    box.press("Enter")
    expect(page.locator("#law-browser .meta[role=status]")).to_contain_text(f"搜索“{query}”")


def test_law_search(server, page):
    page.goto(server + "/")
    page.get_by_role("tab", name="法规").click()

    search(page, "18条")
    first = page.locator("#law-browser details.article").first
    expect(first).to_have_attribute("id", "measures-18")
    expect(first).to_have_attribute("open", "")
    expect(first.locator(".how")).to_contain_text("条号")
    expect(page.locator("#law-browser details.article")).to_have_count(1)

    search(page, "第十八条")
    expect(page.locator("#law-browser details.article").first).to_have_attribute("id", "measures-18")

    search(page, "十万")
    first = page.locator("#law-browser details.article").first
    expect(first).to_have_attribute("id", "measures-8")
    expect(first.locator("mark").first).to_have_text("10万")
    shot(page, f"issue10-5-law-search-amount-{page.width}.png", full_page=False)

    search(page, "自动续费提前几天")
    first = page.locator("#law-browser details.article").first
    expect(first).to_have_attribute("id", "measures-18")
    expect(first.locator(".how")).to_contain_text("内容相关")
    expect(first.locator(".original mark").first).to_have_text("自动续费")
    first.scroll_into_view_if_needed()
    shot(page, f"issue10-5-law-search-meaning-{page.width}.png")

    search(page, "红烧肉怎么做")
    expect(page.locator("#law-browser")).to_contain_text("没有找到匹配的内容")
    expect(page.locator("#law-browser")).to_contain_text("18条")

    page.get_by_label("搜索条文").fill("")  # clearing the box shows the whole law again
    expect(page.locator("#law-browser .meta").first).to_contain_text("共 ")


def test_law_search_in_the_2025_changes(server, page):
    page.goto(server + "/")
    page.get_by_role("tab", name="法规").click()
    page.get_by_label("2025年修正").check()
    search(page, "五日")
    first = page.locator("#law-browser details.article").first
    expect(first).to_have_attribute("id", "measures-18")
    expect(first.locator(".amendment mark").first).to_have_text("五日")
