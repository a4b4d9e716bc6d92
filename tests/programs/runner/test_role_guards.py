"""A page of one role answers 404 to the other role, so that no id reveals anything.

Walks every pattern of the runner's and the physiotherapist's URL namespaces, with real
ids of the other side's objects filled in.
"""

from __future__ import annotations

import pytest
from django.test import Client

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

# Pages every signed-in user may read (content), and token URLs that need no session.
NOT_ROLE_PAGES = {"runner:topic", "runner:learn", "runner:calendar"}


def _pages(namespace: str):
    return [
        r for r in routes() if r.name.startswith(f"{namespace}:") and r.name not in NOT_ROLE_PAGES
    ]


def _answers(user, path: str) -> dict[str, int]:
    client = Client()
    client.force_login(user)
    return {"GET": client.get(path).status_code, "POST": client.post(path, {}).status_code}


def test_runner_pages_answer_404_to_physios_and_staff(site_cast):  # noqa: F811
    pages = _pages("runner")
    assert len(pages) >= 10
    wrong = {}
    for user in (site_cast.physio, site_cast.staff):
        for route in pages:
            path = fill(route, site_cast.value_for)
            answers = _answers(user, path)
            if set(answers.values()) - {404, 405}:
                wrong[(user.email, path)] = answers
    assert not wrong


def test_physio_pages_answer_404_to_runners(site_cast):  # noqa: F811
    pages = _pages("physio")
    assert len(pages) >= 8
    wrong = {}
    for route in pages:
        path = fill(route, site_cast.value_for)
        answers = _answers(site_cast.runner, path)
        if set(answers.values()) - {404, 405}:
            wrong[path] = answers
    assert not wrong
