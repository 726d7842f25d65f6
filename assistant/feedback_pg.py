"""PostgreSQL backend of the feedback store, for several workers and replicas sharing one table (the `scale` extra).

Connections come from a psycopg_pool.ConnectionPool, checked on checkout so a database restart costs no request.
The schema is migrated on start under a transaction-scoped advisory lock, so replicas starting together apply each
step once; if the database is not reachable yet, the service still starts (the readiness probe says not ready) and
the migration is retried on first use.
"""

import logging
import threading
from contextlib import contextmanager

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from assistant.errors import ConfigError
from assistant.feedback import COLUMNS, TIME_FORMAT

log = logging.getLogger(__name__)

# Versioned steps, applied in order and recorded in feedback_migrations. A released step is never edited: a change
# to the schema is a new step appended here.
MIGRATIONS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (1, ("""CREATE TABLE feedback (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            created_at TIMESTAMPTZ NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('up', 'down', 'unanswered')),
            question TEXT NOT NULL,
            answer TEXT,
            comment TEXT,
            corpus_version TEXT,
            source TEXT,
            reason TEXT)""",
         "CREATE INDEX feedback_kind ON feedback (kind, created_at)")),
)
MIGRATION_LOCK = 0x6173_7369_7374_6662  # pg_advisory_xact_lock key: any constant no other code of ours uses
TIMEOUT = 10.0  # seconds a call waits for a pooled connection before it fails
START_TIMEOUT = 3.0  # seconds to wait for a connection at start before deferring the migration to first use
PING_TIMEOUT = 2.0


def migrate(conn: psycopg.Connection) -> list[int]:
    """Apply the steps this database lacks, in one transaction; returns the versions applied (none when current)."""
    applied = []
    with conn.transaction():
        # Taken first: even CREATE TABLE IF NOT EXISTS fails when two sessions run it at the same moment.
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        conn.execute("CREATE TABLE IF NOT EXISTS feedback_migrations (version INTEGER PRIMARY KEY, "
                     "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
        done = {version for (version,) in conn.execute("SELECT version FROM feedback_migrations")}
        for version, statements in MIGRATIONS:
            if version not in done:
                for statement in statements:
                    conn.execute(statement)
                conn.execute("INSERT INTO feedback_migrations (version) VALUES (%s)", (version,))
                applied.append(version)
    return applied


def safe_url(url: str) -> str:
    """The URL without its user and password, for logs and messages."""
    return url.split("://", 1)[0] + "://" + url.rsplit("@", 1)[-1] if "@" in url else url


def _scrub(message: str, url: str) -> str:
    """libpq quotes the URL, or a piece of it, in its errors: keep the password out of ours."""
    password = url.split("://", 1)[-1].rsplit("@", 1)[0].partition(":")[2] if "@" in url else ""
    message = message.replace(url, safe_url(url))
    return message.replace(password, "***") if password else message


class PostgresBackend:
    """Rows in the table `feedback` of the database (and search_path schema) the URL names."""

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 8):
        try:
            conninfo_to_dict(url)
        except psycopg.ProgrammingError as exc:
            problem = _scrub(str(exc), url)
            raise ConfigError(f"feedback_db: invalid PostgreSQL URL {safe_url(url)!r}: {problem}") from None
        self.url = url
        self._migrated = False
        self._lock = threading.Lock()
        self._pool = ConnectionPool(url, min_size=min_size, max_size=max_size, timeout=TIMEOUT, open=True,
                                    kwargs={"autocommit": True}, check=ConnectionPool.check_connection,
                                    name="feedback")
        try:
            with self._connection(START_TIMEOUT):
                pass
        except psycopg.Error as exc:
            log.warning("feedback database %s not reachable yet (%s); migrating on first use", safe_url(url), exc)

    @contextmanager
    def _connection(self, timeout: float | None = None):
        """A pooled connection to a migrated schema."""
        with self._pool.connection(timeout=timeout) as conn:
            if not self._migrated:
                with self._lock:
                    if not self._migrated:
                        if applied := migrate(conn):
                            log.info("feedback database %s migrated to version %s", safe_url(self.url), applied[-1])
                        self._migrated = True
            yield conn

    def insert(self, row: dict) -> int:
        with self._connection() as conn:
            cursor = conn.execute(f"INSERT INTO feedback ({', '.join(COLUMNS)}) "
                                  f"VALUES ({', '.join('%s' for _ in COLUMNS)}) RETURNING id",
                                  [row[c] for c in COLUMNS])
            return int(cursor.fetchone()[0])

    def update_reason(self, row_id: int, reason: str) -> bool:
        with self._connection() as conn:
            cursor = conn.execute("UPDATE feedback SET reason = %s WHERE id = %s AND kind = 'down'", (reason, row_id))
            return cursor.rowcount == 1

    def select(self, kinds: tuple[str, ...]) -> list[dict]:
        with self._connection() as conn:
            cursor = conn.cursor(row_factory=dict_row)
            rows = cursor.execute("SELECT * FROM feedback WHERE kind = ANY(%s) ORDER BY id", (list(kinds),)).fetchall()
        for row in rows:  # the same text SQLite stores, in this process's time zone
            row["created_at"] = row["created_at"].astimezone().strftime(TIME_FORMAT)
        return rows

    def ping(self) -> bool:
        try:
            with self._connection(PING_TIMEOUT) as conn:
                conn.execute("SELECT 1 FROM feedback LIMIT 1").fetchall()
            return True
        except psycopg.Error:
            return False

    def close(self) -> None:
        self._pool.close()
