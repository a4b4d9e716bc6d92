"""Every runner page makes a bounded number of queries, whatever the plan length."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programs.logbook.models import Screening
from programs.logbook.questionnaire_models import RunnerPreferences
from programs.logbook.services import checkin_create, run_log_create, session_log_create
from programs.plans.models import PlanSession
from tests.factories import UserFactory
from tests.programs.runner.pages_support import plan_for, today_for

pytestmark = pytest.mark.django_db

MAX_QUERIES = 20


def runner_with_history(weeks: int, email: str):
    runner = UserFactory(email=email)
    Screening.objects.create(
        runner=runner, answers={}, outcome="ok", condition="gluteal_tendinopathy", baseline_pain=3
    )
    today = today_for(runner)
    plan = plan_for(runner, weeks=weeks, start=today - dt.timedelta(days=20))
    for session in PlanSession.objects.filter(plan=plan, date__lt=today).prefetch_related(
        "prescriptions"
    ):
        session_log_create(
            runner=runner,
            session=session,
            exercises=[
                {
                    "prescription": rx.pk,
                    "sets_done": rx.sets,
                    "reps_done": [rx.reps or 1] * rx.sets,
                    "hold_seconds": rx.hold_seconds,
                    "pain_during": 1,
                }
                for rx in session.prescriptions.all()
            ],
            pain_after=1,
        )
    for days in range(1, 20, 2):
        checkin_create(runner=runner, date=today - dt.timedelta(days=days), pain=2)
        run_log_create(
            runner=runner, date=today - dt.timedelta(days=days), minutes=20, pain_during=1
        )
    RunnerPreferences.objects.create(user=runner)
    return runner, plan


def pages(plan) -> list[str]:
    session = PlanSession.objects.filter(plan=plan).order_by("date").first()
    upcoming = PlanSession.objects.filter(plan=plan, log__isnull=True).order_by("date").first()
    token = RunnerPreferences.objects.get(user=plan.runner).calendar_token
    return [
        "/week/",
        f"/sessions/{session.pk}/",
        f"/sessions/{upcoming.pk}/",
        "/checkin/",
        "/runs/new/",
        "/progress/",
        "/plan/changes/",
        "/me/training/",
        f"/calendar/{token}.ics",
    ]


def query_counts(client, runner, plan) -> dict[str, int]:
    client.force_login(runner)
    client.get("/week/")  # the session's first look is stored once
    counts = {}
    for url in pages(plan):
        key = url.split("/")[1]
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[f"{key}:{len(counts)}"] = len(ctx.captured_queries)
    return counts


def test_page_queries_do_not_grow_with_plan_length(client, content, django_assert_max_num_queries):
    short_runner, short_plan = runner_with_history(4, "short@example.com")
    long_runner, long_plan = runner_with_history(12, "long@example.com")

    short = query_counts(client, short_runner, short_plan)
    long = query_counts(client, long_runner, long_plan)

    assert short == long
    for url in pages(long_plan):
        with django_assert_max_num_queries(MAX_QUERIES):
            client.get(url)
