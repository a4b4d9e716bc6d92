import pytest

from rehab.core.embedded_redis import free_port


@pytest.mark.celery_worker
def test_healthz_is_ok_when_database_redis_and_a_worker_are_up(client, live_celery):
    from django.utils import timezone

    from rehab.core.beat import record_beat_tick

    record_beat_tick(timezone.now())  # beat's heartbeat, as its every-minute task leaves it

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["down"] == []
    assert body["degraded"] == []
    assert set(body["components"]) == {"database", "redis", "celery_worker"}
    assert all(component["ok"] for component in body["components"].values())
    assert "no-store" in response["Cache-Control"]


def test_healthz_names_redis_and_worker_when_redis_is_unreachable(client, settings, db):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["down"] == ["redis", "celery_worker"]
    assert response.json()["components"]["database"]["ok"] is True


def test_healthz_names_the_worker_when_none_answers(client, settings, db, broker):
    settings.HEALTHZ_WORKER_TIMEOUT = 0.3

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["down"] == ["celery_worker"]
