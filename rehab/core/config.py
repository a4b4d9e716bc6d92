"""Reading configuration from the environment.

Every setting that an operator can change comes through here, so that a wrong
value stops the process with one line naming the variable, not a traceback.
"""

from __future__ import annotations

import os
from urllib.parse import urlparse

import dj_database_url


class ConfigError(Exception):
    """A configuration value is missing or malformed; the message names the variable."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_config(name: str, default: str) -> dict:
    raw = os.environ.get(name) or default
    try:
        config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
    except (ValueError, KeyError) as exc:
        raise ConfigError(f"{name} is not a valid database URL ({exc})") from None
    if not config.get("ENGINE"):
        raise ConfigError(f"{name} has an unsupported scheme: {urlparse(raw).scheme!r}")
    if config["ENGINE"] == "django.db.backends.postgresql":
        # Send parameters separately instead of quoting them into the SQL text: large
        # JSON values (plan states, decisions) are much cheaper to write this way.
        config.setdefault("OPTIONS", {})["server_side_binding"] = True
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config.pop("CONN_HEALTH_CHECKS", None)
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {"timeout": 20}
    return config


def redis_url(name: str) -> str:
    raw = os.environ.get(name, "")
    if not raw:
        return ""
    scheme = urlparse(raw).scheme
    if scheme not in {"redis", "rediss", "unix"}:
        raise ConfigError(f"{name}={raw!r} must start with redis://, rediss:// or unix://")
    return raw
