"""The screening's feature codes reach the planner's runner context (RunnerContext.features)
on every path that starts a plan: the runner's set-up, the physio's start form, the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from programs.logbook.models import Screening
from programs.plans.models import Plan
from programs.plans.services.state import plan_context, plan_state
from tests.programs.runner.pages_support import setup_data, setup_through_steps

pytestmark = pytest.mark.django_db

FEATURES = ["crossing_legs_hurts", "lying_on_side_hurts", "painful_snapping"]


@pytest.fixture
def screened(content, runner, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), tick=False)
    Screening.objects.create(
        runner=runner,
        answers={},
        outcome="ok",
        condition="gluteal_tendinopathy",
        irritability="moderate",
        baseline_pain=3,
        features=FEATURES,
    )
    return runner


def assert_features(plan):
    assert sorted(plan_context(plan).features) == FEATURES
    assert sorted(plan.context["features"]) == FEATURES
    assert sorted(plan_state(plan).features) == FEATURES


def test_the_web_set_up_carries_the_features(screened):
    client = Client()
    client.force_login(screened)

    response = setup_through_steps(client, setup_data(start_date="2026-12-01"))

    assert response.status_code == 302, response.context["form"].errors
    assert_features(Plan.objects.get(runner=screened))


def test_the_physio_start_carries_the_features(screened, physio):
    from tests.programs.physio.test_pages import _start_post

    client = Client()
    client.force_login(physio)

    response = client.post(reverse("physio:plan_start", args=[screened.pk]), _start_post())

    assert response.status_code == 302
    assert_features(Plan.objects.get(runner=screened))


def test_the_api_carries_the_features(screened):
    client = APIClient()
    client.force_authenticate(screened)

    response = client.post("/api/v1/plans/", {"template": "gluteal-tendinopathy"}, format="json")

    assert response.status_code == 201
    assert_features(Plan.objects.get(runner=screened))


def test_a_screening_through_the_form_records_the_features_the_plan_gets(
    content, runner, time_machine
):
    from tests.programs.runner.test_screening_pages import form_data

    time_machine.move_to(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), tick=False)
    client = Client()
    client.force_login(runner)
    client.post("/screening/", form_data(hip_snapping="painful", snapping_persistent="no"))

    setup_through_steps(client, setup_data(start_date="2026-12-01"))

    assert sorted(plan_context(Plan.objects.get(runner=runner)).features) == FEATURES
