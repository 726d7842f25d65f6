"""Feedback store (SQLite): personal data never reaches the file; staff get a CSV of unanswered and 👎 questions
that a spreadsheet cannot run as formulas. The redaction rules themselves are in test_redact.py."""

import csv
import io
import re
import sqlite3

import pytest

from assistant.cli import main
from assistant.feedback import FeedbackStore, csv_safe, redact


def test_redact_is_still_importable_from_feedback():
    from assistant import redact as module

    assert redact is module.redact and redact("电话13812345678") == "电话[手机号已隐去]"


def test_store_creates_folder_and_never_writes_personal_data(tmp_path):
    path = tmp_path / "nested" / "var" / "feedback.sqlite3"
    store = FeedbackStore(path)
    store.add("down", "我是13812345678，身份证110101199003074514，邮箱a@b.cn，要办执照吗？",
              answer="回答", comment="联系我 010-12345678")
    raw = b"".join(p.read_bytes() for p in path.parent.iterdir() if p.is_file())
    for secret in ("13812345678", "110101199003074514", "a@b.cn", "12345678"):
        assert secret.encode() not in raw, secret
    (row,) = store.rows()
    assert row["question"] == "我是[手机号已隐去]，身份证[身份证号已隐去]，邮箱[邮箱已隐去]，要办执照吗？"
    assert row["comment"] == "联系我 [电话已隐去]"


def test_record_answer_keeps_only_unanswered(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    assert store.record_answer({"question": "刷单违法吗", "answered": True}, source="api") is None
    assert store.record_answer({"question": "今天天气怎么样", "answered": False, "corpus_version": "v1"}, "api")
    assert [(r["kind"], r["question"], r["corpus_version"]) for r in store.rows()] == [("unanswered", "今天天气怎么样", "v1")]


def test_export_groups_unanswered_and_thumbs_down(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    for _ in range(3):
        store.record_answer({"question": "今天天气怎么样", "answered": False, "corpus_version": "v1"}, "ui")
    store.add("down", "刷单违法吗", answer="答案", comment="没说罚多少")
    store.add("down", "刷单违法吗", comment="没说罚多少")
    store.add("up", "平台要保存交易信息多久")
    rows = list(csv.DictReader(io.StringIO(store.export_csv())))
    assert [(r["kind"], r["question"], r["count"]) for r in rows] == [("unanswered", "今天天气怎么样", "3"),
                                                                     ("down", "刷单违法吗", "2")]
    assert rows[1]["comments"] == "没说罚多少" and rows[1]["answer"] == "答案"


def test_export_of_an_empty_store_is_just_the_header(tmp_path):
    text = FeedbackStore(tmp_path / "missing.sqlite3").export_csv()
    assert text.splitlines() == ["kind,question,count,first_seen,last_seen,corpus_version,comments,answer,reasons"]
    assert not (tmp_path / "missing.sqlite3").exists(), "export must not create the database"


def test_cli_feedback_export(tmp_path, monkeypatch, capsys):
    db = tmp_path / "fb.sqlite3"
    FeedbackStore(db).record_answer({"question": "我的手机13812345678能退货吗", "answered": False}, "api")
    monkeypatch.setenv("ASSISTANT_FEEDBACK_DB", str(db))
    out = tmp_path / "export.csv"
    assert main(["feedback", "export", "--output", str(out)]) == 0
    text = out.read_text(encoding="utf-8-sig")
    assert "我的手机[手机号已隐去]能退货吗" in text and "13812345678" not in text
    assert main(["feedback", "export"]) == 0
    assert capsys.readouterr().out.startswith("kind,question,count")


FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"点我\")", "+1+2", "-2+3", "@SUM(A1:A9)", "＝1+1", "＋1", "－1",
            "＠SUM(A1)", "\t=1+1", "\r=1+1", "  =1+1", "\u3000＝cmd|' /C calc'!A0", "\u200b=1+1"]


@pytest.mark.parametrize("value", FORMULAS)
def test_csv_safe_prefixes_a_quote_to_formula_cells(value):
    assert csv_safe(value) == "'" + value


@pytest.mark.parametrize("value", ["刷单违法吗", "1+1=2吗", "a-b", "", "'=already quoted", 3, None])
def test_csv_safe_leaves_other_cells_alone(value):
    assert csv_safe(value) == value


def test_export_neutralises_formulas_in_every_column(tmp_path):
    path = tmp_path / "fb.sqlite3"
    store = FeedbackStore(path)
    store.add("down", "=1+1", answer="@SUM(A1)", comment="＋cmd")
    store.add("unanswered", "－2 是什么")
    store.add("unanswered", "1+1=2吗")
    with sqlite3.connect(path) as conn:  # rows written by another tool keep their blanks, tabs and CRs
        conn.executemany("INSERT INTO feedback (created_at, kind, question, comment) VALUES (?, ?, ?, ?)",
                         [("2025-01-01T00:00:00+0800", "down", "\t=cmd", " -1"),
                          ("2025-01-01T00:00:00+0800", "unanswered", "\r@x", None),
                          ("2025-01-01T00:00:00+0800", "unanswered", "  =1+1", None)])
    rows = {r["question"]: r for r in csv.DictReader(io.StringIO(store.export_csv()))}
    assert set(rows) == {"'=1+1", "'－2 是什么", "1+1=2吗", "'\t=cmd", "'\r@x", "'  =1+1"}, rows
    assert rows["'=1+1"]["answer"] == "'@SUM(A1)" and rows["'=1+1"]["comments"] == "'＋cmd"
    assert rows["'\t=cmd"]["comments"] == "' -1"
    for row in rows.values():
        for column, cell in row.items():
            assert not re.match(r"[\s]*[=+\-@＝＋－＠]", cell), (column, cell)


def test_control_characters_are_dropped(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    store.add("unanswered", "\x1b[31m红色\x00问题\x07")
    assert store.rows()[0]["question"] == "[31m红色问题"


def test_created_at_format_and_ping(tmp_path):
    with FeedbackStore(tmp_path / "fb.sqlite3") as store:
        assert store.ping()
        store.add("up", "问题")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", store.rows()[0]["created_at"])
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert FeedbackStore(blocker / "fb.sqlite3").ping() is False


def test_set_reason_on_an_impossible_id(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    assert not store.set_reason(2**70, "看不懂") and not store.set_reason(-1, "看不懂")


def test_a_number_cut_by_the_length_limit_is_still_redacted(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    store.add("unanswered", "问" * 1995 + "13812345678")
    question = store.rows()[0]["question"]
    assert len(question) == 2000 and "13812" not in question, question[-10:]
