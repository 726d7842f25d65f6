"""Issue 11: a bounded run of the hostile probe (tests/probe.py) against a live server: no 5xx, no dropped or reset
connection, and a burst of UI events from more sessions than Gradio's session cache holds leaves the UI working."""

import pytest

from browser_checks import start_server
from probe import flood, run
from test_api import make_live


@pytest.fixture(scope="module")
def live_url(settings, kb, tmp_path_factory):
    served = settings.replace(feedback_db=str(tmp_path_factory.mktemp("probe") / "fb.sqlite3"),
                              rate_limit_per_minute=0)
    url, instance, thread = start_server(served, make_live(served, kb))
    yield url
    instance.should_exit = True
    thread.join(30)


def test_hostile_requests_get_no_server_error_and_no_reset(live_url):
    result = run(live_url, total=800, threads=4)
    assert result["requests"] == 800
    assert result["server_errors"] == 0 and result["dropped_connections"] == 0, result
    assert result["failures"] == {}, result
    assert result["by_status"].get("4xx", 0) > 300, result


def test_a_burst_of_ui_events_from_2100_sessions_does_not_stop_the_ui(live_url):
    result = flood(live_url, joins=2100)
    assert set(result["outcomes"]) <= {"200", "503 queue full"}, result  # 503: the bounded queue says busy
    assert result["ui_queue_after"] == "running" and result["ui_answers_after"] is True, result
