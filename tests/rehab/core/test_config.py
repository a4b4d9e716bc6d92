"""Bad configuration stops the process with one line naming the variable."""

from pathlib import Path

import pytest

from rehab.core.config import ConfigError, database_config, env_bool, redis_url
from rehab.core.embedded_redis import free_port
from tests.conftest import run_manage

ROOT = Path(__file__).resolve().parents[3]


def test_malformed_database_url_is_one_line_naming_the_variable():
    result = run_manage("check", DATABASE_URL="nosuchdb://user@host/db")

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "DATABASE_URL" in lines[0]
    assert "Traceback" not in result.stderr


def test_unreachable_database_is_one_line_naming_the_variable():
    port = free_port()
    result = run_manage("preflight", DATABASE_URL=f"postgres://nobody@127.0.0.1:{port}/nothing")

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") <= 1
    assert "DATABASE_URL: cannot connect" in result.stderr


def test_unreachable_redis_is_one_line_naming_the_variable(tmp_path):
    url = f"redis://127.0.0.1:{free_port()}/0"
    result = run_manage("preflight", REDIS_URL=url, REHAB_VAR_DIR=str(tmp_path))

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert f"REDIS_URL: cannot reach Redis at {url}" in result.stderr


def test_secret_key_is_required_outside_debug():
    result = run_manage("check", DJANGO_DEBUG="0", DJANGO_SECRET_KEY="")

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "configuration error: DJANGO_SECRET_KEY is not set; it is required when DJANGO_DEBUG is off"
    )


def test_short_secret_key_is_refused_outside_debug():
    result = run_manage("check", DJANGO_DEBUG="0", DJANGO_SECRET_KEY="short")

    assert result.returncode == 1
    assert "DJANGO_SECRET_KEY must be a random string" in result.stderr


def test_database_url_variants(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example:5433/rehab")
    config = database_config("DATABASE_URL", "sqlite:///x.sqlite3")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.example", 5433, "rehab")

    monkeypatch.delenv("DATABASE_URL")
    assert database_config("DATABASE_URL", "sqlite:///x.sqlite3")["ENGINE"].endswith("sqlite3")


def test_redis_url_must_be_redis(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "http://localhost:6379")
    with pytest.raises(ConfigError, match="REDIS_URL"):
        redis_url("REDIS_URL")


def test_booleans_are_strict(monkeypatch):
    monkeypatch.setenv("DJANGO_DEBUG", "maybe")
    with pytest.raises(ConfigError, match="DJANGO_DEBUG"):
        env_bool("DJANGO_DEBUG")
    monkeypatch.setenv("DJANGO_DEBUG", "Yes")
    assert env_bool("DJANGO_DEBUG") is True
