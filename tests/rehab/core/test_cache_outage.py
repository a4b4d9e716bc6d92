"""Redis, which holds the sign-in throttles and lockouts, is down: signing in answers a
clear 503 with Retry-After in the runner's language, never a 500, and lets nobody in
unchecked (the lockout cannot be consulted, so the attempt is refused)."""

from __future__ import annotations

import logging

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from rehab.core.embedded_redis import free_port

pytestmark = pytest.mark.django_db

RIGHT = "correct-horse-battery"


@pytest.fixture
def redis_down():
    dead = f"redis://127.0.0.1:{free_port()}/0"
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": dead,
                "KEY_PREFIX": "rehab-cache",
            }
        }
    ):
        yield


def test_web_sign_in_answers_503_in_both_languages(runner, client, redis_down, caplog):
    caplog.set_level(logging.WARNING)
    english = client.post("/accounts/login/", {"login": runner.email, "password": RIGHT})
    dutch = client.post(
        "/accounts/login/",
        {"login": runner.email, "password": RIGHT},
        HTTP_ACCEPT_LANGUAGE="nl",
    )

    assert english.status_code == dutch.status_code == 503
    assert english["Retry-After"] == "30"
    assert "This is unavailable for a moment" in english.content.decode()
    assert "Dit lukt even niet" in dutch.content.decode()
    assert "_auth_user_id" not in client.session
    assert any("cache unavailable" in r.getMessage() for r in caplog.records)
    assert runner.email not in caplog.text


def test_api_token_answers_503_with_an_error_body(runner, redis_down):
    response = APIClient().post(
        "/api/v1/auth/token/", {"email": runner.email, "password": RIGHT}, format="json"
    )

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["error"]["code"] == "unavailable"


def test_signed_in_pages_that_need_no_cache_still_work(runner, client, redis_down):
    client.force_login(runner)

    response = client.get("/")

    assert response.status_code in (200, 302)  # the home page, or on to the runner's start
