"""Issue 10, item 8: axe-core (pinned in tests/axe/package.json, installed by `npm ci --prefix tests/axe`) finds no
serious or critical accessibility problem on `/`, `/widget` and `/widget/demo`, at desktop and phone widths, both
as the page opens and with content on it (an answer with citation chips, a questionnaire, the open widget)."""

import os

import pytest

from browser_checks import AXE, describe, run_axe, shot

pytest.importorskip("playwright", reason="playwright is in the `test` extra")
from playwright.sync_api import expect  # noqa: E402

pytest_plugins = ["live_server"]  # the server, browser and page fixtures


@pytest.fixture(autouse=True)
def axe_installed():
    """axe-core must be there in CI (CI=true, .ci/run installs it); on a developer's machine its absence skips."""
    if not AXE.exists():
        message = f"axe-core is not installed: run `npm ci --prefix tests/axe` (expected {AXE})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def page(page_at_width):  # live_server.py: a page at 1280 px and at 375 px
    return page_at_width


def check(page, where: str, frame=None):
    violations = run_axe(page, frame)
    assert violations == [], f"{where} at {page.width}px:\n{describe(violations)}"


def test_main_ui(server, page):
    page.goto(server + "/")
    expect(page.locator("#chat")).to_be_visible()
    page.wait_for_timeout(500)
    check(page, "/ (empty chat)")
    box = page.get_by_label("您的问题")
    box.fill("我在朋友圈卖蛋糕要办营业执照吗？")
    box.press("Enter")
    expect(page.locator(".cite-chip").first).to_be_visible()
    page.locator(".cite-chip summary").first.click()
    check(page, "/ (an answer with citation chips and quick replies)")
    page.get_by_role("tab", name="自查").click()
    page.get_by_label("选择自查问卷").click()
    page.get_by_role("option", name="我需要办理市场主体登记吗？").click()
    page.locator("#answer-choice").get_by_text("已经登记的企业、个体工商户或者农民专业合作社", exact=True).click()
    page.locator("#next").click()
    expect(page.locator("#outcome .outcome-card")).to_be_visible()
    check(page, "/ (自查 outcome)")
    page.get_by_role("tab", name="法规").click()
    page.get_by_label("搜索条文").fill("自我声明")
    expect(page.locator("#law-browser mark").first).to_be_visible()
    check(page, "/ (法规 search)")


def test_widget(server, page):
    page.goto(server + "/widget")
    check(page, "/widget")
    page.locator("#question").fill("直播带货要展示哪些信息？")
    page.locator("#question").press("Enter")
    expect(page.locator("details.cite").first).to_be_visible()
    check(page, "/widget (an answer)")
    page.get_by_role("tab", name="自查").click()
    page.locator("#questionnaire").select_option("registration")
    expect(page.locator("#assess-body legend")).to_be_visible()
    check(page, "/widget (a question)")


def test_demo_seller_center(server, page):
    page.goto(server + "/widget/demo")
    check(page, "/widget/demo")
    page.get_by_role("button", name="合规助手").click()
    frame = page.wait_for_selector("iframe.wjz-frame").content_frame()
    frame.wait_for_selector("#question")
    check(page, "/widget/demo (panel open)")
    check(page, "/widget/demo (the widget in its panel)", frame)
    shot(page, f"issue10-8-demo-open-{page.width}.png", full_page=False)
