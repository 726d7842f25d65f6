"""A pytest plugin with the fixtures of the real-browser tests: a live uvicorn server per test module (with its own
feedback file), headless Chromium per session (Debian's /usr/bin/chromium, driven by Playwright) and a page that
may not reach any host but the local server.

A browser test module declares `pytest_plugins = ["live_server"]` and imports helpers from browser_checks.py.
Without Chromium or Playwright the fixtures skip the tests.
"""

import pytest

from browser_checks import ARGS, CHROMIUM, OUTPUT, TIMEOUT, WIDTHS, offline_context, start_server

try:  # `expect` waits 5 s by default: too short for a Gradio round trip on 2 busy cores, the pages' own timeout applies
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT // 2)
except ImportError:  # the fixtures skip without Playwright
    pass


@pytest.fixture(scope="module")
def server_settings(settings, tmp_path_factory):
    # rate_limit 0: the browser, like the probe, is one loopback client making many requests quickly
    return settings.replace(feedback_db=str(tmp_path_factory.mktemp("browser") / "fb.sqlite3"), rate_limit_per_minute=0)


@pytest.fixture(scope="module")
def server(server_settings, kb):
    from test_api import make_live

    url, instance, thread = start_server(server_settings, make_live(server_settings, kb))
    yield url
    instance.should_exit = True
    thread.join(30)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("headless Chromium is not installed at /usr/bin/chromium (.ci/run installs Debian's chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the `test` extra")
    OUTPUT.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser):
    """A page (1280 × 900, zh-CN) that may not reach any host but the local server."""
    context = offline_context(browser)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.external = context.external
    yield page
    context.close()
    assert not context.external, f"the page tried to reach other hosts: {context.external}"


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def page_at_width(browser, request):
    """An offline page at each checked width (desktop, phone), with `page.width` set; fails if it reached out."""
    context = offline_context(browser, width=request.param, height=800 if request.param < 600 else 900)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.width = request.param
    yield page
    context.close()
    assert not context.external, f"the page tried to reach other hosts: {context.external}"
