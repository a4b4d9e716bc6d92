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


def database_config(name: str, default: str) -> dj_database_url.DBConfig:
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


def default_site_url(host: str, port: str | int) -> str:
    """Where a server listening on host:port is reached from this machine.

    A wildcard address (every interface) is reached on the loopback address; an IPv6
    literal is written in brackets (RFC 3986)."""
    host = (host or "").strip() or "127.0.0.1"
    if host == "0.0.0.0":  # noqa: S104 - a listening address, not a bind
        host = "127.0.0.1"
    elif host in {"::", "[::]"}:
        host = "[::1]"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def site_url(name: str, default: str) -> str:
    """The absolute base URL of the site (scheme and host, no trailing slash)."""
    raw = (os.environ.get(name) or default).strip().rstrip("/")
    parts = urlparse(raw)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ConfigError(f"{name}={raw!r} must be an absolute http:// or https:// URL")
    return raw


def proxy_ssl_header(name: str, default: str = "") -> tuple[str, str] | None:
    """`Header-Name=value` (e.g. X-Forwarded-Proto=https) as Django's SECURE_PROXY_SSL_HEADER;
    None when empty. Trust it only behind a proxy that always sets or strips the header."""
    raw = os.environ.get(name, default).strip()
    if not raw:
        return None
    header, sep, value = raw.partition("=")
    header, value = header.strip(), value.strip()
    if not sep or not header or not value or not all(c.isalnum() or c == "-" for c in header):
        raise ConfigError(f"{name}={raw!r} must look like X-Forwarded-Proto=https")
    return ("HTTP_" + header.upper().replace("-", "_"), value)
