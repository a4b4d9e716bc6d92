import pytest
import redis
from django.core.management import call_command

from rehab.accounts.models import CareLink, User
from rehab.accounts.selectors import can_access_runner
from rehab.core.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from rehab.core.embedded_redis import EmbeddedRedis


@pytest.mark.django_db
def test_seed_demo_is_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")

    assert User.objects.count() == len(DEMO_ACCOUNTS)
    assert CareLink.objects.count() == 1
    physio = User.objects.get(email="physio@example.com")
    runner = User.objects.get(email="runner@example.com")
    assert runner.check_password(DEMO_PASSWORD)
    assert can_access_runner(physio, runner)
    assert User.objects.get(email="admin@example.com").is_superuser


@pytest.mark.django_db
def test_seed_demo_gives_the_demo_runner_a_plan_once_content_is_loaded(settings):
    from programs.plans.models import Plan

    settings.DEBUG = True
    call_command("load_content", verbosity=0)
    call_command("seed_demo")
    call_command("seed_demo")

    plan = Plan.objects.get(runner__email="runner@example.com")
    assert plan.weeks.exists()


@pytest.mark.django_db
def test_seed_demo_refuses_without_debug(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert User.objects.count() == 0


def test_embedded_redis_is_a_real_server_that_stops():
    server = EmbeddedRedis().start()
    client = redis.Redis.from_url(server.url)
    try:
        client.set("k", "v")
        assert client.get("k") == b"v"
        assert client.info("server")["redis_version"]
    finally:
        server.stop()
    assert server.process.poll() is not None
    with pytest.raises(redis.ConnectionError):
        redis.Redis.from_url(server.url, socket_connect_timeout=0.5).ping()
