"""Nothing a signed-in person reads may be kept by a browser cache or a shared proxy.

One middleware (rehab.core.middleware.PrivateCacheMiddleware) marks every response to an
authenticated request, and every response to a token-bearing URL, `Cache-Control:
private, no-store`, and every response `Vary: Cookie, Authorization`. The walk below
requests every URL pattern of the project with real objects filled in, as the user the
page is for, so a page added later is covered without editing this file.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils.cache import cc_delim_re

from rehab.accounts.services import api_token_create
from tests.site_cast import (  # noqa: F401  (fixtures)
    content,
    ended_physio,
    make_plan,
    practices,
    screened_runner,
    site_cast,
    world,
)
from tests.url_walk import fill, routes

pytestmark = pytest.mark.django_db


def _directives(response) -> set[str]:
    return {d.strip().lower() for d in cc_delim_re.split(response.get("Cache-Control", "")) if d}


def _vary(response) -> set[str]:
    return {v.strip().lower() for v in cc_delim_re.split(response.get("Vary", "")) if v}


def _problems(response) -> list[str]:
    problems = []
    if not {"private", "no-store"} <= _directives(response):
        problems.append(f"Cache-Control {response.get('Cache-Control')!r}")
    if not {"cookie", "authorization"} <= _vary(response):
        problems.append(f"Vary {response.get('Vary')!r}")
    return problems


def _users_for(route, cast):
    if route.route.startswith("/admin/"):
        return [cast.staff]
    if route.name.startswith("runner:"):
        return [cast.runner]
    if route.name.startswith("physio:"):
        return [cast.physio]
    return [cast.runner, cast.physio]


# POSTs that end what later requests need (the care link, the calendar token): last.
ENDS_SOMETHING = {"carelink_end", "runner:calendar_reset", "account_logout"}


def _request(user, method: str, path: str):
    client = Client()
    client.force_login(user)
    return client.get(path) if method == "GET" else client.post(path, {})


def test_every_authenticated_response_is_private_and_not_stored(site_cast):  # noqa: F811
    all_routes = routes()
    assert len(all_routes) > 150  # the whole URL conf: pages, allauth, API, admin
    answers, posts = [], []
    for route in all_routes:
        path = fill(route, site_cast.value_for)
        for user in _users_for(route, site_cast):
            response = _request(user, "GET", path)
            answers.append((user, "GET", path, response))
            if response.status_code == 405:
                posts.append((route.name in ENDS_SOMETHING, user, path))
    for _last, user, path in sorted(posts, key=lambda post: post[0]):
        answers.append((user, "POST", path, _request(user, "POST", path)))

    assert len(answers) > 250
    assert sum(response.status_code == 200 for *_, response in answers) > 100
    wrong = {
        f"{user.role} {method} {path} ({response.status_code})": _problems(response)
        for user, method, path, response in answers
        if _problems(response)
    }
    assert not wrong, wrong


def test_token_authenticated_api_answers_are_not_stored(world):  # noqa: F811
    client = Client()
    _token, key = api_token_create(user=world.users["owner"], device="test")

    response = client.get("/api/v1/plans/", HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 200
    assert not _problems(response)


def test_the_calendar_feed_is_not_stored_although_it_needs_no_session(site_cast):  # noqa: F811
    token = site_cast.values[("runner:calendar", "token")]

    response = Client().get(f"/calendar/{token}.ics")

    assert response.status_code == 200
    assert "BEGIN:VCALENDAR" in response.content.decode()
    assert not _problems(response)
    assert "max-age=900" not in response["Cache-Control"]


def test_public_pages_stay_cacheable_for_anonymous_visitors(db):
    response = Client().get("/api/schema/")

    assert response.status_code == 200
    assert "no-store" not in _directives(response)
    assert {"cookie", "authorization"} <= _vary(response)


def test_an_answer_that_sets_a_cookie_is_private(db):
    # The home page is public, but its language form sets the CSRF cookie on every answer.
    response = Client().get("/")

    assert response.status_code == 200
    assert "csrftoken" in response.cookies
    assert not _problems(response)
