"""The PostgreSQL feedback backend against a real server: it behaves as SQLite does, migrates once however many
replicas start together, keeps every row written from many threads, and replicas see each other's rows.

Each test works in a schema of its own (dropped afterwards), so runs can repeat and overlap. Without a server the
tests skip, except in CI (CI set), where they fail.
"""

import csv
import io
import os
import threading
import uuid

import pytest

from assistant.errors import ConfigError
from assistant.feedback import FeedbackStore

psycopg = pytest.importorskip("psycopg", reason="psycopg is in the `scale` extra")
feedback_pg = pytest.importorskip("assistant.feedback_pg")

BASE_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="module")
def server():
    try:
        with psycopg.connect(BASE_URL, connect_timeout=3):
            return BASE_URL
    except psycopg.Error as exc:
        message = f"PostgreSQL not reachable at {BASE_URL}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _url_for(schema: str, scheme: str = "postgresql") -> str:
    url = scheme + "://" + BASE_URL.split("://", 1)[1]
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


@pytest.fixture
def schema(server):
    name = "feedback_test_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    yield name
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {name} CASCADE")


@pytest.fixture
def url(schema):
    return _url_for(schema)


@pytest.fixture
def store(url):
    with FeedbackStore(url) as opened:
        yield opened


def _versions(schema: str) -> list[int]:
    with psycopg.connect(BASE_URL) as conn:
        return [v for (v,) in conn.execute(f"SELECT version FROM {schema}.feedback_migrations ORDER BY version")]


def _scenario(store: FeedbackStore) -> tuple[list[dict], str]:
    """The same calls on either backend; returns the rows (without timestamps) and the export (without them)."""
    first = store.add("down", "我是13812345678，身份证110101199003074514，邮箱a@b.cn，要办执照吗？",
                      answer="回答", comment="联系我 010-12345678")
    store.add("down", "我是13812345678，身份证110101199003074514，邮箱a@b.cn，要办执照吗？", reason="法条不对")
    assert store.set_reason(first, "法条不对")
    up = store.add("up", "=刷单违法吗", source="ui")
    assert not store.set_reason(up, "看不懂") and not store.set_reason(10**6, "看不懂")
    assert store.record_answer({"question": "今天天气怎么样", "answered": False, "corpus_version": "v1"}, "api")
    assert store.record_answer({"question": "刷单违法吗", "answered": True}, "api") is None
    store.add("unanswered", "\x00＝HYPERLINK(1)")
    rows = [{k: v for k, v in r.items() if k != "created_at"} for r in store.rows()]
    export = [{k: v for k, v in r.items() if not k.endswith("_seen")}
              for r in csv.DictReader(io.StringIO(store.export_csv()))]
    return rows, export


def test_behaves_as_sqlite(store, tmp_path):
    assert isinstance(store.backend, feedback_pg.PostgresBackend)
    rows, export = _scenario(store)
    assert (rows, export) == _scenario(FeedbackStore(tmp_path / "fb.sqlite3"))
    assert rows[0]["question"] == "我是[手机号已隐去]，身份证[身份证号已隐去]，邮箱[邮箱已隐去]，要办执照吗？", rows[0]
    assert rows[0]["comment"] == "联系我 [电话已隐去]" and rows[0]["reason"] == "法条不对"
    assert [r["question"] for r in export] == [rows[0]["question"], "今天天气怎么样", "'＝HYPERLINK(1)"], export
    assert export[0]["count"] == "2" and export[0]["reasons"] == "法条不对×2", export[0]


def test_created_at_reads_back_as_sqlite_writes_it(store):
    store.add("up", "问题")
    (row,) = store.rows()
    assert len(row["created_at"]) == 24 and row["created_at"][10] == "T" and row["created_at"][19] in "+-", row


def test_no_personal_data_in_the_table(store, schema):
    store.add("down", "卡号6222 0212 3456 7894，电话一三八一二三四五六七八", comment="abc at qq dot com")
    with psycopg.connect(BASE_URL) as conn:
        dump = str(conn.execute(f"SELECT * FROM {schema}.feedback").fetchall())
    for secret in ("6222", "7894", "五六七八", "abc", "qq"):
        assert secret not in dump, (secret, dump)


def test_postgres_scheme_and_empty_reads(schema):
    with FeedbackStore(_url_for(schema, "postgres")) as store:
        assert isinstance(store.backend, feedback_pg.PostgresBackend)
        assert store.rows() == [] and store.export_csv().splitlines() == [
            "kind,question,count,first_seen,last_seen,corpus_version,comments,answer,reasons"]


def test_schema_is_versioned_and_migrated_once(store, url, schema, monkeypatch):
    assert _versions(schema) == [1]
    with psycopg.connect(url) as conn:
        assert feedback_pg.migrate(conn) == [], "a current schema needs no step"
    step = (2, ("ALTER TABLE feedback ADD COLUMN spare TEXT",))
    monkeypatch.setattr(feedback_pg, "MIGRATIONS", feedback_pg.MIGRATIONS + (step,))
    with FeedbackStore(url) as upgraded, FeedbackStore(url) as again:
        assert upgraded.ping() and again.ping()
        assert upgraded.rows() == [] and again.add("up", "问题") == 1
    assert _versions(schema) == [1, 2]
    assert "spare" in store.rows()[0]


def test_replicas_starting_together_migrate_once(url, schema):
    connections = [psycopg.connect(url, autocommit=True) for _ in range(6)]
    barrier, applied, errors = threading.Barrier(len(connections)), [], []

    def start(conn):
        barrier.wait()  # every connection is open: the migrations really run at the same moment
        try:
            applied.append(feedback_pg.migrate(conn))
        except psycopg.Error as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(conn,)) for conn in connections]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for conn in connections:
        conn.close()
    assert errors == [] and sorted(applied) == [[]] * 5 + [[1]], (errors, applied)
    assert _versions(schema) == [1]
    with FeedbackStore(url) as store:
        assert store.ping() and store.add("up", "问题") == 1


def test_four_threads_write_four_hundred_rows(store):
    def write(thread: int):
        for i in range(100):
            store.add("unanswered", f"线程{thread}的问题{i}", source="load")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = store.rows()
    assert len(rows) == 400 and len({r["id"] for r in rows}) == 400, len(rows)
    assert {r["question"] for r in rows} == {f"线程{t}的问题{i}" for t in range(4) for i in range(100)}


def test_two_replicas_see_each_others_rows(url):
    with FeedbackStore(url) as one, FeedbackStore(url) as two:
        first = one.add("down", "直播要展示什么")
        second = two.add("unanswered", "今天天气怎么样")
        assert [r["id"] for r in two.rows()] == [first, second]
        assert two.set_reason(first, "看不懂")
        assert one.rows(("down",))[0]["reason"] == "看不懂"
        assert "今天天气怎么样" in one.export_csv()


def test_ping_and_close(url):
    store = FeedbackStore(url)
    assert store.ping() is True
    store.close()
    assert store.ping() is False


def test_unreachable_server_starts_not_ready(caplog, monkeypatch):
    for name in ("TIMEOUT", "START_TIMEOUT", "PING_TIMEOUT"):
        monkeypatch.setattr(feedback_pg, name, 0.5)
    with FeedbackStore("postgresql://postgres@127.0.0.1:1/test?connect_timeout=1") as store:
        assert store.ping() is False
        with pytest.raises(psycopg.OperationalError):
            store.rows()
    assert "not reachable yet" in caplog.text


def test_malformed_url_is_a_config_error_without_the_password():
    with pytest.raises(ConfigError) as caught:
        FeedbackStore("postgresql://staff:s3cret@[::1/feedback")
    assert "s3cret" not in str(caught.value) and "feedback_db" in str(caught.value), caught.value
