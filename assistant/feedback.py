"""Store of 👍/👎 feedback and unanswered questions, redacted before storage, exported as CSV for staff.

`feedback_db` names the storage: a SQLite file (the default; nothing leaves the machine) or a `postgresql://` URL
shared by every worker and replica (assistant/feedback_pg.py, the `scale` extra). FeedbackStore is the one API over
both, so callers never know which. Staff read it with `assistant feedback export` to find questions the FAQ should
cover. Personal data is replaced before a row is written (assistant/redact.py), so the store never holds it.
"""

import csv
import io
import re
import sqlite3
import threading
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Protocol

from assistant.errors import ConfigError
from assistant.redact import redact

__all__ = ["FeedbackStore", "REASONS", "KINDS", "RATINGS", "EXPORT_COLUMNS", "redact", "csv_safe", "open_backend"]

RATINGS = ("up", "down")
KINDS = ("up", "down", "unanswered")
MAX_TEXT = 2000  # stored characters per field; longer input is cut, never rejected
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"  # created_at as rows() returns it, whatever the backend
COLUMNS = ("created_at", "kind", "question", "answer", "comment", "corpus_version", "source", "reason")

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('up', 'down', 'unanswered')),
    question TEXT NOT NULL,
    answer TEXT,
    comment TEXT,
    corpus_version TEXT,
    source TEXT,
    reason TEXT
);
CREATE INDEX IF NOT EXISTS feedback_kind ON feedback (kind, created_at);
"""
# Columns added after the first release, created on start in older files (additive: nothing is rewritten).
MIGRATIONS = {"reason": "ALTER TABLE feedback ADD COLUMN reason TEXT"}
# Why an answer got 👎, offered as one-click choices in the UI and the widget (optional).
REASONS = ("答非所问", "法条不对", "看不懂", "其他")
EXPORT_COLUMNS = ["kind", "question", "count", "first_seen", "last_seen", "corpus_version", "comments", "answer",
                  "reasons"]
# Spreadsheets run a cell that starts with one of these as a formula (OWASP "CSV injection"), also after leading
# blanks; the full-width forms count because an IME turns them into the ASCII ones.
_FORMULA_START = re.compile(r"^[\t\r]|^[\s\u200b-\u200d\u2060\ufeff]*[=+\-@＝＋－＠]")


class Backend(Protocol):
    """Where rows live. FeedbackStore validates and redacts; a backend only stores and reads back."""

    def insert(self, row: dict) -> int: ...
    def update_reason(self, row_id: int, reason: str) -> bool: ...
    def select(self, kinds: tuple[str, ...]) -> list[dict]: ...
    def ping(self) -> bool: ...
    def close(self) -> None: ...


def _check_reason(kind: str, reason: str | None) -> None:
    if reason is not None and (kind != "down" or reason not in REASONS):
        raise ValueError(f"a reason goes with a 👎 and is one of {REASONS}, got {reason!r} for {kind!r}")


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(str(text).split())
    # Control characters carry no meaning here; PostgreSQL cannot store NUL, and ESC sequences would reach a terminal.
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc")
    return redact(text)[:MAX_TEXT] or None  # redacted before the cut, which could leave half a number unrecognised


def csv_safe(value):
    """A CSV cell that a spreadsheet shows as text, never runs as a formula: OWASP's leading single quote."""
    if isinstance(value, str) and _FORMULA_START.match(value):
        return "'" + value
    return value


class SQLiteBackend:
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
                        columns = {row[1] for row in conn.execute("PRAGMA table_info(feedback)")}
                        for column, statement in MIGRATIONS.items():
                            if column not in columns:
                                conn.execute(statement)
                    self._ready = True
        return sqlite3.connect(self.path, timeout=10)

    def insert(self, row: dict) -> int:
        values = [row["created_at"].strftime(TIME_FORMAT)] + [row[c] for c in COLUMNS[1:]]
        conn = self._connect()
        try:
            with conn:
                cursor = conn.execute(f"INSERT INTO feedback ({', '.join(COLUMNS)}) "
                                      f"VALUES ({', '.join('?' * len(COLUMNS))})", values)
            return int(cursor.lastrowid)
        finally:
            conn.close()

    def update_reason(self, row_id: int, reason: str) -> bool:
        conn = self._connect()
        try:
            with conn:
                cursor = conn.execute("UPDATE feedback SET reason = ? WHERE id = ? AND kind = 'down'", (reason, row_id))
            return cursor.rowcount == 1
        finally:
            conn.close()

    def select(self, kinds: tuple[str, ...]) -> list[dict]:
        if not self.path.exists():
            return []  # reading must not create the file
        conn = self._connect()
        conn.row_factory = sqlite3.Row
        try:
            marks = ",".join("?" * len(kinds))
            return [dict(r) for r in conn.execute(f"SELECT * FROM feedback WHERE kind IN ({marks}) ORDER BY id",
                                                  kinds)]
        finally:
            conn.close()

    def ping(self) -> bool:
        try:
            conn = self._connect()
            try:
                conn.execute("SELECT 1 FROM feedback LIMIT 1").fetchall()
            finally:
                conn.close()
            return True
        except (sqlite3.Error, OSError):
            return False

    def close(self) -> None:
        """Nothing to release: every call opens and closes its own connection."""


def is_postgres_url(target) -> bool:
    return bool(re.match(r"postgres(?:ql)?://", str(target), re.IGNORECASE))


def open_backend(target: str | Path) -> Backend:
    """The backend `feedback_db` names: a postgresql:// (or postgres://) URL, otherwise a SQLite file path."""
    if not is_postgres_url(target):
        return SQLiteBackend(target)
    try:
        from assistant.feedback_pg import PostgresBackend
    except ImportError as exc:
        raise ConfigError(f"feedback_db is a PostgreSQL URL but psycopg is not installed ({exc.name}): "
                          "pip install -e '.[scale]'") from None
    return PostgresBackend(str(target))


class FeedbackStore:
    """Feedback rows, validated and redacted, in the backend `feedback_db` names; one API for SQLite and PostgreSQL."""

    def __init__(self, target: str | Path):
        self.backend = open_backend(target)

    def add(self, kind: str, question: str, *, answer: str | None = None, comment: str | None = None,
            corpus_version: str | None = None, source: str | None = None, reason: str | None = None) -> int:
        """Store one redacted row and return its id; `reason` (one of REASONS) only goes with a 👎."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        _check_reason(kind, reason)
        return self.backend.insert({"created_at": datetime.now().astimezone(), "kind": kind,
                                    "question": _clean(question) or "", "answer": _clean(answer),
                                    "comment": _clean(comment), "corpus_version": corpus_version, "source": source,
                                    "reason": reason})

    def set_reason(self, row_id: int, reason: str) -> bool:
        """Give the 👎 row `row_id` its reason (chosen after the click); False if there is no such 👎 row."""
        _check_reason("down", reason)
        row_id = int(row_id)
        return 0 < row_id < 2**63 and self.backend.update_reason(row_id, reason)  # ids are 64-bit in both backends

    def record_answer(self, result: dict, source: str) -> int | None:
        """Keep a question the assistant could not answer (the `ask` JSON with answered=false); None otherwise."""
        if result.get("answered"):
            return None
        return self.add("unanswered", result.get("question", ""), corpus_version=result.get("corpus_version"),
                        source=source)

    def rows(self, kinds: tuple[str, ...] = KINDS) -> list[dict]:
        """Stored rows of these kinds, oldest first, as dicts of the table's columns."""
        return self.backend.select(tuple(kinds))

    def ping(self) -> bool:
        """True when the store can be read and written now (the readiness probe); never raises."""
        return self.backend.ping()

    def close(self) -> None:
        """Release connections (the PostgreSQL pool); the store is not used afterwards."""
        self.backend.close()

    def __enter__(self) -> "FeedbackStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def export_csv(self, out: io.TextIOBase | None = None) -> str:
        """Unanswered and 👎 questions grouped by text, most frequent first: what the FAQ should cover next.

        Every cell goes through csv_safe: the text is the public's, and staff open the file in a spreadsheet."""
        groups: dict[tuple[str, str], dict] = {}
        for row in self.rows(("unanswered", "down")):
            key = (row["kind"], row["question"])
            group = groups.setdefault(key, {"kind": row["kind"], "question": row["question"], "count": 0,
                                            "first_seen": row["created_at"], "comments": [], "answer": "",
                                            "reasons": {}})
            group["count"] += 1
            group["last_seen"] = row["created_at"]
            group["corpus_version"] = row["corpus_version"] or ""
            if row["comment"] and row["comment"] not in group["comments"]:
                group["comments"].append(row["comment"])
            group["answer"] = row["answer"] or group["answer"]
            if row["reason"]:
                group["reasons"][row["reason"]] = group["reasons"].get(row["reason"], 0) + 1
        buffer = io.StringIO()
        # RFC 4180 line ends: the writer then also quotes a cell holding a bare CR, which would otherwise split the row.
        writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        for group in sorted(groups.values(), key=lambda g: (-g["count"], g["kind"], g["last_seen"])):
            reasons = " | ".join(f"{reason}×{n}" for reason, n in sorted(group["reasons"].items(), key=lambda r: -r[1]))
            row = {**group, "comments": " | ".join(group["comments"]), "reasons": reasons}
            writer.writerow({column: csv_safe(row[column]) for column in EXPORT_COLUMNS})
        text = buffer.getvalue()
        if out is not None:
            out.write(text)
        return text
