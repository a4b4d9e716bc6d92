"""The cast every test can use, and the real services the integration tests need."""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
from rest_framework.test import APIClient

from rehab.accounts.models import CareLink, Role
from tests.factories import UserFactory


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """Dutch pages need compiled catalogues; compile them when they are missing or stale."""
    from pathlib import Path

    from django.conf import settings
    from django.core.management import call_command

    for locale_dir in settings.LOCALE_PATHS:
        for po in Path(locale_dir).glob("*/LC_MESSAGES/*.po"):
            mo = po.with_suffix(".mo")
            if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                call_command("compilemessages", verbosity=0)
                return


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


@pytest.fixture(scope="session")
def redis_url():
    """REDIS_URL when the environment gives one, else a private embedded redis-server."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
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
    with (
        celery_on_broker(redis_url, eager=False) as app,
        start_worker(
            app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=30
        ),
    ):
        yield app
