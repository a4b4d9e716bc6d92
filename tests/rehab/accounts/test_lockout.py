"""Brute force on every authentication path: the API token endpoint, the web login and the
password reset. Failures are counted per account and address together (django-axes), in the
shared cache, and the client's address is the one the trusted proxies saw: a rotating
X-Forwarded-For header changes nothing when no proxy is trusted."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import RequestFactory
from rest_framework.test import APIClient

from rehab.core.net import client_ip
from tests.conftest import fresh_environment
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "/api/v1/auth/token/"
RIGHT = "correct-horse-battery"
LIMIT = django_settings.AXES_FAILURE_LIMIT
COOL_OFF = int(django_settings.AXES_COOLOFF_TIME.total_seconds())


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def token_attempt(client, email, password, *, xff=None, addr="203.0.113.7"):
    extra = {"REMOTE_ADDR": addr}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return client.post(TOKEN, {"email": email, "password": password}, format="json", **extra)


def test_rotating_forwarded_for_does_not_reset_the_token_lockout(runner):
    """The live probe: 60 wrong passwords from "rotating addresses", then the right one."""
    client = APIClient()
    statuses = [
        token_attempt(client, runner.email, f"guess-{i}", xff=f"198.51.100.{i}").status_code
        for i in range(60)
    ]
    right = token_attempt(client, runner.email, RIGHT, xff="198.51.100.250")

    assert statuses[: LIMIT - 1] == [401] * (LIMIT - 1)
    assert set(statuses[LIMIT - 1 :]) == {429}
    assert right.status_code == 429
    assert right["Retry-After"] == str(COOL_OFF)
    error = right.json()["error"]
    assert error["code"] == "locked_out"
    assert set(error) == {"code", "message", "fields"}
    assert "token" not in right.json()


def test_the_lock_is_per_account_and_address_so_nobody_else_is_locked_out(runner, other_runner):
    client = APIClient()
    for i in range(LIMIT):
        token_attempt(client, runner.email, f"guess-{i}")

    assert token_attempt(client, runner.email, RIGHT).status_code == 429
    # The same address can still sign in to another account ...
    assert token_attempt(client, other_runner.email, RIGHT).status_code == 200
    # ... and the account itself from another address.
    assert token_attempt(client, runner.email, RIGHT, addr="192.0.2.44").status_code == 200


def test_unknown_accounts_lock_at_the_same_attempt(runner):
    """Counting does not depend on the account existing, so the lock reveals nothing."""
    client = APIClient()
    known = [token_attempt(client, runner.email, f"g{i}").status_code for i in range(LIMIT + 1)]
    unknown = [
        token_attempt(client, "nobody@example.com", f"g{i}").status_code for i in range(LIMIT + 1)
    ]
    assert known == unknown


def test_the_lock_ends_after_the_cool_off(runner, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), tick=False)
    client = APIClient()
    for i in range(LIMIT):
        token_attempt(client, runner.email, f"guess-{i}")
    assert token_attempt(client, runner.email, RIGHT).status_code == 429
    # LocMem honours expiry with the frozen clock; Redis expires the key itself.
    time_machine.shift(dt.timedelta(seconds=COOL_OFF + 1))
    assert token_attempt(client, runner.email, RIGHT).status_code == 200


def test_the_api_login_throttle_ignores_forwarded_for_without_trusted_proxies(db, monkeypatch):
    """Spraying many accounts from one address: the per-address throttle holds although each
    request claims another X-Forwarded-For."""
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"login": "10/min"})
    client = APIClient()
    statuses = [
        token_attempt(client, f"user{i}@example.com", "x", xff=f"198.51.100.{i}").status_code
        for i in range(11)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429


def test_web_login_locks_out_with_a_clear_message_in_both_languages(runner, client):
    url = "/accounts/login/"
    wrong = [
        client.post(
            url, {"login": runner.email, "password": f"g{i}"}, HTTP_X_FORWARDED_FOR=f"10.0.0.{i}"
        ).status_code
        for i in range(LIMIT - 1)
    ]
    locked = client.post(url, {"login": runner.email, "password": "last-guess"})
    right = client.post(url, {"login": runner.email, "password": RIGHT})
    dutch = client.post(url, {"login": runner.email, "password": RIGHT}, HTTP_ACCEPT_LANGUAGE="nl")

    assert all(status == 200 for status in wrong)
    assert locked.status_code == right.status_code == dutch.status_code == 429
    assert right["Retry-After"] == str(COOL_OFF)
    assert "_auth_user_id" not in client.session
    assert "Too many failed sign-in attempts" in right.content.decode()
    assert "Te veel mislukte inlogpogingen" in dutch.content.decode()


def test_password_reset_is_limited_per_account_and_address_without_revealing_the_account(
    runner, client
):
    url = "/accounts/password/reset/"
    limit = 5

    def ask(email, addr="203.0.113.9"):
        return client.post(url, {"email": email}, REMOTE_ADDR=addr)

    known = [ask(runner.email).status_code for _ in range(limit + 1)]
    unknown = [ask("nobody@example.com").status_code for _ in range(limit + 1)]

    assert known == unknown == [302] * limit + [429]
    limited = ask(runner.email)
    assert limited["Retry-After"] == "900"
    # The same account from another address is not blocked by someone else's requests.
    assert ask(runner.email, addr="192.0.2.10").status_code == 302


def test_client_ip_trusts_exactly_the_configured_proxies(settings):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import BaseThrottle

    from rehab.accounts.adapter import AccountAdapter

    factory = RequestFactory()
    request = factory.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")

    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.5"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "6.6.6.6"
    assert AccountAdapter().get_client_ip(request) == "6.6.6.6"

    # DRF computes the same address from NUM_PROXIES, which the settings derive from
    # the same variable (checked in a fresh process below).
    settings.TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert api_settings.NUM_PROXIES == 1
    assert BaseThrottle().get_ident(request) == client_ip(request) == "203.0.113.5"


def test_one_variable_sets_every_proxy_count_and_the_cache_is_redis():
    env = fresh_environment("REDIS_CACHE_URL")
    env.update(
        DJANGO_SETTINGS_MODULE="rehab.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x" * 50,
        TRUSTED_PROXY_COUNT="2",
        REDIS_URL="redis://127.0.0.1:6399/0",
    )
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.REST_FRAMEWORK['NUM_PROXIES'], s.ALLAUTH_TRUSTED_PROXY_COUNT,"
        " s.AXES_CLIENT_IP_CALLABLE, s.AXES_LOCKOUT_PARAMETERS, s.AXES_HANDLER);"
        "c = s.CACHES['default']; print(c['BACKEND'], c['LOCATION'], c['KEY_PREFIX'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    proxies, cache_line = done.stdout.strip().splitlines()
    assert proxies == (
        "2 2 rehab.core.net.client_ip [['username', 'ip_address']] "
        "axes.handlers.cache.AxesCacheHandler"
    )
    backend, location, prefix = cache_line.split()
    assert backend == "django.core.cache.backends.redis.RedisCache"
    assert location == "redis://127.0.0.1:6399/0"
    assert prefix  # never the bare key space Celery uses


def test_lockout_state_is_shared_through_redis(redis_url, settings, runner):
    """Two web processes see the same counter: after the failures, a fresh cache connection
    (another process's view of Redis) still finds the account locked."""
    from axes.handlers.proxy import AxesProxyHandler
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "test-lockout",
        }
    }
    AxesProxyHandler.get_implementation(force=True)
    try:
        caches["default"].clear()
        client = APIClient()
        for i in range(LIMIT):
            token_attempt(client, runner.email, f"guess-{i}")
        del caches["default"]  # drop this process's connection
        AxesProxyHandler.get_implementation(force=True)
        assert token_attempt(APIClient(), runner.email, RIGHT).status_code == 429
    finally:
        caches["default"].clear()


def test_a_locked_in_user_is_not_affected_by_strangers(runner):
    """An attacker failing on many accounts from one address locks none of them for others."""
    victims = [UserFactory(email=f"victim{i}@example.com") for i in range(3)]
    attacker = APIClient()
    for victim in victims:
        for i in range(LIMIT):
            token_attempt(attacker, victim.email, f"g{i}", addr="198.51.100.66")
    for victim in victims:
        assert token_attempt(APIClient(), victim.email, RIGHT, addr="192.0.2.1").status_code == 200
