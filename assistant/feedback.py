"""Local store of 👍/👎 feedback and unanswered questions, redacted before storage, exported as CSV for staff.

Nothing here leaves the machine: it is a SQLite file (settings.feedback_db) that staff read with
`assistant feedback export` to find questions the FAQ should cover. Phone numbers, ID-card numbers and e-mail
addresses are replaced before a row is written, so the file never holds them.
"""

import csv
import io
import re
import sqlite3
import threading
import time
from pathlib import Path

RATINGS = ("up", "down")
KINDS = ("up", "down", "unanswered")
MAX_TEXT = 2000  # stored characters per field; longer input is cut, never rejected

_ID_CARD = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+")
# Mainland mobile numbers (optionally +86 / 86, with spaces or dashes) and landlines with an area code.
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[\s\-]?)?1[3-9]\d(?:[\s\-]?\d{4}){2}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}[\s\-]?\d{7,8}(?!\d)")

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('up', 'down', 'unanswered')),
    question TEXT NOT NULL,
    answer TEXT,
    comment TEXT,
    corpus_version TEXT,
    source TEXT
);
CREATE INDEX IF NOT EXISTS feedback_kind ON feedback (kind, created_at);
"""
EXPORT_COLUMNS = ["kind", "question", "count", "first_seen", "last_seen", "corpus_version", "comments", "answer"]


def redact(text: str | None) -> str | None:
    """Replace ID-card numbers, e-mail addresses and phone numbers with placeholders (ID cards first: they contain
    digit runs that look like phone numbers)."""
    if text is None:
        return None
    text = _ID_CARD.sub("[身份证号已隐去]", text)
    text = _EMAIL.sub("[邮箱已隐去]", text)
    text = _MOBILE.sub("[手机号已隐去]", text)
    return _LANDLINE.sub("[电话已隐去]", text)


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(str(text).split())[:MAX_TEXT]
    return redact(text) or None


class FeedbackStore:
    """Append-only SQLite table; one short-lived connection per call keeps it safe across server threads."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._ready = False
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        if not self._ready:
            with self._lock:
                if not self._ready:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                    with sqlite3.connect(self.path, timeout=10) as conn:
                        conn.execute("PRAGMA journal_mode=WAL")
                        conn.executescript(SCHEMA)
                    self._ready = True
        return sqlite3.connect(self.path, timeout=10)

    def add(self, kind: str, question: str, *, answer: str | None = None, comment: str | None = None,
            corpus_version: str | None = None, source: str | None = None) -> int:
        """Store one redacted row and return its id."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        row = (time.strftime("%Y-%m-%dT%H:%M:%S%z"), kind, _clean(question) or "", _clean(answer), _clean(comment),
               corpus_version, source)
        conn = self._connect()
        try:
            with conn:
                cursor = conn.execute("INSERT INTO feedback (created_at, kind, question, answer, comment, "
                                      "corpus_version, source) VALUES (?, ?, ?, ?, ?, ?, ?)", row)
            return int(cursor.lastrowid)
        finally:
            conn.close()

    def record_answer(self, result: dict, source: str) -> int | None:
        """Keep a question the assistant could not answer (the `ask` JSON with answered=false); None otherwise."""
        if result.get("answered"):
            return None
        return self.add("unanswered", result.get("question", ""), corpus_version=result.get("corpus_version"),
                        source=source)

    def rows(self, kinds: tuple[str, ...] = KINDS) -> list[dict]:
        if not self.path.exists():
            return []
        conn = self._connect()
        conn.row_factory = sqlite3.Row
        try:
            marks = ",".join("?" * len(kinds))
            return [dict(r) for r in conn.execute(f"SELECT * FROM feedback WHERE kind IN ({marks}) ORDER BY id",
                                                  kinds)]
        finally:
            conn.close()

    def export_csv(self, out: io.TextIOBase | None = None) -> str:
        """Unanswered and 👎 questions grouped by text, most frequent first: what the FAQ should cover next."""
        groups: dict[tuple[str, str], dict] = {}
        for row in self.rows(("unanswered", "down")):
            key = (row["kind"], row["question"])
            group = groups.setdefault(key, {"kind": row["kind"], "question": row["question"], "count": 0,
                                            "first_seen": row["created_at"], "comments": [], "answer": ""})
            group["count"] += 1
            group["last_seen"] = row["created_at"]
            group["corpus_version"] = row["corpus_version"] or ""
            if row["comment"] and row["comment"] not in group["comments"]:
                group["comments"].append(row["comment"])
            group["answer"] = row["answer"] or group["answer"]
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for group in sorted(groups.values(), key=lambda g: (-g["count"], g["kind"], g["last_seen"])):
            writer.writerow({**group, "comments": " | ".join(group["comments"])})
        text = buffer.getvalue()
        if out is not None:
            out.write(text)
        return text
