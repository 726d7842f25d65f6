"""Issue 10, item 4 in a real browser: Gradio's own words (toasts, 👍/👎, copy, labels) are Chinese whatever the
browser's language, and a 👎 can carry a reason (答非所问 / 法条不对 / 看不懂 / 其他) that reaches the feedback store
and `assistant feedback export`."""

import csv
import io
import time

import pytest

from assistant.feedback import FeedbackStore
from browser_checks import english_words, offline_context, shot

pytest.importorskip("playwright", reason="playwright is in the `test` extra")
from playwright.sync_api import expect  # noqa: E402

pytest_plugins = ["live_server"]  # the server, browser and page fixtures


@pytest.fixture(params=["en-US", "de-DE", "zh-CN"])
def page(browser, request):
    context = offline_context(browser, locale=request.param)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.locale = request.param
    yield page
    context.close()
    assert not context.external, f"the page tried to reach other hosts: {context.external}"


def wait_for_row(db, kind: str, reason: str | None = None) -> dict:
    deadline = time.time() + 10
    while time.time() < deadline:
        rows = [r for r in FeedbackStore(db).rows((kind,)) if reason is None or r["reason"] == reason]
        if rows:
            return rows[-1]
        time.sleep(0.1)
    raise AssertionError(f"no {kind} row with reason {reason!r} in {FeedbackStore(db).rows()}")


def test_gradio_speaks_chinese_in_any_browser_language(server, page):
    page.goto(server + "/")
    box = page.get_by_label("您的问题")
    box.fill("直播带货要展示哪些信息？")
    box.press("Enter")
    expect(page.locator(".cite-chip").first).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    expect(page.get_by_role("button", name="有帮助", exact=True).first).to_be_visible()
    expect(page.get_by_role("button", name="没有帮助", exact=True).first).to_be_visible()
    expect(page.get_by_role("button", name="复制这条消息").first).to_be_visible()
    expect(page.get_by_role("log", name="咨询对话")).to_be_visible()
    assert english_words(page) == [], english_words(page)

    page.get_by_role("tab", name="自查").click()  # a warning toast: its title too
    page.get_by_label("选择自查问卷").click()
    page.get_by_role("option", name="我需要办理市场主体登记吗？").click()
    page.locator("#next").click()
    toast = page.locator(".toast-body").first
    expect(toast).to_contain_text("请注意")
    expect(toast).to_contain_text("请先选择或填写一个回答")
    assert english_words(page) == [], english_words(page)
    page.wait_for_timeout(600)  # the toast slides in
    shot(page, f"issue10-4-chinese-toast-{page.locale}.png", full_page=False)


@pytest.mark.parametrize("width", [1280, 375])
def test_dislike_reason_reaches_the_feedback_store(server, server_settings, browser, width, tmp_path):
    context = offline_context(browser, width=width, locale="en-US")
    page = context.new_page()
    page.goto(server + "/")
    question = f"平台要保存交易信息多久？（{width}）"
    box = page.get_by_label("您的问题")
    box.fill(question)
    box.press("Enter")
    expect(page.locator(".cite-chip").first).to_be_visible()
    page.get_by_role("button", name="没有帮助", exact=True).first.click()
    reasons = page.locator("#dislike-reason")
    expect(reasons).to_be_visible()
    expect(reasons).to_contain_text("这个回答哪里不好？（可选")
    row = wait_for_row(server_settings.feedback_db, "down")
    assert row["question"] == question and row["reason"] is None, row
    shot(page, f"issue10-4-dislike-reason-{width}.png", full_page=False)
    reasons.get_by_role("button", name="看不懂").click()
    expect(reasons).to_be_hidden()
    expect(page.locator(".toast-body").first).to_contain_text("提示")
    row = wait_for_row(server_settings.feedback_db, "down", "看不懂")
    assert row["question"] == question, row
    exported = FeedbackStore(server_settings.feedback_db).export_csv()
    export = {r["question"]: r for r in csv.DictReader(io.StringIO(exported))}
    assert export[question]["reasons"] == "看不懂×1", export[question]
    context.close()
    assert not context.external, context.external


def test_widget_dislike_reason(server, server_settings, browser):
    context = offline_context(browser, width=375)
    page = context.new_page()
    page.goto(server + "/widget")
    page.locator("#question").fill("刷单违法吗？（widget）")
    page.locator("#question").press("Enter")
    page.get_by_role("button", name="没有帮助").click()
    reasons = page.get_by_role("group", name="没有帮助的原因")
    reasons.get_by_role("button", name="法条不对").click()
    expect(reasons).to_contain_text("感谢反馈")
    row = wait_for_row(server_settings.feedback_db, "down", "法条不对")
    assert row["question"] == "刷单违法吗？（widget）" and row["source"] == "api", row
    shot(page, "issue10-4-widget-dislike-reason-375.png", full_page=False)
    context.close()
    assert not context.external, context.external
