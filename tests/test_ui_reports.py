"""Issue 10, item 7 (files): the UI, the widget and the API name a report the same way, with the questionnaire id, the
date and the verification code: 自查报告-<questionnaire>-<YYYY-MM-DD>-<code>.<html|md>."""

import datetime
import re
from urllib.parse import unquote

import httpx
import pytest

from assistant.report import report_filename

pytest.importorskip("playwright", reason="playwright is in the `test` extra")
from playwright.sync_api import expect  # noqa: E402

pytest_plugins = ["live_server"]  # the server, browser and page fixtures
NAME = re.compile(r"^自查报告-registration-(\d{4}-\d{2}-\d{2})-([0-9a-f]{16})\.(html|md)$")


def test_report_filename_scheme():
    day = datetime.date(2025, 3, 18)
    assert report_filename("registration", "0123456789abcdef", "html", day) == \
        "自查报告-registration-2025-03-18-0123456789abcdef.html"
    assert report_filename("registration", "0123456789abcdef", "md", day, ascii_only=True) == \
        "report-registration-2025-03-18-0123456789abcdef.md"
    with pytest.raises(ValueError):
        report_filename("registration", "0123456789abcdef", "pdf")


def test_ui_widget_and_api_name_reports_alike(server, page):
    today = datetime.date.today().isoformat()
    page.goto(server + "/")
    page.get_by_role("tab", name="自查").click()
    page.get_by_label("选择自查问卷").click()
    page.get_by_role("option", name="我需要办理市场主体登记吗？").click()
    page.locator("#answer-choice").get_by_text("已经登记的企业、个体工商户或者农民专业合作社", exact=True).click()
    page.locator("#next").click()
    expect(page.locator("#outcome .outcome-card")).to_contain_text("已登记")
    names = {}
    for fmt, button in (("html", "#download-html"), ("md", "#download-md")):
        with page.expect_download() as download:
            page.locator(button).click()
        names[f"ui-{fmt}"] = download.value.suggested_filename

    page.goto(server + "/widget")
    page.get_by_role("tab", name="自查").click()
    page.locator("#questionnaire").select_option("registration")
    page.locator("#assess-body").get_by_text("已经登记的企业、个体工商户或者农民专业合作社", exact=True).click()
    page.locator("#next").click()
    with page.expect_download() as download:
        page.locator("#download-report").click()
    names["widget-html"] = download.value.suggested_filename

    r = httpx.post(server + "/api/v1/assess/registration/report?format=html",
                   json={"answers": {"operator": "registered"}})
    disposition = r.headers["content-disposition"]
    names["api-html"] = unquote(re.search(r"filename\*=UTF-8''([^;]+)", disposition).group(1))
    assert f'filename="report-registration-{today}-' in disposition, disposition

    parsed = {key: NAME.match(name) for key, name in names.items()}
    assert all(parsed.values()), names
    assert {m.group(1) for m in parsed.values()} == {today}, names
    assert len({m.group(2) for m in parsed.values()}) == 1, f"one verification code for one set of answers: {names}"
    assert names["ui-html"] == names["widget-html"] == names["api-html"], names
