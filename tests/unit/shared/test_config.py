from pathlib import Path

import pytest

from shared.config import ConfigError, load_settings


def test_defaults_without_file() -> None:
    settings = load_settings(None, environ={})
    assert settings.database.url == "sqlite+aiosqlite:///./data/laddpunkt.db"
    assert settings.ocpp.port == 9000
    assert settings.ocpp.path == "/ocpp"
    assert settings.http.port == 8080
    assert settings.ocpp.unknown_stations == "accept"


def test_file_and_environment_override(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[ocpp]\nport = 9100\n[database]\nurl = "sqlite+aiosqlite:///x.db"\n')
    settings = load_settings(path, environ={"CSMS_OCPP__PORT": "9200", "CSMS_HTTP__PORT": "81"})
    assert settings.ocpp.port == 9200
    assert settings.http.port == 81
    assert settings.database.url == "sqlite+aiosqlite:///x.db"


def test_unknown_key_names_key_and_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[ocpp]\nprot = 1\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path, environ={})
    assert "ocpp.prot" in str(info.value)
    assert str(path) in str(info.value)
    assert "unknown key" in str(info.value)


def test_bad_type_from_environment_names_variable() -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(None, environ={"CSMS_OCPP__PORT": "nine"})
    assert "ocpp.port" in str(info.value)
    assert "CSMS_OCPP__PORT" in str(info.value)


def test_unreadable_file() -> None:
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_settings("/nonexistent/laddpunkt.toml", environ={})


def test_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[ocpp\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(path, environ={})


def test_secrets_stay_out_of_repr() -> None:
    settings = load_settings(
        None,
        environ={
            "CSMS_HTTP__ADMIN_TOKEN": "s3cret-token",
            "CSMS_DATABASE__URL": "postgresql+asyncpg://u:hunter2@127.0.0.1/db",
        },
    )
    text = repr(settings) + str(settings)
    assert "s3cret-token" not in text
    assert "hunter2" not in text
    assert "hunter2" not in settings.database.display_url
    assert settings.http.admin_token is not None
    assert settings.http.admin_token.get_secret_value() == "s3cret-token"


def test_example_config_is_complete_and_valid() -> None:
    example = Path(__file__).parents[3] / "config.example.toml"
    settings = load_settings(example, environ={})
    import tomllib

    documented = tomllib.loads(example.read_text())
    for section_name, section in settings.model_dump().items():
        assert section_name in documented, f"[{section_name}] missing from config.example.toml"
        for key in section:
            if key == "id" and section_name == "node":
                continue
            text = example.read_text()
            assert f"{key} =" in text or f"# {key} =" in text, f"{section_name}.{key} undocumented"
