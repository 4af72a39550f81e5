"""Settings: flag > environment > default; `shifu config` masks secrets; README documents every setting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shifu.settings import SETTINGS, SettingsError, load_settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_default_then_environment_then_flag() -> None:
    assert load_settings(environ={}).chunk_tokens == 400
    assert load_settings(environ={"SHIFU_CHUNK_TOKENS": "200"}).chunk_tokens == 200
    assert load_settings(environ={"SHIFU_CHUNK_TOKENS": "200"}, chunk_tokens=300).chunk_tokens == 300
    assert load_settings(environ={}).home == Path(".shifu")
    assert load_settings(environ={"SHIFU_HOME": "/data/shifu"}, home=Path("/x")).home == Path("/x")


def test_an_unset_flag_does_not_hide_the_environment() -> None:
    assert load_settings(environ={"SHIFU_MAX_FILE_MB": "5"}, max_file_mb=None).max_file_mb == 5.0


def test_fallback_variables_apply_only_when_the_own_one_is_unset() -> None:
    env = {"OPENAI_API_KEY": "sk-from-openai-var"}
    assert load_settings(environ=env).llm_api_key == "sk-from-openai-var"
    env["SHIFU_LLM_API_KEY"] = "sk-from-shifu-var"
    assert load_settings(environ=env).llm_api_key == "sk-from-shifu-var"


def test_bad_values_name_the_variable() -> None:
    with pytest.raises(SettingsError, match="SHIFU_CHUNK_TOKENS"):
        load_settings(environ={"SHIFU_CHUNK_TOKENS": "many"})
    with pytest.raises(SettingsError, match="SHIFU_EMBEDDINGS"):
        load_settings(environ={"SHIFU_EMBEDDINGS": "magic"})
    with pytest.raises(SettingsError, match="unknown setting"):
        load_settings(environ={}, chunk_size=3)


def test_database_and_index_live_in_home(tmp_path: Path) -> None:
    s = load_settings(environ={"SHIFU_HOME": str(tmp_path)})
    assert s.db_url == f"sqlite:///{(tmp_path / 'shifu.db').resolve()}"
    assert s.chroma_dir == tmp_path / "chroma"


def test_config_command_masks_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.cli.main import app

    monkeypatch.setenv("SHIFU_LLM_API_KEY", "sk-verysecretkey-123456")
    monkeypatch.setenv("SHIFU_DATABASE_URL", "postgresql://trainer:hunter2@db.example/shifu")
    monkeypatch.setenv("SHIFU_CHUNK_TOKENS", "321")
    result = CliRunner().invoke(app, ["config"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "verysecretkey" not in result.output and "hunter2" not in result.output
    assert "sk-****56" in result.output
    assert "postgresql://trainer:****@db.example/shifu" in result.output
    assert "321" in result.output


def _readme_settings() -> dict[str, str]:
    rows = re.findall(r"^\|\s*`([A-Z0-9_]+)`\s*\|\s*([^|]*?)\s*\|", README.read_text(encoding="utf-8"), re.M)
    return {env: default.strip("`") for env, default in rows}


def test_readme_documents_every_setting() -> None:
    documented = _readme_settings()
    missing = [s.env for s in SETTINGS if s.env not in documented]
    assert not missing, f"README.md's settings table lacks {missing}"


def test_readme_defaults_match_the_code() -> None:
    documented = _readme_settings()
    wrong = [
        f"{s.env}: README says {documented[s.env]!r}, code says {s.default!r}"
        for s in SETTINGS
        if s.env in documented and documented[s.env] != ("(unset)" if s.default is None else str(s.default))
    ]
    assert not wrong, "\n".join(wrong)
