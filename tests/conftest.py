"""The cast every test can use, and the real services the integration tests need."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.test import APIClient

from rehab.accounts.models import CareLink, Role
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """Dutch pages need compiled catalogues; compile them when they are missing or stale."""

    from django.conf import settings
    from django.core.management import call_command

    for locale_dir in settings.LOCALE_PATHS:
        for po in Path(locale_dir).glob("*/LC_MESSAGES/*.po"):
            mo = po.with_suffix(".mo")
            if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                call_command("compilemessages", verbosity=0)
                return


@pytest.fixture(autouse=True)
def fresh_auth_counters():
    """Throttle, rate-limit and lockout counters live in the cache: every test starts with a
    full budget, and django-axes' handler is bound to the cache of the current settings."""
    from axes.handlers.proxy import AxesProxyHandler
    from django.core.cache import cache

    AxesProxyHandler.get_implementation(force=True)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fresh_content_memo():
    """Each test reads content afresh: a rolled-back test's rows (whose ids a later test may
    reuse on SQLite) must not be remembered by programs.content.outline."""
    from programs.content.outline import memo_clear

    memo_clear()
    yield
    memo_clear()


@pytest.fixture
def runner(db):
    return UserFactory(role=Role.RUNNER, email="runner@example.com")


@pytest.fixture
def other_runner(db):
    return UserFactory(role=Role.RUNNER, email="other.runner@example.com")


@pytest.fixture
def physio(db, runner):
    physio = UserFactory(role=Role.PHYSIO, email="physio@example.com")
    CareLink.objects.create(
        physio=physio,
        runner=runner,
        status=CareLink.Status.ACTIVE,
        consent_given_at=runner.date_joined,
    )
    return physio


@pytest.fixture
def other_physio(db):
    return UserFactory(role=Role.PHYSIO, email="other.physio@example.com")


@pytest.fixture
def admin_user(db):
    return UserFactory(
        role=Role.PHYSIO, email="admin@example.com", is_staff=True, is_superuser=True
    )


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def runner_client(runner):
    client = APIClient()
    client.force_authenticate(runner)
    return client


def own_database(url: str, worker: str) -> str:
    """Under pytest-xdist each worker gets its own Redis database on a shared server, so
    one worker's Celery worker never takes another's tasks (db n: gw0 -> n+1, gw1 -> n+2)."""
    from urllib.parse import urlsplit, urlunsplit

    if not worker.startswith("gw"):
        return url
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{base + int(worker[2:]) + 1}"))


@pytest.fixture(scope="session")
def redis_url(worker_id):
    """REDIS_URL when the environment gives one, else a private embedded redis-server."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield own_database(url, worker_id)
        return
    from rehab.core.embedded_redis import EmbeddedRedis

    with EmbeddedRedis() as server:
        yield server.url


@contextmanager
def celery_on_broker(url: str, *, eager: bool):
    """Point the Celery app at a broker for the duration; connection pools are per URL."""
    from rehab.celery import app

    previous = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}

    def reset_pools():
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_url = url
    app.conf.task_always_eager = eager
    reset_pools()
    try:
        yield app
    finally:
        app.conf.update(previous)
        reset_pools()


@pytest.fixture
def broker(redis_url, settings):
    """The real broker, with no worker consuming from it."""
    settings.REDIS_URL = redis_url
    with celery_on_broker(redis_url, eager=False) as app:
        yield app


@pytest.fixture
def live_celery(redis_url, settings, transactional_db):
    """A real Celery worker thread consuming from the real broker (not eager mode)."""
    from celery.contrib.testing.worker import start_worker

    settings.REDIS_URL = redis_url
    # No result backend (state lives in the database), so no ping-by-result check;
    # start_worker returns once the worker thread reports it is consuming.
    # start_worker sets up Celery's logging, which leaves the root logger at its log level
    # (ERROR): the tests after this one in the process would lose their warnings.
    root = logging.getLogger()
    level = root.level
    try:
        with (
            celery_on_broker(redis_url, eager=False) as app,
            start_worker(
                app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=30
            ),
        ):
            yield app
    finally:
        root.setLevel(level)


# What this test process sets for itself must not reach a fresh manage.py: the browser
# tests allow the ORM under Playwright's event loop, which `check --deploy` refuses.
OUTER_ONLY = {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def fresh_environment(*dropped: str) -> dict[str, str]:
    """The environment for a fresh process of the product: this one's, without what the test
    process set for itself and without the names given."""
    return {k: v for k, v in os.environ.items() if k not in OUTER_ONLY.union(dropped)}


def run_manage(*args, **env):
    environment = fresh_environment()
    environment.update({"DJANGO_SETTINGS_MODULE": "rehab.settings", "DJANGO_DEBUG": "1", **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PLAN_BODY = {
    "template": "gluteal-tendinopathy",
    "equipment": ["mat", "mini_band", "step", "belt", "wall", "chair"],
    "strength_days_per_week": 3,
    "preferred_weekdays": [0, 2, 4],
}


def api(user) -> APIClient:
    client = APIClient(raise_request_exception=False)  # a 500 is an answer to record here
    client.force_authenticate(user)
    return client


def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writes race only on PostgreSQL (SQLite serialises them)")


def concurrently(*calls):
    """Run the calls in threads started together; each thread has its own connection."""
    start = threading.Barrier(len(calls), timeout=30)
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            start.wait()
            results[index] = call()
        except BaseException as exc:  # pragma: no cover - reported by the caller
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def leaks(text: str) -> list[str]:
    return sorted({m.group(0).lower() for m in PATTERN.finditer(ALLOWED.sub("", text))})


ALLOWED = re.compile(r"hip rehab", re.IGNORECASE)


DENYLIST = {
    "en": [
        r"pain",
        r"flare",
        r"tendin",
        r"tendon",
        r"red[ -]flag",
        r"warning sign",
        r"referr",
        r"\brefer\b",
        r"trend",
        r"diagnos",
        r"condition",
        r"injur",
        r"symptom",
        r"score",
        r"glute",
        r"trochant",
        r"iliotib",
        r"\bitb\b",
        r"gtps",
        r"bursitis",
        r"clinician",
        r"\bstiff",
        r"\bsore\b",
        r"\bhurt",
        r"\bache",
        r"lighter week",
        r"deload",
        r"paused",
        r"\bhip\b",
        r"screening",
        r"rehabilit",
    ],
    "nl": [
        r"pijn",
        r"opvlam",
        r"opflakker",
        r"tendinopath",
        r"\bpees",
        r"waarschuwingssign",
        r"waarschuwingste",
        r"alarmsign",
        r"verwij[sz]",
        r"verwezen",
        r"trend",
        r"diagnos",
        r"aandoening",
        r"blessure",
        r"letsel",
        r"klacht",
        r"symptom",
        r"score",
        r"\bbil(spier|len)?\b",
        r"trochanter",
        r"iliotibia",
        r"bursitis",
        r"zorgverlener",
        r"\barts\b",
        r"stijf",
        r"lichtere week",
        r"gepauzeerd",
        r"heup",
        r"screening",
        r"revalid",
    ],
}


# Both lists apply to both languages: an untranslated English string in a Dutch email
# is as much a leak as a Dutch one.
PATTERN = re.compile("|".join(DENYLIST["en"] + DENYLIST["nl"]), re.IGNORECASE)
