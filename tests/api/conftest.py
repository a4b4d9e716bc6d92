"""The API world: a runner's plan with a pending decision, and every kind of actor."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from programs.engine.specs import Policy
from programs.plans.models import Decision, PlanSession
from programs.plans.services.recording import progression_evaluate
from rehab.accounts.models import CareLink, Invitation, Practice, Role, User
from tests.factories import UserFactory
from tests.programs.conftest import content, log_week_green, make_plan, screened_runner, week_window  # noqa: F401

NOW = dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC)


@dataclass
class World:
    plan: object
    session: PlanSession
    decision: Decision
    invitation: Invitation
    users: dict


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def ended_physio(db, runner):
    physio = UserFactory(role=Role.PHYSIO, email="ended.physio@example.com")
    CareLink.objects.create(
        physio=physio,
        runner=runner,
        status=CareLink.Status.ENDED,
        consent_given_at=runner.date_joined,
        ended_at=runner.date_joined,
    )
    return physio


@pytest.fixture
def practices(physio, other_physio, admin_user):
    """The linked physio's practice with a colleague who is not linked to the runner, and a
    physio of another practice (#13): a practice shares no runner's data."""
    home = Practice.objects.create(name="Fysio Centrum")
    away = Practice.objects.create(name="Elsewhere Physio")
    User.objects.filter(pk=physio.pk).update(practice=home)
    physio.practice = home
    colleague = UserFactory(role=Role.PHYSIO, email="colleague.physio@example.com", practice=home)
    other_practice = UserFactory(
        role=Role.PHYSIO, email="other.practice.physio@example.com", practice=away
    )
    return {"practice_physio": colleague, "other_practice_physio": other_practice}


@pytest.fixture
def world(
    make_plan,  # noqa: F811
    physio,
    other_runner,
    other_physio,
    ended_physio,
    practices,
    admin_user,
    time_machine,
):
    """Time stands at Tuesday of the plan's second week; week 1 is logged green and the
    evaluation left decisions waiting for the physio's approval."""
    plan = make_plan(policy=Policy(require_approval=True))
    time_machine.move_to(NOW, tick=False)
    log_week_green(plan, 1)
    progression_evaluate(plan=plan, window=week_window(plan, 1))
    plan.refresh_from_db()
    session = PlanSession.objects.filter(plan=plan, log__isnull=True, date__lte=NOW.date()).first()
    invitation = Invitation.objects.create(
        physio=physio,
        email="new.runner@example.com",
        token_hash="x" * 64,
        expires_at=NOW + dt.timedelta(days=14),
    )
    return World(
        plan=plan,
        session=session,
        decision=plan.decisions.filter(status=Decision.Status.PENDING).first(),
        invitation=invitation,
        users={
            "owner": plan.runner,
            "other_runner": other_runner,
            "linked_physio": physio,
            "unlinked_physio": other_physio,
            "ended_physio": ended_physio,
            **practices,
            "admin": admin_user,
            "anonymous": None,
        },
    )


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Throttle counters live in the cache; each test starts with a full budget."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
