"""Settings: sensible defaults, and one readable line for every bad value."""

from __future__ import annotations

import base64
from decimal import Decimal

import pytest

from bot.cli import main
from bot.settings import Settings, SettingsError, load_settings
from bot.wiring import build_services

NAMES = [name.upper() for name in Settings.model_fields]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults_point_at_the_local_services() -> None:
    settings = load_settings()
    assert settings.database_url == "postgresql+asyncpg://postgres@127.0.0.1:5432/sportscenter"
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    assert settings.storage_backend == "local"
    assert settings.telegram_bot_token is None
    assert settings.admin_telegram_ids == []
    assert settings.payments_provider_token is None  # Telegram Stars
    assert settings.stars_per_unit == Decimal("50")


def test_env_file_is_read(tmp_path) -> None:
    (tmp_path / ".env").write_text("ADMIN_TELEGRAM_IDS=42, 7\nDEFAULT_TIMEZONE=Europe/Madrid\n")
    settings = load_settings()
    assert settings.admin_telegram_ids == [42, 7]
    assert settings.default_timezone == "Europe/Madrid"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATABASE_URL", "mysql://db", "DATABASE_URL: must start with postgresql+asyncpg://"),
        ("REDIS_URL", "http://x", "REDIS_URL: must start with redis://"),
        ("STORAGE_BACKEND", "ftp", "STORAGE_BACKEND: Input should be 'local' or 's3'"),
        ("ADMIN_TELEGRAM_IDS", "12,bob", "ADMIN_TELEGRAM_IDS: must be comma-separated numeric"),
        ("DEFAULT_TIMEZONE", "Mars/Olympus", "DEFAULT_TIMEZONE: unknown IANA time zone"),
        ("DATA_ENCRYPTION_KEY", "c2hvcnQ=", "DATA_ENCRYPTION_KEY: must decode to 32 bytes"),
        ("TELEGRAM_BOT_TOKEN", "not-a-token", "TELEGRAM_BOT_TOKEN: must look like 123456:ABC"),
        ("TELEGRAM_API_URL", "ftp://api", "TELEGRAM_API_URL: must be an http:// or https:// URL"),
        ("STARS_PER_UNIT", "0", "STARS_PER_UNIT: Input should be greater than 0"),
        ("STARS_PER_UNIT", "-2", "STARS_PER_UNIT: Input should be greater than 0"),
        ("STARS_PER_UNIT", "NaN", "STARS_PER_UNIT: Input should be a finite number"),
        ("STARS_PER_UNIT", "fifty", "STARS_PER_UNIT: Input should be a valid decimal"),
        ("RAW_VIDEO_RETENTION_DAYS", "0", "RAW_VIDEO_RETENTION_DAYS: Input should be greater"),
        ("METRICS_RETENTION_MONTHS", "x", "METRICS_RETENTION_MONTHS: Input should be a valid"),
        ("ARCHIVE_STORAGE_CLASS", "DEEP", "ARCHIVE_STORAGE_CLASS: Input should be 'GLACIER_IR'"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_s3_backend_needs_a_bucket(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORAGE_BACKEND", "s3")
    monkeypatch.setenv("S3_BUCKET", "")
    with pytest.raises(SettingsError, match="S3_BUCKET is required"):
        load_settings()


def test_the_command_stops_with_exit_2_and_the_line_on_stderr(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Nowhere/City")
    assert main(["migrate"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        "sportscenter: configuration error: DEFAULT_TIMEZONE: unknown IANA time zone 'Nowhere/City'"
    )


def test_help_lists_the_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "migrate" in out
    assert "check" in out


def _key(byte: bytes) -> str:
    return base64.urlsafe_b64encode(byte * 32).decode()


def test_data_encryption_key_takes_a_list_newest_first_and_signs_with_the_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATA_ENCRYPTION_KEY", f"{_key(b'n')}, {_key(b'o')}")

    settings = load_settings()

    assert settings.data_encryption_key == f"{_key(b'n')},{_key(b'o')}"
    assert settings.signing_key == b"n" * 32


def test_a_single_data_encryption_key_still_signs_media_links(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATA_ENCRYPTION_KEY", _key(b"k"))

    assert load_settings().signing_key == b"k" * 32


@pytest.mark.parametrize(
    ("second_key", "reason"),
    [
        (base64.urlsafe_b64encode(b"sixteen-byte-key").decode(), "must decode to 32 bytes"),
        ("secret-key-that-is-not*base64", "must be url-safe base64"),
    ],
)
def test_a_bad_second_key_is_named_by_position_without_echoing_any_key(
    monkeypatch: pytest.MonkeyPatch, second_key: str, reason: str
) -> None:
    good_key = _key(b"g")
    monkeypatch.setenv("DATA_ENCRYPTION_KEY", f"{good_key},{second_key}")

    with pytest.raises(SettingsError) as caught:
        load_settings()

    message = str(caught.value)
    assert message.startswith(f"DATA_ENCRYPTION_KEY: {reason} (key 2 of 2 ")
    for key in (good_key, second_key):
        assert key not in message
        assert key.rstrip("=")[:8] not in message
    assert "\n" not in message


PROVIDER_TOKEN = "284685063:TEST:Zm9vYmFyYmF6cXV4"


def test_a_provider_token_is_kept_but_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAYMENTS_PROVIDER_TOKEN", PROVIDER_TOKEN)
    monkeypatch.setenv("STARS_PER_UNIT", "12.5")

    settings = load_settings()

    assert settings.payments_provider_token is not None
    assert settings.payments_provider_token.get_secret_value() == PROVIDER_TOKEN
    assert settings.stars_per_unit == Decimal("12.5")
    assert "Zm9vYmFy" not in repr(settings) and "Zm9vYmFy" not in str(settings)


def test_an_empty_provider_token_means_stars(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAYMENTS_PROVIDER_TOKEN", "")

    assert load_settings().payments_provider_token is None


@pytest.mark.parametrize(
    "token", ["123456:AAHk-bot-token-pasted-by-mistake", "abc:TEST:x", "1:PROD:Zm9vYmFy", "1:LIVE:"]
)
def test_a_malformed_provider_token_is_refused_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch, token: str
) -> None:
    monkeypatch.setenv("PAYMENTS_PROVIDER_TOKEN", token)

    with pytest.raises(SettingsError) as caught:
        load_settings()

    message = str(caught.value)
    assert message.startswith("PAYMENTS_PROVIDER_TOKEN: must look like 123456:TEST:")
    assert token not in message and "\n" not in message


@pytest.mark.parametrize("command", ["run", "worker"])
def test_a_real_bot_without_an_encryption_key_refuses_to_start_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:ABCdefGhIJKlmNoPQRsTUVwxyZ")
    assert main([command]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "DATA_ENCRYPTION_KEY is required" in err


def test_the_emulator_mode_keeps_its_development_key() -> None:
    from bot.cli import refuse_without_key

    settings = load_settings()
    assert settings.telegram_bot_token is None and refuse_without_key(settings) is None
    assert settings.encryption_keys  # derived from DATABASE_URL, for local data only


@pytest.mark.parametrize(("level", "chatty"), [("INFO", False), ("DEBUG", True)])
def test_libraries_routine_is_logged_only_at_debug(
    monkeypatch: pytest.MonkeyPatch, level: str, chatty: bool
) -> None:
    import logging

    from bot.logs import CHATTY_LOGGERS, PERSONAL_LOGGERS, configure_logging

    for name in (*CHATTY_LOGGERS, *PERSONAL_LOGGERS):  # put back whatever this test changes
        monkeypatch.setattr(logging.getLogger(name), "level", logging.getLogger(name).level)
    configure_logging(level)
    for name in ("apscheduler.executors.default", "alembic.runtime.plugins", "httpx"):
        assert logging.getLogger(name).getEffectiveLevel() == (
            logging.DEBUG if chatty else logging.WARNING
        )


def test_s3_public_endpoint_reaches_the_storage_that_signs_links(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STORAGE_BACKEND", "s3")
    monkeypatch.setenv("S3_ENDPOINT_URL", "http://minio:9000")
    monkeypatch.setenv("S3_PUBLIC_ENDPOINT_URL", "http://127.0.0.1:9000/")

    settings = load_settings()

    assert settings.s3_public_endpoint_url == "http://127.0.0.1:9000"
    storage = build_services(settings).storage
    assert storage.public_endpoint_url == "http://127.0.0.1:9000"


def test_retention_periods_reach_the_services(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAW_VIDEO_RETENTION_DAYS", "30")
    monkeypatch.setenv("RENDITION_RETENTION_DAYS", "180")
    monkeypatch.setenv("METRICS_RETENTION_MONTHS", "24")

    retention = build_services(load_settings()).retention

    assert (retention.raw_video_days, retention.rendition_days, retention.metrics_months) == (
        30,
        180,
        24,
    )
