import pytest

from novel_platform.config import ConfigError, load_settings
from services.character.config import CharacterSettings
from services.gateway.config import GatewaySettings


def test_missing_database_url_is_named(monkeypatch):
    monkeypatch.delenv("NE_DATABASE_URL", raising=False)
    with pytest.raises(ConfigError, match="NE_DATABASE_URL"):
        load_settings(CharacterSettings)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("NE_GRPC_PORT", "not-a-port"),
        ("NE_GRPC_PORT", "70000"),
        ("NE_NATS_URL", "http://example"),
        ("NE_LOG_LEVEL", "chatty"),
        ("NE_SHUTDOWN_GRACE_SECONDS", "-1"),
        ("NE_DATABASE_URL", "mysql://x"),
    ],
)
def test_bad_variable_is_named(monkeypatch, variable, value):
    monkeypatch.setenv("NE_DATABASE_URL", "postgresql://u@h/db")
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=variable):
        load_settings(CharacterSettings)


def test_defaults_and_overrides(monkeypatch):
    monkeypatch.setenv("NE_DATABASE_URL", "postgresql://u@h/db")
    monkeypatch.setenv("NE_HTTP_PORT", "9001")
    monkeypatch.setenv("NE_LOG_LEVEL", "debug")
    settings = load_settings(GatewaySettings)
    assert settings.http_port == 9001
    assert settings.log_level == "DEBUG"
    assert settings.max_body_bytes == 1024 * 1024


def test_service_exits_2_naming_the_variable(monkeypatch, capsys):
    from novel_platform.runtime import main

    monkeypatch.delenv("NE_DATABASE_URL", raising=False)

    async def never(_):  # pragma: no cover - setup must not run with bad config
        raise AssertionError

    with pytest.raises(SystemExit) as caught:
        main("character", CharacterSettings, never)
    assert caught.value.code == 2
    assert "NE_DATABASE_URL" in capsys.readouterr().err
