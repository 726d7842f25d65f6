"""Feedback store: personal data never reaches the SQLite file; staff get a CSV of unanswered and 👎 questions."""

import csv
import io

import pytest

from assistant.cli import main
from assistant.feedback import FeedbackStore, redact


@pytest.mark.parametrize("text, expected", [
    ("电话13812345678问一下", "电话[手机号已隐去]问一下"),
    ("手机 +86 138 1234 5678", "手机 [手机号已隐去]"),
    ("手机138-1234-5678", "手机[手机号已隐去]"),
    ("座机010-12345678", "座机[电话已隐去]"),
    ("座机 0755 87654321", "座机 [电话已隐去]"),
    ("身份证110101199003074514", "身份证[身份证号已隐去]"),
    ("身份证11010119900307451X。", "身份证[身份证号已隐去]。"),
    ("老身份证110101900307451", "老身份证[身份证号已隐去]"),
    ("邮箱 zhang.san+shop@mail.example.com.cn 谢谢", "邮箱 [邮箱已隐去] 谢谢"),
])
def test_redacts_phone_id_card_and_email(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("text", ["一年卖60000元要登记吗", "年交易额10万元以内", "2025-03-18修正的第十八条",
                                  "订单号 20261127", "自动续费前5日提醒"])
def test_keeps_amounts_dates_and_short_numbers(text):
    assert redact(text) == text


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
    assert text.splitlines() == ["kind,question,count,first_seen,last_seen,corpus_version,comments,answer"]
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
