"""Real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) against a live uvicorn server.

Every page is checked to load nothing from any host but the server itself (the network is "unplugged": requests
to other hosts are aborted and recorded). Screenshots go to test-output/ for a human to look at.
"""

import time

import pytest

from assistant.feedback import FeedbackStore
from browser_checks import OUTPUT

pytest.importorskip("playwright", reason="playwright is in the `test` extra")
from playwright.sync_api import expect  # noqa: E402

pytest_plugins = ["live_server"]  # the server, browser and page fixtures


def test_chat_answers_with_citation_chips(server, server_settings, page):
    page.goto(server + "/")
    box = page.get_by_label("您的问题")
    box.fill("我在朋友圈卖蛋糕要办营业执照吗？")
    box.press("Enter")
    chip = page.locator(".cite-chip", has=page.locator("summary", has_text="第八条第三款")).first
    expect(chip).to_be_visible()
    chip.locator("summary").click()
    expect(chip.locator(".cite-text")).to_contain_text("年交易额累计不超过10万元")
    expect(page.locator("#start-assessment")).to_contain_text("开始自查")
    expect(page.locator("#footer")).to_contain_text("法规版本 2025-03-18")
    page.screenshot(path=str(OUTPUT / "browser-chat.png"), full_page=True)
    page.get_by_role("button", name="没有帮助", exact=True).first.click()  # ui/i18n.py: the same in every locale
    deadline = time.time() + 10
    while not FeedbackStore(server_settings.feedback_db).rows(("down",)) and time.time() < deadline:
        time.sleep(0.1)
    (row,) = FeedbackStore(server_settings.feedback_db).rows(("down",))
    assert row["question"] == "我在朋友圈卖蛋糕要办营业执照吗？" and row["source"] == "ui"
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.get_by_label("您的问题")).to_be_visible()
    page.screenshot(path=str(OUTPUT / "browser-chat-mobile.png"), full_page=True)
    page.locator("#start-assessment").click()  # the suggested self-assessment opens with the facts read from chat
    expect(page.locator("#step-question")).to_contain_text("您在网上主要从事哪一类经营活动？")


def reach_the_turnover_question(page, server):
    """自查 → registration, answered as an individual selling other goods without a licence."""
    page.goto(server + "/")
    page.get_by_role("tab", name="自查").click()
    page.get_by_label("选择自查问卷").click()
    page.get_by_role("option", name="我需要办理市场主体登记吗？").click()
    for label in ("个人，尚未办理市场主体登记", "其他商品或者服务", "依法无须取得许可"):
        page.locator("#answer-choice").get_by_text(label, exact=True).click()
        page.locator("#next").click()
        expect(page.locator("#answer-choice").get_by_text(label, exact=True)).to_have_count(0)


def test_registration_self_assessment_reaches_the_exempt_outcome(server, page):
    reach_the_turnover_question(page, server)
    page.locator("#answer-number input").fill("6万")
    expect(page.locator("#answer-reading")).to_contain_text("按 60,000 元计算（不超过10万元）")
    page.locator("#next").click()
    card = page.locator("#outcome .outcome-card")
    expect(card).to_contain_text("可以不办理市场主体登记")
    expect(card.locator(".declaration")).to_contain_text("个人从事零星小额交易活动，依法不需要办理市场主体登记")
    expect(card.locator(".checklist li")).not_to_have_count(0)
    expect(page.locator("#download-html")).to_be_visible()
    page.screenshot(path=str(OUTPUT / "browser-assessment.png"), full_page=True)
    page.get_by_role("tab", name="法规").click()
    page.get_by_label("搜索条文").fill("自我声明")
    expect(page.locator("#law-browser details.article[open]").first).to_contain_text("自我声明")
    page.screenshot(path=str(OUTPUT / "browser-laws.png"))


def test_widget_on_the_demo_seller_center(server, page):
    page.goto(server + "/widget/demo")
    page.get_by_role("button", name="合规助手").click()
    widget = page.frame_locator("iframe.wjz-frame")
    widget.get_by_role("button", name="直播带货要展示哪些信息？").click()
    expect(widget.locator("details.cite").first).to_be_visible()
    page.screenshot(path=str(OUTPUT / "browser-widget-chat.png"))
    # The host page hands over its turnover by postMessage; the widget opens the questionnaire prefilled.
    page.locator("#check-registration").click()
    for label in ("个人，尚未办理市场主体登记", "其他商品或者服务", "依法无须取得许可"):
        widget.get_by_text(label, exact=True).click()
        widget.locator("#next").click()
    card = widget.locator(".card")
    expect(card).to_contain_text("个人从事零星小额交易活动，依法不需要办理市场主体登记")
    expect(widget.get_by_text("60,000 元（不超过10万元）")).to_have_count(1)
    assert "60000" not in page.url and all("60000" not in f.url for f in page.frames)
    page.screenshot(path=str(OUTPUT / "browser-widget-assessment.png"))


@pytest.mark.parametrize("width", [1280, 375])
def test_typed_amount_is_read_before_deciding(server, page, width):
    """Issue 7: "12万" in the turnover box is 120,000 元, shown before 下一步, and ends in register_required."""
    page.set_viewport_size({"width": width, "height": 900})
    reach_the_turnover_question(page, server)
    page.locator("#answer-number input").fill("12万")
    expect(page.locator("#answer-reading")).to_contain_text("按 120,000 元计算（超过10万元）")
    page.screenshot(path=str(OUTPUT / f"browser-amount-{width}.png"), full_page=True)
    page.locator("#next").click()
    card = page.locator("#outcome .outcome-card")
    expect(card).to_contain_text("需要依法办理市场主体登记")
    expect(card).to_contain_text("120,000 元（超过10万元）")
    page.screenshot(path=str(OUTPUT / f"browser-amount-outcome-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", [1280, 375])
def test_chat_asks_the_questionnaire_with_quick_replies(server, page, width):
    """Issue 7: a registration question with facts is decided by the questionnaire, one quick reply at a time."""
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(server + "/")
    box = page.get_by_label("您的问题")
    box.fill("个人网店一年卖6万元需要登记吗？")
    box.press("Enter")
    expect(page.locator("#chat")).to_contain_text("根据您说的“个人网店”“一年卖6万元”（按 60,000 元计算）")
    page.locator(".quick-reply", has_text="其他商品或者服务").click()
    page.locator(".quick-reply", has_text="依法无须取得许可").click()
    expect(page.locator("#chat")).to_contain_text("结论：可以不办理市场主体登记，但须公示自我声明")
    expect(page.locator(".quick-reply:visible")).to_have_count(0)
    page.screenshot(path=str(OUTPUT / f"browser-chat-decision-{width}.png"), full_page=True)


def test_widget_chat_quick_replies_and_typed_amount(server, page):
    page.goto(server + "/widget")
    page.locator("#question").fill("我在朋友圈卖东西要办营业执照吗？")
    page.locator("#question").press("Enter")
    page.locator(".quick .chip", has_text="其他商品或者服务").click()
    page.locator(".quick .chip", has_text="依法无须取得许可").last.click()
    expect(page.locator("#question")).to_have_attribute("placeholder", "请输入金额，例如：一年卖12万、8万、超过10万")
    page.locator("#question").fill("一年卖12万")
    page.locator("#question").press("Enter")
    expect(page.locator(".msg.bot").last).to_contain_text("结论：需要依法办理市场主体登记")
    page.get_by_role("tab", name="自查").click()
    page.locator("#questionnaire").select_option("registration")
    for label in ("个人，尚未办理市场主体登记", "其他商品或者服务", "依法无须取得许可"):
        page.locator("#assess-body").get_by_text(label, exact=True).click()
        page.locator("#next").click()
    page.locator("#answer-number").fill("十二万")
    expect(page.locator("#answer-reading")).to_contain_text("按 120,000 元计算（超过10万元）")
    page.locator("#next").click()
    expect(page.locator(".card")).to_contain_text("需要依法办理市场主体登记")
    page.screenshot(path=str(OUTPUT / "browser-widget-amount.png"), full_page=True)


def test_api_docs_work_offline(server, page):
    page.goto(server + "/docs")
    expect(page.locator(".swagger-ui .info")).to_contain_text("网络交易合规助手 API")
    page.screenshot(path=str(OUTPUT / "browser-docs.png"))
