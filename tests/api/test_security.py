"""T19 CSRF with session authentication, T20 the scoped "logs" throttle, and the caseload's
bounded queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from programs.logbook.caseload import caseload, caseload_runners
from programs.logbook.models import MorningCheckin, RunLog
from programs.logbook.services import plan_start
from rehab.accounts.models import CareLink, Role
from tests.api.conftest import client_for
from tests.factories import UserFactory
from tests.programs.conftest import runner_context

pytestmark = pytest.mark.django_db


def session_client(user) -> APIClient:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_session_writes_need_the_csrf_token(runner):
    client = session_client(runner)
    refused = client.post("/api/v1/checkins/", {"pain": 1}, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]
    assert MorningCheckin.objects.count() == 0

    client.get("/api/v1/me/")  # any page; the token comes from the CSRF cookie
    from django.middleware.csrf import _get_new_csrf_string

    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    accepted = client.post("/api/v1/checkins/", {"pain": 1}, format="json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201, accepted.json()


def test_token_writes_need_no_csrf_token(runner):
    from rehab.accounts.services import api_token_create

    _token, key = api_token_create(user=runner, device="test")
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.post("/api/v1/checkins/", {"pain": 1}, format="json").status_code == 201


def test_the_61st_log_write_in_a_minute_is_throttled(runner, monkeypatch):
    cache.clear()
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"logs": "60/min"})
    client = client_for(runner)
    statuses = [
        client.post("/api/v1/runs/", {"minutes": 10, "pain_during": 0}, format="json").status_code
        for _ in range(61)
    ]
    assert statuses[:60] == [201] * 60
    assert statuses[60] == 429
    assert RunLog.objects.count() == 60
    # Reads share no budget with writes.
    assert client.get("/api/v1/runs/").status_code == 200
    cache.clear()


def _caseload_of(n: int, content):
    from programs.content.models import ProgramTemplate
    from programs.logbook.models import Screening

    template = ProgramTemplate.objects.get(slug="gluteal-tendinopathy")
    physio = UserFactory(role=Role.PHYSIO, email=f"physio{n}@example.com")
    for i in range(n):
        runner = UserFactory(role=Role.RUNNER, email=f"r{n}-{i}@example.com")
        CareLink.objects.create(
            physio=physio,
            runner=runner,
            status=CareLink.Status.ACTIVE,
            consent_given_at=runner.date_joined,
        )
        Screening.objects.create(
            runner=runner,
            answers={},
            outcome="ok",
            condition="gluteal_tendinopathy",
            baseline_pain=3,
        )
        plan = plan_start(runner=runner, template=template, context=runner_context(), weeks=4)
        for day in range(0, 20, 2):
            MorningCheckin.objects.create(
                runner=runner, date=plan.start_date + dt.timedelta(days=day), pain=day % 5
            )
    return physio


@pytest.mark.parametrize("n", [2, 20])
def test_caseload_reads_in_a_bounded_number_of_queries(
    content, n, django_assert_max_num_queries, time_machine
):
    time_machine.move_to(dt.datetime(2026, 12, 20, 9, 0, tzinfo=dt.UTC), tick=False)
    physio = _caseload_of(n, content)
    with django_assert_max_num_queries(16):  # 16th: the runners' open referrals
        rows = caseload(physio, list(caseload_runners(physio)))
    assert len(rows) == n
    row = rows[0]
    assert row.adherence.planned > 0
    assert row.adherence.completed == 0
    assert any(m is not None for m in row.pain.weekly_means)
    assert "no_log_7_days" not in row.flags


def test_caseload_endpoint_for_physios_only(world):
    body = client_for(world.users["linked_physio"]).get("/api/v1/patients/").json()
    (row,) = body["results"]
    assert row["runner"] == world.users["owner"].pk
    assert row["pending_approvals"] >= 1
    assert "pending_approval" in row["flags"]
    assert row["adherence"]["planned"] >= row["adherence"]["completed"] > 0
    assert client_for(world.users["owner"]).get("/api/v1/patients/").status_code == 403
    assert client_for(world.users["unlinked_physio"]).get("/api/v1/patients/").json()["count"] == 0
    assert client_for(world.users["ended_physio"]).get("/api/v1/patients/").json()["count"] == 0
