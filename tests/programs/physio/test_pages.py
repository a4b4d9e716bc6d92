"""The physiotherapist's pages: caseload, one runner's plan, approvals, policy, status and
invitations. Scoped to consenting linked runners (404 otherwise), audited, bilingual."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from programs.engine.specs import Policy
from programs.logbook.services import checkin_create
from programs.plans.models import Decision, Plan
from programs.plans.services.recording import progression_evaluate
from programs.plans.services.state import plan_policy
from rehab.accounts.models import AccessLog, CareLink, Invitation
from tests.factories import UserFactory
from tests.programs.conftest import log_week_green, week_window

pytestmark = pytest.mark.django_db


@pytest.fixture
def physio_client(physio):
    client = Client()
    client.force_login(physio)
    return client


@pytest.fixture
def pending_plan(make_plan, physio, time_machine):
    """A plan whose week-1 changes wait for the physio's approval."""
    plan = make_plan(policy=Policy(require_approval=True))
    time_machine.move_to(dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC))
    log_week_green(plan, 1)
    progression_evaluate(plan=plan, window=week_window(plan, 1))
    assert plan.decisions.filter(status=Decision.Status.PENDING).exists()
    return plan


def test_the_caseload_lists_linked_runners_only_and_audits_the_read(
    physio_client, physio, runner, other_runner, other_physio
):
    CareLink.objects.create(
        physio=other_physio,
        runner=other_runner,
        status=CareLink.Status.ACTIVE,
        consent_given_at=other_runner.date_joined,
    )
    pending = UserFactory(email="no.consent@example.com")
    CareLink.objects.create(physio=physio, runner=pending)  # invited, no consent yet

    response = physio_client.get(reverse("physio:caseload"))

    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("physio:runner", args=[runner.pk]) in body
    assert reverse("physio:runner", args=[other_runner.pk]) not in body
    assert reverse("physio:runner", args=[pending.pk]) not in body
    assert list(AccessLog.objects.values_list("actor", "runner", "object_type")) == [
        (physio.pk, runner.pk, "caseload")
    ]


def test_runners_with_a_flag_come_first(physio_client, physio, runner, make_plan):
    flagged = UserFactory(email="aaa.flagged@example.com", last_name="Aaa")
    quiet = UserFactory(email="zzz.quiet@example.com", last_name="Zzz")
    for other in (flagged, quiet):
        CareLink.objects.create(
            physio=physio,
            runner=other,
            status=CareLink.Status.ACTIVE,
            consent_given_at=other.date_joined,
        )
    plan = make_plan()
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.REFERRED)  # runner: referred

    body = physio_client.get(reverse("physio:caseload")).content.decode()

    def position(someone) -> int:
        return body.index(reverse("physio:runner", args=[someone.pk]))

    assert position(runner) < position(flagged) < position(quiet)
    assert "Referred: a warning sign was reported" in body


def test_a_runner_page_out_of_scope_answers_404(physio_client, other_runner):
    response = physio_client.get(reverse("physio:runner", args=[other_runner.pk]))

    assert response.status_code == 404
    assert not AccessLog.objects.exists()


def test_runners_cannot_open_the_physio_pages(runner):
    client = Client()
    client.force_login(runner)

    assert client.get(reverse("physio:caseload")).status_code == 404
    assert client.get(reverse("physio:runner", args=[runner.pk])).status_code == 404


def test_the_runner_page_shows_the_plan_and_waiting_changes(physio_client, physio, pending_plan):
    response = physio_client.get(reverse("physio:runner", args=[pending_plan.runner_id]))

    assert response.status_code == 200
    assert len(response.context["pending"]) == pending_plan.decisions.count()
    assert response.context["prescriptions"]
    assert AccessLog.objects.filter(
        actor=physio, runner=pending_plan.runner, object_type="runner_overview"
    ).exists()


def test_approving_applies_the_change_and_a_second_tap_is_refused(physio_client, pending_plan):
    decision = pending_plan.decisions.filter(status=Decision.Status.PENDING).first()
    url = reverse("physio:decide", args=[decision.pk, "approve"])

    response = physio_client.post(url)

    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.status == Decision.Status.APPLIED
    pending_plan.refresh_from_db()
    assert pending_plan.current_revision.number == 2
    follow = physio_client.post(url, follow=True)
    assert "already been decided" in follow.content.decode()
    pending_plan.refresh_from_db()
    assert pending_plan.current_revision.number == 2


def test_rejecting_leaves_the_plan_as_it_was(physio_client, pending_plan):
    decision = pending_plan.decisions.filter(status=Decision.Status.PENDING).first()

    physio_client.post(reverse("physio:decide", args=[decision.pk, "reject"]))

    decision.refresh_from_db()
    assert decision.status == Decision.Status.REJECTED
    pending_plan.refresh_from_db()
    assert pending_plan.current_revision.number == 1


def test_another_physio_cannot_decide(pending_plan, other_physio):
    client = Client()
    client.force_login(other_physio)
    decision = pending_plan.decisions.filter(status=Decision.Status.PENDING).first()

    response = client.post(reverse("physio:decide", args=[decision.pk, "approve"]))

    assert response.status_code == 404
    decision.refresh_from_db()
    assert decision.status == Decision.Status.PENDING


def _policy_post(plan, **changes) -> dict:
    policy = plan_policy(plan)
    data = {
        "version": plan.version,
        "green_max": policy.green_max,
        "amber_max": policy.amber_max,
        "morning_amber_over_baseline": policy.morning_amber_over_baseline,
        "weekly_rise_red": policy.weekly_rise_red,
        "green_sessions_to_progress": policy.green_sessions_to_progress,
        "load_increment_pct": policy.load_increment_pct,
        "deload_volume_pct": policy.deload_volume_pct,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_policy_form_saves_stricter_limits_and_locks(physio_client, make_plan, physio):
    plan = make_plan()
    slug = plan.current_revision.state["prescriptions"][0]["exercise"]

    response = physio_client.post(
        reverse("physio:policy", args=[plan.runner_id]),
        _policy_post(plan, green_max=1, require_approval="on", locked_exercises=[slug]),
    )

    assert response.status_code == 302
    plan.refresh_from_db()
    policy = plan_policy(plan)
    assert (policy.green_max, policy.require_approval) == (1, True)
    assert policy.locked_exercises == frozenset({slug})
    assert plan.version == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"green_max": 5, "amber_max": 4}, "amber_max"),  # amber must be above green
        ({"deload_volume_pct": 90}, "deload_volume_pct"),  # outside 30-50 %
        ({"green_max": "lots"}, "green_max"),
        ({"locked_exercises": ["not-an-exercise"]}, "locked_exercises"),
    ],
)
def test_bad_policy_input_is_a_form_error_and_changes_nothing(
    physio_client, make_plan, changes, field
):
    plan = make_plan()
    before = dict(plan.policy)

    response = physio_client.post(
        reverse("physio:policy", args=[plan.runner_id]), _policy_post(plan, **changes)
    )

    assert response.status_code == 400
    assert response.context["policy_form"].errors.get(field)
    plan.refresh_from_db()
    assert plan.policy == before
    assert plan.version == 1
    assert AccessLog.objects.filter(runner=plan.runner, object_type="runner_overview").exists()


def test_a_stale_policy_form_is_refused(physio_client, make_plan):
    plan = make_plan()
    stale = _policy_post(plan, green_max=1)
    Plan.objects.filter(pk=plan.pk).update(version=2)  # someone else saved meanwhile

    response = physio_client.post(
        reverse("physio:policy", args=[plan.runner_id]), stale, follow=True
    )

    assert "changed in the meantime" in response.content.decode()
    plan.refresh_from_db()
    assert plan_policy(plan).green_max == Policy().green_max


def test_pause_and_resume(physio_client, make_plan):
    plan = make_plan()
    url = reverse("physio:status", args=[plan.runner_id])

    physio_client.post(url, {"action": "pause", "version": plan.version})
    plan.refresh_from_db()
    assert plan.status == Plan.Status.PAUSED

    physio_client.post(url, {"action": "resume", "version": plan.version})
    plan.refresh_from_db()
    assert plan.status == Plan.Status.ACTIVE


def test_inviting_emails_the_runner_and_lists_the_invitation(
    physio_client, physio, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = physio_client.post(
            reverse("physio:invite"), {"email": "new.runner@example.com"}, follow=True
        )

    assert response.status_code == 200
    invitation = Invitation.objects.get(physio=physio)
    assert invitation.email == "new.runner@example.com"
    assert "new.runner@example.com" in response.content.decode()
    assert [m.to for m in mail.outbox] == [["new.runner@example.com"]]

    physio_client.post(reverse("physio:invitation_withdraw", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_a_bad_invitation_is_a_form_error(physio_client, physio, runner):
    response = physio_client.post(reverse("physio:invite"), {"email": runner.email})

    assert response.status_code == 400
    assert response.context["invite_form"].errors["email"]
    assert not Invitation.objects.exists()
    bad = physio_client.post(reverse("physio:invite"), {"email": "not an address"})
    assert bad.status_code == 400
    assert bad.context["invite_form"].errors["email"]


def test_the_pages_speak_dutch(physio, make_plan, time_machine):
    physio.language = "nl"
    physio.save(update_fields=["language"])
    plan = make_plan()
    time_machine.move_to(dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC))
    checkin_create(runner=plan.runner, date=dt.date(2026, 12, 2), pain=3)
    client = Client()
    client.force_login(physio)
    client.cookies["django_language"] = "nl"

    caseload = client.get(reverse("physio:caseload"), HTTP_ACCEPT_LANGUAGE="nl")
    page = client.get(reverse("physio:runner", args=[plan.runner_id]), HTTP_ACCEPT_LANGUAGE="nl")

    assert "Je caseload" in caseload.content.decode()
    assert "Hoe voorzichtig dit plan opbouwt" in page.content.decode()


def _start_post(**changes) -> dict:
    from programs.content.models import ProgramTemplate

    data = {
        "template": ProgramTemplate.objects.get(slug="gluteal-tendinopathy").pk,
        "start_date": "2026-12-02",
        "baseline_pain": 3,
        "running_mode": "not_running",
        "weekly_minutes": 0,
        "longest_run": 0,
        "running_days": 0,
        "equipment": ["mat", "mini_band"],
        "strength_days": 3,
        "weekdays": [0, 2, 4],
        "long_run_day": "",
    }
    data.update(changes)
    return data


def test_a_physio_starts_a_plan_for_a_screened_runner(
    physio_client, physio, screened_runner, content, time_machine
):
    time_machine.move_to(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    url = reverse("physio:plan_start", args=[screened_runner.pk])
    form_page = physio_client.get(url)
    assert form_page.status_code == 200
    assert form_page.context["form"]["baseline_pain"].value() == 3  # from the screening
    assert 'name="require_approval"' in form_page.content.decode()

    response = physio_client.post(url, _start_post(require_approval="on"))

    assert response.status_code == 302
    plan = Plan.objects.get(runner=screened_runner)
    assert plan.created_by == physio
    assert plan.start_date == dt.date(2026, 12, 2)
    assert plan_policy(plan).require_approval is True
    assert AccessLog.objects.filter(runner=screened_runner, object_type="plan_start").exists()
    again = physio_client.get(url)
    assert again["Location"] == reverse("physio:runner", args=[screened_runner.pk])


def test_no_plan_is_started_without_a_clear_screening(physio_client, runner, content, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    response = physio_client.post(reverse("physio:plan_start", args=[runner.pk]), _start_post())

    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert not Plan.objects.filter(runner=runner).exists()


def test_bad_plan_choices_are_form_errors(physio_client, screened_runner, content, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))

    response = physio_client.post(
        reverse("physio:plan_start", args=[screened_runner.pk]),
        _start_post(start_date="2026-11-01", weekdays=[0], baseline_pain=11),
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"start_date", "weekdays", "baseline_pain"} <= set(errors)
    assert not Plan.objects.filter(runner=screened_runner).exists()


def test_starting_a_plan_for_a_runner_out_of_scope_answers_404(
    physio_client, other_runner, content
):
    response = physio_client.post(
        reverse("physio:plan_start", args=[other_runner.pk]), _start_post()
    )

    assert response.status_code == 404
