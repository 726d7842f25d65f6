"""Issue 10, items 1 and 2 in a real browser: every earlier 自查 answer can be changed in place (no English toast, no
error badge, options never disappear), and 开始自查 from the chat starts with the facts the chat read, editable."""

import pytest

from browser_checks import shot

pytest.importorskip("playwright", reason="playwright is in the `test` extra")
from playwright.sync_api import expect  # noqa: E402

pytest_plugins = ["live_server"]  # the server, browser and page fixtures
INDIVIDUAL = "个人，尚未办理市场主体登记"
REGISTERED = "已经登记的企业、个体工商户或者农民专业合作社"
OTHER = "其他商品或者服务"
LABOR = "利用自己的技能提供保洁、洗涤、缝纫、理发、搬家、配制钥匙、管道疏通、家电家具修理修配等便民劳务"
NO_LICENSE = "依法无须取得许可"


@pytest.fixture
def page(page_at_width):  # live_server.py: a page at 1280 px and at 375 px
    return page_at_width


def open_registration(page, server):
    page.goto(server + "/")
    page.get_by_role("tab", name="自查").click()
    page.get_by_label("选择自查问卷").click()
    page.get_by_role("option", name="我需要办理市场主体登记吗？").click()


def choose(page, label: str, button: str = "#next"):
    page.locator("#answer-choice").get_by_text(label, exact=True).click()
    page.locator(button).click()


def edit(page, number: int):
    """Click 修改 on the n-th answered question (1-based)."""
    page.locator(f"#edit-{number - 1}").click()


def assert_clean(page):
    """No toast, no Gradio error badge, and no English anywhere in the self-assessment tab."""
    expect(page.locator(".toast-body")).to_have_count(0)
    expect(page.get_by_text("not in the list of choices")).to_have_count(0)
    expect(page.locator(".block .error, [data-testid='error']")).to_have_count(0)


def test_change_earlier_answers_in_place(server, page):
    """Item 1: 修改 works from the outcome and from the middle, keeps what still applies and prunes the rest."""
    open_registration(page, server)
    choose(page, INDIVIDUAL)
    choose(page, OTHER)
    expect(page.locator("#step-question")).to_contain_text("依法需要取得行政许可吗")
    edit(page, 1)  # from the middle: back to question 1, its answer selected
    expect(page.locator("#step-question")).to_contain_text("修改第 1 题")
    expect(page.locator("#answer-choice input:checked")).to_have_value("individual")
    expect(page.locator("#answer-choice label")).to_have_count(3)  # 个人 / 已登记 / 公司、企业等单位（尚未设立登记）
    choose(page, INDIVIDUAL, "#next")  # saving the same answer returns to where the user was
    expect(page.locator("#step-question")).to_contain_text("依法需要取得行政许可吗")
    choose(page, NO_LICENSE)
    page.locator("#answer-number input").fill("6万")
    page.locator("#next").click()
    card = page.locator("#outcome .outcome-card")
    expect(card).to_contain_text("可以不办理市场主体登记")
    expect(page.locator(".answered-row:visible")).to_have_count(4)
    assert_clean(page)
    shot(page, f"issue10-1-assess-complete-{page.width}.png")

    edit(page, 2)  # from the outcome: activity → 便民劳务; the licence answer (same key) still applies,
    expect(page.locator("#step-question")).to_contain_text("修改第 2 题")  # the turnover no longer does
    expect(page.locator("#answer-choice input:checked")).to_have_value("other")
    expect(page.locator("#cancel-edit")).to_be_visible()
    shot(page, f"issue10-1-assess-editing-{page.width}.png")
    choose(page, LABOR)
    expect(card).to_contain_text("个人利用自己的技能从事依法无须取得许可的便民劳务活动")
    rows = page.locator(".answered-row:visible")
    expect(rows).to_have_count(3)
    expect(page.locator("#answered")).not_to_contain_text("60,000")

    edit(page, 1)  # the first answer: registered → a different outcome, everything after it pruned
    choose(page, REGISTERED)
    expect(card).to_contain_text("已登记：持续公示营业执照信息")
    expect(rows).to_have_count(1)
    assert_clean(page)

    edit(page, 1)  # and back: the earlier answers are preselected again, not lost
    choose(page, INDIVIDUAL)
    expect(page.locator("#step-question")).to_contain_text("您在网上主要从事哪一类经营活动？")
    expect(page.locator("#answer-choice input:checked")).to_have_value("convenience_labor")
    page.locator("#restart").click()
    expect(page.locator("#step-question")).to_contain_text("第 1 题")
    expect(page.locator(".answered-row:visible")).to_have_count(0)
    assert_clean(page)
    shot(page, f"issue10-1-assess-restarted-{page.width}.png")


def test_cancel_an_edit_keeps_the_answer(server, page):
    open_registration(page, server)
    choose(page, INDIVIDUAL)
    edit(page, 1)
    page.locator("#answer-choice").get_by_text(REGISTERED, exact=True).click()
    page.locator("#cancel-edit").click()
    expect(page.locator("#step-question")).to_contain_text("您在网上主要从事哪一类经营活动？")
    expect(page.locator(".answered-row:visible")).to_contain_text(INDIVIDUAL)
    assert_clean(page)


def test_chat_facts_start_the_assessment(server, page):
    """Item 2 (main UI): the amount and the operator read from the chat are filled in, marked and editable."""
    page.goto(server + "/")
    box = page.get_by_label("您的问题")
    box.fill("个人网店一年卖6万元需要登记吗？")
    box.press("Enter")
    start = page.locator("#start-assessment")
    expect(start).to_contain_text("开始自查：我需要办理市场主体登记吗？")
    start.click()
    expect(page.get_by_role("tab", name="自查", selected=True)).to_be_visible()
    expect(page.get_by_label("选择自查问卷")).to_have_value("我需要办理市场主体登记吗？")
    expect(page.locator("#step-question")).to_contain_text("您在网上主要从事哪一类经营活动？")
    rows = page.locator(".answered-row:visible")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(INDIVIDUAL)
    expect(rows.first).to_contain_text("根据对话填写")
    choose(page, OTHER)
    choose(page, NO_LICENSE)
    # The turnover from the chat answers the last question: no question about it, straight to the outcome.
    card = page.locator("#outcome .outcome-card")
    expect(card).to_contain_text("可以不办理市场主体登记")
    expect(page.locator("#answered")).to_contain_text("60,000 元（不超过10万元）（根据对话填写）")
    shot(page, f"issue10-2-chat-to-assess-{page.width}.png")
    edit(page, 4)  # the amount from the chat is editable like any answer
    expect(page.locator("#answer-number input")).to_have_value("60000")
    page.locator("#answer-number input").fill("12万")
    expect(page.locator("#answer-reading")).to_contain_text("按 120,000 元计算（超过10万元）")
    page.locator("#next").click()
    expect(card).to_contain_text("需要依法办理市场主体登记")
    expect(page.locator(".answered-row:visible").nth(3)).to_contain_text("120,000 元（超过10万元）")
    expect(page.locator(".answered-row:visible").nth(3)).not_to_contain_text("根据对话填写")
    assert_clean(page)


def test_widget_chat_facts_start_the_same_assessment(server, page):
    """Item 2 (widget): the same answers as the main UI, listed open with 修改 links."""
    page.goto(server + "/widget")
    page.locator("#question").fill("个人网店一年卖6万元需要登记吗？")
    page.locator("#question").press("Enter")
    page.get_by_role("button", name="开始相关自查 →").click()
    expect(page.locator("#questionnaire")).to_have_value("registration")
    expect(page.locator("#assess-body legend")).to_have_text("您在网上主要从事哪一类经营活动？")
    answered = page.locator(".answered-box")
    expect(answered).to_have_attribute("open", "")
    expect(answered.locator("li")).to_have_count(1)
    expect(answered.locator("li").first).to_contain_text(INDIVIDUAL + "（根据对话填写）")
    for label in (OTHER, NO_LICENSE):
        page.locator("#assess-body").get_by_text(label, exact=True).click()
        page.locator("#next").click()
    expect(page.locator(".card")).to_contain_text("可以不办理市场主体登记")
    expect(answered.locator("li")).to_have_count(4)
    expect(answered).to_contain_text("60,000 元（不超过10万元）（根据对话填写）")
    answered.get_by_role("button", name="修改第2题的回答").click()
    expect(page.locator("#assess-body input[name=answer]:checked")).to_have_value("other")
    page.locator("#assess-body").get_by_text(LABOR, exact=True).click()
    page.locator("#next").click()  # the licence answer is shared by both licence questions: decided at once
    expect(page.locator(".card")).to_contain_text("个人利用自己的技能从事依法无须取得许可的便民劳务活动")
    expect(answered.locator("li")).to_have_count(3)
    shot(page, f"issue10-2-widget-chat-to-assess-{page.width}.png")
