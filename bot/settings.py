"""Runtime settings: one object, read once from the environment and `.env`."""

from __future__ import annotations

import base64
import hashlib
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from domain.secrets_box import keys_from_setting


class SettingsError(Exception):
    """A setting has a bad value; the message is one line naming it and why."""


class Settings(BaseSettings):
    """Every knob SportsCenter reads from its environment."""

    # hide_input_in_errors: a bad DATA_ENCRYPTION_KEY or token must never be echoed in an error.
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", case_sensitive=False, hide_input_in_errors=True
    )

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/sportscenter"
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_key_prefix: str = "sc:"
    storage_backend: Literal["local", "s3"] = "local"
    media_dir: Path = Path("var/media")
    public_base_url: str = "http://127.0.0.1:8081"
    s3_bucket: str = "sports-center"
    s3_endpoint_url: str | None = None
    # Where a browser reaches the same S3 (presigned links are signed for this host); unset: the
    # endpoint above. In compose the bot reaches MinIO as http://minio:9000, a browser cannot.
    s3_public_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    telegram_bot_token: str | None = None
    telegram_api_url: str = "https://api.telegram.org"
    admin_telegram_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    default_timezone: str = "UTC"
    data_encryption_key: str | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # "text" for people reading a terminal; "json": one object per line for a log pipeline.
    log_format: Literal["text", "json"] = "text"
    # /healthz, /readyz and /metrics of `run` and `worker` (0: any free port, logged at start).
    health_listen: str = "0.0.0.0"
    health_port: int = Field(default=8080, ge=0, le=65535)
    # The same for the video worker `run` starts beside the bot (VIDEO_WORKER=embedded).
    embedded_worker_health_port: int = Field(default=8082, ge=0, le=65535)
    emulator_host: str = "127.0.0.1"
    emulator_port: int = Field(default=8081, ge=0, le=65535)
    emulator_limits: bool = True
    # The emulator's people, chats and ids, kept across restarts: our database keeps people by
    # their Telegram id, so the emulator must never give an id to someone new.
    emulator_state_file: Path = Path("var/emulator-state.json")
    # "telegram" paces sends to Telegram's limits; "off" only retries 429s (benchmarks).
    outgoing_rate_limit: Literal["telegram", "off"] = "telegram"
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    # Unset: sessions are invoiced in Telegram Stars, which need no provider.
    payments_provider_token: SecretStr | None = None
    # Stars per unit of a coach's currency (40.00 EUR at 50 is 2000 Stars).
    stars_per_unit: Decimal = Field(default=Decimal("50"), gt=0, allow_inf_nan=False)
    # True when TELEGRAM_API_URL is a local Bot API server (telegram-bot-api --local): it hands
    # bots files of any size (up to 2 GB) by path instead of the cloud's 20 MB download limit.
    telegram_local_mode: bool = False
    # "embedded": `sportscenter run` starts a video worker process beside the bot; "separate":
    # workers are started on their own with `sportscenter worker` (see docs/operations.md).
    video_worker: Literal["embedded", "separate"] = "embedded"
    # A worker silent this long (no heartbeat: killed, machine gone) has its jobs run by another.
    video_job_timeout_s: float = Field(default=60.0, gt=0, le=3600)
    # Longer videos are refused: analysis is for a set or a drill, not a whole match.
    video_max_duration_s: int = Field(default=600, ge=5, le=7200)
    # Retention (docs/operations.md "Retention"): raw videos older than this move to colder
    # storage (S3: ARCHIVE_STORAGE_CLASS; local: the archive/ folder), still readable.
    raw_video_retention_days: int = Field(default=90, ge=1, le=36500)
    # Processed renditions (the 720p video.mp4) older than this are deleted; the analysis stays.
    rendition_retention_days: int = Field(default=365, ge=1, le=36500)
    # Metric partitions of months ending longer ago than this are detached and archived.
    metrics_retention_months: int = Field(default=36, ge=1, le=1200)
    # A freed place in a full group session is offered to the first in line for this many hours
    # (less when the session is sooner), then to the next (domain.booking.waitlist).
    waitlist_offer_hours: int = Field(default=12, ge=1, le=168)
    archive_storage_class: Literal["GLACIER_IR", "STANDARD_IA", "ONEZONE_IA", "GLACIER"] = (
        "GLACIER_IR"
    )

    @field_validator("database_url")
    @classmethod
    def _asyncpg_url(cls, value: str) -> str:
        if not value.startswith("postgresql+asyncpg://"):
            raise ValueError("must start with postgresql+asyncpg://")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str) -> str:
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @field_validator(
        "telegram_api_url",
        "public_base_url",
        "s3_endpoint_url",
        "s3_public_endpoint_url",
        "webhook_url",
    )
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/") if value else value

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: str | None) -> str | None:
        if not value:
            return None
        bot_id, _, secret = value.partition(":")
        if not bot_id.isdigit() or len(secret) < 10:
            raise ValueError("must look like 123456:ABC... as issued by @BotFather")
        return value

    @field_validator("payments_provider_token")
    @classmethod
    def _provider_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        # BotFather issues <digits>:TEST:<secret> or <digits>:LIVE:<secret>; a bot token pasted
        # here by mistake would make every invoice fail, so it is refused at start-up.
        bot_id, _, rest = value.get_secret_value().partition(":")
        mode, _, secret = rest.partition(":")
        if not bot_id.isdigit() or mode not in ("TEST", "LIVE") or not secret:
            raise ValueError(
                "must look like 123456:TEST:... or 123456:LIVE:... as issued by @BotFather"
            )
        return value

    @field_validator("admin_telegram_ids", mode="before")
    @classmethod
    def _comma_separated_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            if not all(part.lstrip("-").isdigit() for part in parts):
                raise ValueError("must be comma-separated numeric Telegram user ids")
            return [int(part) for part in parts]
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value

    @field_validator("data_encryption_key")
    @classmethod
    def _keys_are_32_bytes(cls, value: str | None) -> str | None:
        # One key, or several newest first while stored values are re-encrypted (see SecretBox).
        if not value:
            return None
        return ",".join(base64.urlsafe_b64encode(key).decode() for key in keys_from_setting(value))

    @field_validator("webhook_secret")
    @classmethod
    def _secret_charset(cls, value: str | None) -> str | None:
        # Telegram accepts 1-256 characters of A-Z, a-z, 0-9, _ and -.
        if value and (len(value) > 256 or not all(c.isalnum() or c in "_-" for c in value)):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value or None

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.storage_backend == "s3" and not self.s3_bucket:
            raise ValueError("S3_BUCKET is required when STORAGE_BACKEND=s3")
        if self.webhook_url and not self.webhook_secret:
            raise ValueError("WEBHOOK_SECRET is required when WEBHOOK_URL is set")
        return self

    @property
    def signing_key(self) -> bytes:
        """Key for HMAC-signed media links: the newest data key, else a per-database constant."""
        if self.data_encryption_key:
            return keys_from_setting(self.data_encryption_key)[0]
        return ("sportscenter-dev:" + self.database_url).encode()

    @property
    def encryption_keys(self) -> list[bytes]:
        """Keys for sensitive fields, newest first; unset: a dev-only key per database."""
        if self.data_encryption_key:
            return keys_from_setting(self.data_encryption_key)
        # Deterministic so a local database stays readable across restarts; never for production
        # (bot.runner warns when it is used).
        return [hashlib.sha256(b"sportscenter-dev-fields:" + self.database_url.encode()).digest()]


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning a validation failure into one readable line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as err:
        first = err.errors()[0]
        reason = first["msg"].removeprefix("Value error, ")
        if not first["loc"]:
            raise SettingsError(reason) from None
        raise SettingsError(f"{str(first['loc'][0]).upper()}: {reason}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read on first use."""
    return load_settings()
