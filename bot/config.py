"""Settings: one object, built from the environment (or `.env`) or explicitly in tests."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from domain.etiquette import Etiquette

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///ecoute.db"


class SettingsError(Exception):
    """A setting is missing or invalid; the message is one line naming it."""


class Settings(BaseSettings):
    """Everything configurable, with the environment variable names users see."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    slack_bot_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("SLACK_BOT_TOKEN")
    )
    slack_signing_secret: SecretStr | None = Field(
        None, validation_alias=AliasChoices("SLACK_SIGNING_SECRET")
    )
    slack_api_url: str = Field(
        "https://slack.com/api/", validation_alias=AliasChoices("SLACK_API_URL")
    )
    slack_app_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("SLACK_APP_TOKEN")
    )
    database_url: str = Field(
        DEFAULT_DATABASE_URL, validation_alias=AliasChoices("ECOUTE_DATABASE_URL")
    )
    intake_secrets: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list, validation_alias=AliasChoices("ECOUTE_INTAKE_SECRETS")
    )
    pseudonym_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("ECOUTE_PSEUDONYM_KEY")
    )
    timezone: str = Field("Europe/Paris", validation_alias=AliasChoices("ECOUTE_TIMEZONE"))
    default_locale: str = Field("fr", validation_alias=AliasChoices("ECOUTE_DEFAULT_LOCALE"))
    admins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=AliasChoices("ECOUTE_ADMINS")
    )
    dispatch_interval_seconds: float = Field(
        1.0, validation_alias=AliasChoices("ECOUTE_DISPATCH_INTERVAL")
    )
    dispatch_batch: int = Field(50, validation_alias=AliasChoices("ECOUTE_DISPATCH_BATCH"))
    max_send_attempts: int = Field(6, validation_alias=AliasChoices("ECOUTE_MAX_SEND_ATTEMPTS"))
    dispatch_lease_seconds: float = Field(
        120, gt=0, validation_alias=AliasChoices("ECOUTE_DISPATCH_LEASE")
    )
    log_format: Literal["json", "text"] = Field(
        "json", validation_alias=AliasChoices("ECOUTE_LOG_FORMAT")
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", validation_alias=AliasChoices("ECOUTE_LOG_LEVEL")
    )
    slack_posts_per_minute: int = Field(
        300, validation_alias=AliasChoices("ECOUTE_SLACK_POSTS_PER_MINUTE")
    )
    slack_timeout_seconds: float = Field(
        10.0, validation_alias=AliasChoices("ECOUTE_SLACK_TIMEOUT")
    )
    cooldown_days: float = Field(7, validation_alias=AliasChoices("ECOUTE_COOLDOWN_DAYS"))
    commitment_cooldown_days: float = Field(
        30, validation_alias=AliasChoices("ECOUTE_COMMITMENT_COOLDOWN_DAYS")
    )
    response_window_days: float = Field(
        7, validation_alias=AliasChoices("ECOUTE_RESPONSE_WINDOW_DAYS")
    )
    reminder_after_hours: float = Field(
        48, validation_alias=AliasChoices("ECOUTE_REMINDER_AFTER_HOURS")
    )
    identity_retention_days: float = Field(
        30, validation_alias=AliasChoices("ECOUTE_IDENTITY_RETENTION_DAYS")
    )
    answer_retention_days: float = Field(
        730, validation_alias=AliasChoices("ECOUTE_ANSWER_RETENTION_DAYS")
    )
    escalation_days: float = Field(
        14, gt=0, validation_alias=AliasChoices("ECOUTE_ESCALATION_DAYS")
    )
    quality_channel: str | None = Field(
        None, validation_alias=AliasChoices("ECOUTE_QUALITY_CHANNEL")
    )
    max_body_bytes: int = 1024 * 1024

    @field_validator("intake_secrets", mode="before")
    @classmethod
    def _split_secrets(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("admins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("default_locale")
    @classmethod
    def _supported_locale(cls, value: str) -> str:
        if value not in ("fr", "en"):
            raise ValueError("must be 'fr' or 'en'")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    def require(self, *fields: str) -> None:
        """Raise SettingsError naming the first of `fields` that is not set."""
        for field in fields:
            if getattr(self, field) in (None, [], ""):
                raise SettingsError(f"missing setting {_ENV_NAMES.get(field, field)}")

    def secret(self, field: str) -> str:
        """Return a required secret's value (after `require`)."""
        value = getattr(self, field)
        if value is None:
            raise SettingsError(f"missing setting {_ENV_NAMES.get(field, field)}")
        return str(value.get_secret_value())

    @property
    def etiquette(self) -> Etiquette:
        """Return the contact budget, response window and reminder delay as the domain uses them."""
        return Etiquette(
            cooldown=timedelta(days=self.cooldown_days),
            commitment_cooldown=timedelta(days=self.commitment_cooldown_days),
            response_window=timedelta(days=self.response_window_days),
            reminder_after=timedelta(hours=self.reminder_after_hours),
        )

    @property
    def zone(self) -> ZoneInfo:
        """Return the deployment's time zone."""
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        """Tell whether the database is SQLite (one process only)."""
        return self.database_url.startswith("sqlite")


_ENV_NAMES = {
    name: str(field.validation_alias.choices[0])
    for name, field in Settings.model_fields.items()
    if isinstance(field.validation_alias, AliasChoices)
}


def load_settings(env_file: Path | None = Path(".env"), **overrides: Any) -> Settings:
    """Build settings from the environment, or raise SettingsError naming the first bad one."""
    try:
        return Settings(_env_file=env_file, **overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "?"
        env_name = _ENV_NAMES.get(field, field)
        if error["type"] == "missing":
            raise SettingsError(f"missing setting {env_name}") from None
        raise SettingsError(f"invalid setting {env_name}: {error['msg']}") from None
