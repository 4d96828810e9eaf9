"""Tiny typed readers for settings from the environment.

Every value has a safe embedded default; a malformed value stops start-up with
ImproperlyConfigured naming the variable, never a half-configured app.
"""

import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false/1/0), got {raw!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}.")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_timezone(name: str, default: str) -> str:
    value = os.environ.get(name, default).strip()
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{name} must be an IANA time zone such as Asia/Jakarta, got {value!r}."
        ) from None
    return value


def env_database(name: str, default_sqlite_path: str) -> dict:
    """DATABASE_URL (postgres://… or sqlite:///…) or an embedded SQLite file."""
    import dj_database_url

    raw = os.environ.get(name, "").strip()
    if not raw:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": default_sqlite_path,
            "OPTIONS": {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"},
        }
    try:
        config = dj_database_url.parse(raw)
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from None
    if not config.get("ENGINE"):
        raise ImproperlyConfigured(f"{name} names an unsupported database: {raw!r}.")
    if config["ENGINE"] == "django.db.backends.postgresql" and not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} must name a database, e.g. postgres://u:p@host/db.")
    return config


def env_redis_url(name: str, default: str = "") -> str:
    value = os.environ.get(name, default).strip()
    if value and not value.startswith(("redis://", "rediss://", "memory://", "amqp://")):
        raise ImproperlyConfigured(
            f"{name} must be a broker URL such as redis://127.0.0.1:6379/0, got {value!r}."
        )
    return value
