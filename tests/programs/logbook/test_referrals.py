"""A referral stays on the runner's record until a clinician's all-clear is recorded.

While one is open no plan starts (web set-up, physio start, API) and a plan a warning
sign paused does not resume; a clean new screening shows it instead of replacing it.
It is cleared by a linked physio (who, when, a note) or by the runner (whom they saw,
when, confirmed). Clearing alerts the linked physios without health data.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from programs.content.models import ProgramTemplate
from programs.engine.screening import HIP_JOINT_QUESTIONS, RED_FLAGS
from programs.logbook.models import Referral, Screening, SetupDraft
from programs.logbook.services import checkin_create, plan_start, session_log_create
from programs.plans.models import Plan, PlanRevision, PlanSession
from programs.plans.services.state import plan_state
from rehab.accounts.models import AccessLog, CareLink, Role
from tests.factories import UserFactory
from tests.programs.conftest import runner_context
from tests.programs.runner.pages_support import setup_data

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)  # a Tuesday morning in Amsterdam


def answers(**changes) -> dict:
    return {
        **dict.fromkeys(RED_FLAGS, False),
        **dict.fromkeys(HIP_JOINT_QUESTIONS, False),
        "hip_snapping": "none",
        "pain_location": "outer_hip",
        "baseline_pain": 3,
        "lying_on_side_hurts": True,
        "stairs_hurt": True,
        **changes,
    }


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def web_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def referred(now, runner, physio, content):
    """The runner was advised to see a clinician, then answered the screening clean."""
    client = api_for(runner)
    client.post("/api/v1/screening/", answers(numbness_or_pins_needles=True), format="json")
    return Referral.objects.get(runner=runner)


PLAN_BODY = {"template": "gluteal-tendinopathy", "equipment": ["mat"]}


def test_a_clean_new_screening_shows_the_open_referral_and_no_plan_starts(referred, runner):
    client = api_for(runner)

    clean = client.post("/api/v1/screening/", answers(), format="json").json()

    assert clean["outcome"] == "ok"
    assert clean["can_start_plan"] is False
    [earlier] = clean["earlier_referrals"]
    assert earlier["id"] == referred.pk
    assert [r["code"] for r in earlier["reasons"]] == ["numbness_or_pins_needles"]
    assert earlier["opened_at"].startswith("2026-12-01")
    assert Referral.objects.get(pk=referred.pk).is_open

    response = client.post("/api/v1/plans/", PLAN_BODY, format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "referral_open"
    assert "referral" in error["message"]
    assert "1 December 2026" in error["message"]
    assert not Plan.objects.exists()


def test_the_screening_pages_show_the_earlier_referral(referred, runner):
    client = web_for(runner)

    form = client.get("/screening/").content.decode()
    assert "You were advised to see a clinician first" in form
    assert "1 December 2026" in form
    assert "lower back" in form  # the reason, in words

    data = dict.fromkeys((*RED_FLAGS, *HIP_JOINT_QUESTIONS), "no")
    data.update(hip_snapping="none", pain_location="outer_hip", baseline_pain="3")
    result = client.post("/screening/", data, follow=True).content.decode()
    assert "Your earlier referral still stands" in result
    assert reverse("runner:setup") not in result.split("<main", 1)[-1]


def test_the_web_set_up_explains_and_starts_no_plan(referred, runner):
    client = web_for(runner)
    api_for(runner).post("/api/v1/screening/", answers(), format="json")

    page = client.get("/plan/setup/", follow=True)
    posted = client.post("/plan/setup/", setup_data(start_date="2026-12-01"), follow=True)
    # every page of the set-up in steps, and its confirm, is blocked the same way
    step = client.post("/plan/setup/programme/", setup_data(start_date="2026-12-01"))
    confirm = client.post("/plan/setup/review/")

    assert page.redirect_chain[-1][0] == reverse("runner:referrals")
    assert "A clinician should see you before a plan starts" in page.content.decode()
    assert posted.redirect_chain[-1][0] == reverse("runner:referrals")
    assert step["Location"] == confirm["Location"] == reverse("runner:referrals")
    assert not SetupDraft.objects.exists()
    assert not Plan.objects.exists()


def test_the_physio_cannot_start_a_plan_while_a_referral_is_open(referred, runner, physio):
    from tests.programs.physio.test_pages import _start_post

    api_for(runner).post("/api/v1/screening/", answers(), format="json")
    client = web_for(physio)
    url = reverse("physio:plan_start", args=[runner.pk])

    assert "advised to see a clinician first" in client.get(url).content.decode()
    response = client.post(url, _start_post())

    assert response.status_code == 400
    assert any("open referral" in e for e in response.context["form"].non_field_errors())
    assert not Plan.objects.exists()
    api = api_for(physio).post("/api/v1/plans/", {**PLAN_BODY, "runner": runner.pk}, format="json")
    assert api.status_code == 409


def test_the_plan_service_itself_refuses_while_a_referral_is_open(referred, runner):
    Screening.objects.create(
        runner=runner, answers={}, outcome="ok", condition="gluteal_tendinopathy", baseline_pain=3
    )
    template = ProgramTemplate.objects.get(slug="gluteal-tendinopathy")

    with pytest.raises(Exception, match="open referral"):
        plan_start(runner=runner, template=template, context=runner_context())
    assert not Plan.objects.exists()


# --- Clearing by the physio ----------------------------------------------------------------


def test_a_linked_physio_clears_with_a_note_and_the_other_physios_are_told(
    referred, runner, physio, django_capture_on_commit_callbacks
):
    colleague = UserFactory(role=Role.PHYSIO, email="colleague@example.com", language="nl")
    CareLink.objects.create(
        physio=colleague, runner=runner, status="active", consent_given_at=runner.date_joined
    )
    mail.outbox.clear()
    client = web_for(physio)
    url = reverse("physio:referral_clear", args=[runner.pk, referred.pk])

    page = client.get(reverse("physio:runner", args=[runner.pk])).content.decode()
    assert url in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"note": "Assessed: lumbar cause ruled out."})

    assert response.status_code == 302
    referral = Referral.objects.get(pk=referred.pk)
    assert referral.clearance == Referral.Clearance.PHYSIO
    assert referral.cleared_by == physio
    assert referral.cleared_at == NOW
    assert referral.clearance_note == "Assessed: lumbar cause ruled out."
    assert [m.to for m in mail.outbox] == [[colleague.email]]  # not the one who cleared
    message = mail.outbox[0]
    assert "verwijzing" not in message.subject.lower()  # no health data in the email
    assert f"/physio/runners/{runner.pk}/" in message.body
    for word in ("numb", "lumbar", "pins", "tintel", "rug"):
        assert word not in message.body.lower()


def test_a_physio_clearing_needs_a_note_and_happens_once(referred, runner, physio):
    client = web_for(physio)
    url = reverse("physio:referral_clear", args=[runner.pk, referred.pk])

    empty = client.post(url, {"note": "  "})
    assert empty.status_code == 400
    assert Referral.objects.get(pk=referred.pk).is_open

    assert client.post(url, {"note": "Seen, fine to load."}).status_code == 302
    api = api_for(physio).post(f"/api/v1/referrals/{referred.pk}/clear/", {"note": "again"})
    assert api.status_code == 409


def test_only_linked_physios_and_the_runner_reach_a_referral(
    referred, runner, other_runner, other_physio
):
    physio_url = reverse("physio:referral_clear", args=[runner.pk, referred.pk])
    runner_url = reverse("runner:referral_clear", args=[referred.pk])

    assert web_for(other_physio).post(physio_url, {"note": "x"}).status_code == 404
    assert web_for(other_runner).get(runner_url).status_code == 404
    assert web_for(other_runner).get(reverse("runner:referrals")).status_code == 200
    assert str(referred.pk) not in str(
        api_for(other_runner).get("/api/v1/referrals/").json()["results"]
    )
    assert api_for(other_physio).get("/api/v1/referrals/").json()["results"] == []
    assert Referral.objects.get(pk=referred.pk).is_open


def test_a_physio_reading_referrals_is_audited(referred, runner, physio):
    client = api_for(physio)

    listed = client.get("/api/v1/referrals/", {"runner": runner.pk, "open": "true"})
    one = client.get(f"/api/v1/referrals/{referred.pk}/")

    assert [r["id"] for r in listed.json()["results"]] == [referred.pk]
    assert one.json()["reasons"][0]["code"] == "numbness_or_pins_needles"
    kinds = set(AccessLog.objects.filter(actor=physio).values_list("object_type", flat=True))
    assert {"referrals", "referral"} <= kinds
    assert client.get("/api/v1/referrals/", {"open": "maybe"}).status_code == 400


# --- Clearing by the runner ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"clinician": "", "assessed_on": "2026-12-01", "confirmed": True}, "clinician"),
        ({"clinician": "GP", "assessed_on": "2026-12-02", "confirmed": True}, "assessed_on"),
        ({"clinician": "GP", "assessed_on": "2026-11-30", "confirmed": True}, "assessed_on"),
        ({"clinician": "GP", "confirmed": True}, "assessed_on"),
        ({"clinician": "GP", "assessed_on": "2026-12-01", "confirmed": False}, "confirmed"),
        ({"clinician": "GP", "assessed_on": "2026-12-01"}, "confirmed"),
    ],
)
def test_the_runners_statement_is_checked(referred, runner, body, field):
    response = api_for(runner).post(f"/api/v1/referrals/{referred.pk}/clear/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert Referral.objects.get(pk=referred.pk).is_open


def test_the_runner_records_a_clinicians_all_clear_and_can_then_start(
    referred, runner, physio, django_capture_on_commit_callbacks
):
    client = api_for(runner)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/referrals/{referred.pk}/clear/",
            {"clinician": "Dr. Jansen, GP", "assessed_on": "2026-12-01", "confirmed": True},
            format="json",
        )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["is_open"], body["clearance"], body["clinician"]) == (
        False,
        "runner",
        "Dr. Jansen, GP",
    )
    assert [m.to for m in mail.outbox] == [[physio.email]]
    assert "numb" not in mail.outbox[0].body.lower()
    # The latest screening referred: the runner answers it again, then a plan starts.
    assert client.post("/api/v1/plans/", PLAN_BODY, format="json").status_code == 400
    client.post("/api/v1/screening/", answers(), format="json")
    assert client.post("/api/v1/plans/", PLAN_BODY, format="json").status_code == 201


def test_the_runner_clears_on_the_web_page(referred, runner):
    client = web_for(runner)
    url = reverse("runner:referral_clear", args=[referred.pk])

    assert "all-clear" in client.get(url).content.decode()
    missing = client.post(url, {"clinician": "Physio Anna", "assessed_on": "2026-12-01"})
    assert missing.status_code == 400
    assert "confirmed" in missing.context["form"].errors
    future = client.post(
        url, {"clinician": "Physio Anna", "assessed_on": "2026-12-09", "confirmed": "on"}
    )
    assert "assessed_on" in future.context["form"].errors

    done = client.post(
        url, {"clinician": "Physio Anna", "assessed_on": "2026-12-01", "confirmed": "on"}
    )

    assert done["Location"] == reverse("runner:referrals")
    referral = Referral.objects.get(pk=referred.pk)
    assert (referral.clinician, referral.assessed_on) == ("Physio Anna", dt.date(2026, 12, 1))
    assert "Physio Anna" in client.get(reverse("runner:referrals")).content.decode()


def test_the_referral_pages_speak_dutch(referred, runner):
    runner.language = "nl"
    runner.save()
    client = web_for(runner)

    listing = client.get(reverse("runner:referrals")).content.decode()
    form = client.get(reverse("runner:referral_clear", args=[referred.pk])).content.decode()

    assert "Advies om eerst een zorgverlener te zien" in listing
    assert "Datum van het onderzoek" in form


# --- A warning sign in a log ---------------------------------------------------------------


def _log_with_warning_sign(plan):
    session = PlanSession.objects.filter(plan=plan).order_by("date").first()
    rx = session.prescriptions.first()
    return session_log_create(
        runner=plan.runner,
        session=session,
        exercises=[{"prescription": rx.pk, "sets_done": 1, "pain_during": 2}],
        red_flags=("rest_or_night_pain",),
    )


def test_a_warning_sign_in_a_log_opens_a_referral_and_the_plan_resumes_only_after_clearing(
    make_plan, runner, physio, time_machine
):
    plan = make_plan()  # starts Monday 30 November 2026
    time_machine.move_to(dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC), tick=False)
    log = _log_with_warning_sign(plan)

    plan.refresh_from_db()
    assert plan.status == Plan.Status.REFERRED
    referral = Referral.objects.get(runner=runner)
    assert (referral.source, referral.source_id, referral.plan_id) == (
        Referral.Source.SESSION_LOG,
        log.pk,
        plan.pk,
    )
    assert referral.reasons == ["rest_or_night_pain"]
    runner_api = api_for(runner)
    early = runner_api.post(f"/api/v1/plans/{plan.pk}/resume/", {}, format="json")
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "referral_open"

    api_for(physio).post(
        f"/api/v1/referrals/{referral.pk}/clear/", {"note": "Night pain explained."}
    )
    plan.refresh_from_db()
    assert plan.status == Plan.Status.REFERRED  # never resumed automatically

    resumed = runner_api.post(f"/api/v1/plans/{plan.pk}/resume/", {}, format="json")

    assert resumed.status_code == 200, resumed.json()
    plan.refresh_from_db()
    assert plan.status == Plan.Status.ACTIVE
    assert plan.current_revision.kind == PlanRevision.Kind.RESUMED
    assert plan.current_revision.created_by == runner
    assert plan_state(plan).paused is False


def test_the_physio_resumes_a_referred_plan_from_the_runner_page_after_clearing(
    make_plan, runner, physio, time_machine
):
    plan = make_plan()
    time_machine.move_to(dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC), tick=False)
    _log_with_warning_sign(plan)
    referral = Referral.objects.get(runner=runner)
    client = web_for(physio)
    status_url = reverse("physio:status", args=[runner.pk])
    page = reverse("physio:runner", args=[runner.pk])

    assert status_url not in client.get(page).content.decode()
    client.post(status_url, {"action": "resume"})
    plan.refresh_from_db()
    assert plan.status == Plan.Status.REFERRED

    client.post(reverse("physio:referral_clear", args=[runner.pk, referral.pk]), {"note": "Seen."})
    assert status_url in client.get(page).content.decode()
    client.post(status_url, {"action": "resume", "version": plan.version})

    plan.refresh_from_db()
    assert plan.status == Plan.Status.ACTIVE


def test_the_runner_resumes_from_this_week_after_clearing(make_plan, runner, time_machine):
    plan = make_plan()
    time_machine.move_to(dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC), tick=False)
    _log_with_warning_sign(plan)
    referral = Referral.objects.get(runner=runner)
    client = web_for(runner)

    week = client.get(reverse("runner:week")).content.decode()
    assert reverse("runner:referrals") in week
    assert reverse("runner:plan_resume") not in week
    client.post(
        reverse("runner:referral_clear", args=[referral.pk]),
        {"clinician": "GP", "assessed_on": "2026-12-02", "confirmed": "on"},
    )
    assert reverse("runner:plan_resume") in client.get(reverse("runner:week")).content.decode()

    client.post(reverse("runner:plan_resume"))

    plan.refresh_from_db()
    assert plan.status == Plan.Status.ACTIVE


def test_a_warning_sign_without_a_plan_still_blocks_the_start(now, runner, content):
    Screening.objects.create(
        runner=runner, answers={}, outcome="ok", condition="gluteal_tendinopathy", baseline_pain=3
    )
    checkin = checkin_create(
        runner=runner, date=dt.date(2026, 12, 1), pain=2, red_flags=["fever_or_unwell"]
    )

    referral = Referral.objects.get(runner=runner)
    assert (referral.source, referral.source_id) == (Referral.Source.CHECKIN, checkin.pk)
    response = api_for(runner).post("/api/v1/plans/", PLAN_BODY, format="json")
    assert response.status_code == 409


def test_a_screening_that_refers_while_a_plan_runs_pauses_it(make_plan, runner, time_machine):
    plan = make_plan()
    time_machine.move_to(dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC), tick=False)

    api_for(runner).post("/api/v1/screening/", answers(limp_or_hip_drop=True), format="json")

    plan.refresh_from_db()
    assert plan.status == Plan.Status.REFERRED
    assert Referral.objects.get(runner=runner).plan_id == plan.pk


def test_the_caseload_flags_an_open_referral_until_it_is_cleared(referred, runner, physio):
    client = api_for(physio)

    [row] = client.get("/api/v1/patients/").json()["results"]
    assert "referred" in row["flags"]
    assert row["plan"] is None

    client.post(f"/api/v1/referrals/{referred.pk}/clear/", {"note": "Seen; fine."})

    [row] = client.get("/api/v1/patients/").json()["results"]
    assert "referred" not in row["flags"]


def test_a_warning_sign_found_by_the_weekly_evaluation_opens_a_referral(make_plan, time_machine):
    from programs.logbook.models import MorningCheckin
    from programs.logbook.weekly import progressions_dispatch_due

    plan = make_plan()
    time_machine.move_to(dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC), tick=False)
    # Written past the log services (which refer at once), as an import would.
    MorningCheckin.objects.create(
        runner=plan.runner, date=dt.date(2026, 12, 3), pain=2, red_flags=["new_weakness"]
    )

    progressions_dispatch_due(now=dt.datetime(2026, 12, 7, 13, 0, tzinfo=dt.UTC))
    progressions_dispatch_due(now=dt.datetime(2026, 12, 7, 13, 0, tzinfo=dt.UTC))

    plan.refresh_from_db()
    assert plan.status == Plan.Status.REFERRED
    referral = Referral.objects.get(runner=plan.runner)
    assert (referral.source, referral.plan_id, referral.reasons) == (
        Referral.Source.PLAN,
        plan.pk,
        ["new_weakness"],
    )
