"""Helpers for the real-browser tests: start the app on a free port, a browser context with the network "unplugged",
screenshots, a scan for English words in the Chinese interface, and axe-core. The fixtures are in live_server.py.
"""

import json
import re
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "test-output"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT = 30_000
WIDTHS = [1280, 375]
# axe-core comes from the npm registry, pinned in tests/axe/package.json; `npm ci --prefix tests/axe` installs it.
AXE = ROOT / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(settings, live):
    """Serve the whole app (API, UI, widget) on a free loopback port in a thread; returns (url, server, thread)."""
    pytest.importorskip("gradio", reason="gradio is in the `serve` extra")
    import uvicorn

    from assistant.api import create_app

    port = free_port()
    instance = uvicorn.Server(uvicorn.Config(create_app(settings, live=live), host="127.0.0.1", port=port,
                                             log_level="warning"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.time() + 60
    while not instance.started:
        assert time.time() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", instance, thread


def offline_context(browser, width: int = 1280, height: int = 900, locale: str = "zh-CN"):
    """A browser context whose requests to any host other than the local server are aborted and recorded."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale,
                                  accept_downloads=True)
    context.external = []

    def offline(route):
        url = route.request.url
        host = url.split("/")[2].rsplit(":", 1)[0] if "://" in url else ""
        if url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            return route.continue_()
        context.external.append(url)
        return route.abort()

    context.route("**/*", offline)
    return context


def shot(page, name: str, full_page: bool = True) -> Path:
    path = OUTPUT / name
    page.screenshot(path=str(path), full_page=full_page)
    return path


# ------------------------------------------------------------------------------------------------ checks

ENGLISH = re.compile(r"[A-Za-z]{3,}")
ID = re.compile(r"(?=.*\d)[A-Za-z0-9\-.:/]+")  # versions and build ids such as 20261128T083550-0332144112c5
# Words that are fine in a Chinese interface: names, units and codes the page shows on purpose.
ALLOWED_WORDS = {"API", "HTML", "Markdown", "JavaScript", "Gradio", "PNG", "CSV"}
# What the scan reads: visible text nodes and the labels assistive technology reads.
SCAN_JS = """(root) => {
  const out = [];
  const scope = root ? document.querySelector(root) : document.body;
  for (const el of [scope, ...scope.querySelectorAll('*')]) {
    for (const a of ['aria-label', 'title', 'placeholder', 'alt', 'aria-roledescription', 'aria-valuetext']) {
      const v = el.getAttribute(a);
      if (v) out.push([a, v.slice(0, 120)]);
    }
  }
  const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement, text = node.textContent.trim();
    if (!text || !parent || ['SCRIPT', 'STYLE', 'CODE', 'NOSCRIPT'].includes(parent.tagName)) continue;
    if (parent.closest('code, pre, svg, style, script')) continue;
    const style = getComputedStyle(parent);
    if (parent.getClientRects().length === 0 || style.visibility === 'hidden') continue;
    out.push(['text', text.slice(0, 120)]);
  }
  return out;
}"""


def english_words(page, root: str | None = None) -> list:
    """Visible texts and accessible labels in the page that contain an English word (versions and ids excluded)."""
    found = []
    for kind, value in page.evaluate(SCAN_JS, root):
        words = [w for w in ENGLISH.findall(value) if w not in ALLOWED_WORDS]
        if words and not ID.fullmatch(value):
            found.append((kind, value))
    return found


def run_axe(page, frame=None) -> list[dict]:
    """axe-core's serious and critical violations on the page (or one of its frames), with the offending nodes."""
    target = frame or page.main_frame
    # Gradio dims outputs while an event runs: check the settled page, not the fade.
    target.wait_for_function("() => ![...document.querySelectorAll('.pending')].some(e => e.getClientRects().length)")
    page.wait_for_timeout(400)
    target.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = target.evaluate("""async () => {
      const r = await axe.run(document, {resultTypes: ['violations']});
      return r.violations.filter(v => ['serious', 'critical'].includes(v.impact)).map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(' '), summary: n.failureSummary}))}));
    }""")
    return result


def describe(violations: list[dict]) -> str:
    return json.dumps(violations, ensure_ascii=False, indent=1)
