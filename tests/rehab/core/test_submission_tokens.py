"""Double submits of the web forms (#11): every state-changing form carries a one-time
submission token, and a second submit of the same token writes nothing and shows the
result of the first.

The forms are found in the templates (every <form method="post">), so a new form must be
added to CASES (and carry {% submission_token %}) or the completeness test fails. Each case
loads the real page, takes the token from the form on it, submits twice and checks that
the second request ran no INSERT, UPDATE or DELETE outside the token table.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programs.engine.specs import Policy
from programs.logbook.models import FlareUp, RunLog, Screening
from programs.plans.models import Decision, PlanSession
from programs.plans.services.recording import progression_evaluate, progression_flare
from programs.plans.services.state import plan_policy
from rehab.accounts.models import CareLink, Role
from rehab.accounts.services import invitation_create
from rehab.core.models import SubmissionToken
from rehab.core.submission import FIELD, SUBMISSION_TOKEN_MAX_AGE, submission_token_new
from tests.conftest import postgresql_only
from tests.factories import UserFactory
from tests.programs.conftest import content, log_week_green, make_plan, screened_runner, week_window  # noqa: F401
from tests.programs.runner.pages_support import (
    SCREENING_CLEAR,
    player_data,
    setup_data,
    setup_page_data,
)

NOW = dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC)
TODAY = "2026-12-08"
TEMPLATES = Path(settings.BASE_DIR) / "templates"
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
POST = re.compile(r'method\s*=\s*"post"', re.I)

# Forms without the token, and why.
EXEMPT = {
    "components/language_switch.html#0": "the language switcher sets one preference to the value chosen",
    "notifications/unsubscribe_confirm.html#0": (
        "RFC 8058 one-click unsubscribe, also POSTed by mail clients without the page; "
        "repeating it changes nothing"
    ),
    "account/password_reset_from_key.html#0": (
        "allauth's reset by emailed key: the key is spent by the first submit, a second "
        "one is refused by allauth"
    ),
    "admin/content_import.html#0": "staff admin import, validated and previewed as a whole",
    # The plan editor's first steps only show a preview (nothing but the read is audited);
    # the preview page's save form carries the token (physio/editor/preview.html#0).
    "physio/editor/_form.html#0": "previews an edit, writes nothing",
    "physio/editor/edit.html#0": "previews removing an exercise, writes nothing",
    "physio/editor/swap.html#0": "previews a swap, writes nothing",
}


def template_forms() -> dict[str, str]:
    """'template#n' -> the source of the n-th POST form of every template."""
    found = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        forms = [m for m in FORM.finditer(path.read_text()) if POST.search(m[1])]
        for index, match in enumerate(forms):
            found[f"{name}#{index}"] = match[0]
    return found


@dataclass
class Case:
    user: object
    page: str  # the page that shows the form
    action: str  # where it posts
    data: dict = field(default_factory=dict)
    marker: str = ""  # text inside the form, where a page has several with one action
    ends_session: bool = False  # the account (or its web session) is gone afterwards
    saved_status: int | None = None  # the first answer, when not the usual redirect
    preview: dict | None = None  # the form is on the answer to this POST to `page`


@pytest.fixture
def scene(content, screened_runner, physio, other_runner, make_plan, time_machine):  # noqa: F811
    time_machine.move_to(NOW, tick=False)

    class Scene:
        runner = screened_runner

        def __init__(self):
            self.physio = physio
            self.other_runner = other_runner
            self.make_plan = make_plan

        def plan(self, **ctx):
            return make_plan(**ctx)

        def fresh_runner(self, email="fresh@example.com"):
            """A screened runner with no plan, linked to the physio."""
            fresh = UserFactory(role=Role.RUNNER, email=email)
            Screening.objects.create(
                runner=fresh,
                answers={},
                outcome="ok",
                condition="gluteal_tendinopathy",
                irritability="moderate",
                baseline_pain=3,
            )
            CareLink.objects.create(
                physio=physio, runner=fresh, status="active", consent_given_at=NOW
            )
            return fresh

    return Scene()


def _session(plan):
    return (
        PlanSession.objects.filter(plan=plan, date__lte=NOW.date(), log__isnull=True)
        .order_by("date")
        .prefetch_related("prescriptions")
        .first()
    )


def _player(s):
    session = _session(s.plan())
    url = f"/sessions/{session.pk}/"
    return Case(s.runner, url, url, player_data(session))


def _follow_up(s):
    s.plan(start_date=NOW.date() - dt.timedelta(days=28))
    data = {"baseline_pain": "2", "psfs_activity_1": "Running", "psfs_score_1": "6"}
    data.update({f"lefs_{i}": "3" for i in range(1, 21)})
    data["groc"] = "2"
    return Case(s.runner, "/questionnaires/", "/questionnaires/", data)


def _plan_start(s):
    fresh = s.fresh_runner()
    url = reverse("physio:plan_start", args=[fresh.pk])
    data = {
        "template": setup_data()["template"],
        "start_date": TODAY,
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
    return Case(s.physio, url, url, data)


def _withdraw(s):
    invitation, _token = invitation_create(physio=s.physio, email="invited@example.com")
    return Case(s.physio, "/physio/", reverse("physio:invitation_withdraw", args=[invitation.pk]))


def _physio_page(s, plan):
    return reverse("physio:runner", args=[plan.runner_id])


def _status(s):
    plan = s.plan()
    page = _physio_page(s, plan)
    action = reverse("physio:status", args=[plan.runner_id])
    return Case(s.physio, page, action, {"action": "pause", "version": plan.version})


def _undo(s):
    plan = s.plan()
    FlareUp.objects.create(runner=plan.runner, date=NOW.date())
    from programs.logbook.windows import evaluation_window

    progression_flare(
        plan=plan,
        window=evaluation_window(
            plan=plan, starts_on=NOW.date() - dt.timedelta(days=6), ends_on=NOW.date()
        ),
    )
    assert plan.revisions.count() > 1
    return Case(s.physio, _physio_page(s, plan), reverse("physio:undo", args=[plan.runner_id]))


def _decide(verdict):
    def build(s):
        plan = s.plan(policy=Policy(require_approval=True))
        log_week_green(plan, 1)
        progression_evaluate(plan=plan, window=week_window(plan, 1))
        decision = plan.decisions.filter(status=Decision.Status.PENDING).order_by("pk").first()
        action = reverse("physio:decide", args=[decision.pk, verdict])
        return Case(s.physio, _physio_page(s, plan), action)

    return build


def _bulk(s):
    plan = s.plan(policy=Policy(require_approval=True))
    log_week_green(plan, 1)
    progression_evaluate(plan=plan, window=week_window(plan, 1))
    ids = list(plan.decisions.filter(status=Decision.Status.PENDING).values_list("pk", flat=True))
    action = reverse("physio:decisions_bulk", args=[plan.runner_id])
    data = {"decisions": ids, "verdict": "approve", "message": "Well done."}
    return Case(s.physio, _physio_page(s, plan), action, data)


def _plan_note(s):
    plan = s.plan()
    action = reverse("physio:editor_step", args=[plan.runner_id, "plan-note"])
    edit = {"version": plan.version, "text": "Keep the knee over the toes.", "reason": ""}
    return Case(s.physio, action, action, {**edit, "step": "save"}, preview=edit)


def _policy(s):
    plan = s.plan()
    policy = plan_policy(plan)
    data = {
        "version": plan.version,
        "green_max": 1,
        "amber_max": policy.amber_max,
        "morning_amber_over_baseline": policy.morning_amber_over_baseline,
        "weekly_rise_red": policy.weekly_rise_red,
        "green_sessions_to_progress": policy.green_sessions_to_progress,
        "load_increment_pct": policy.load_increment_pct,
        "deload_volume_pct": policy.deload_volume_pct,
    }
    action = reverse("physio:policy", args=[plan.runner_id])
    return Case(s.physio, _physio_page(s, plan), action, data)


def _invitation(s):
    _invitation, token = invitation_create(physio=s.physio, email=s.other_runner.email)
    url = f"/invite/{token}/"
    return Case(s.other_runner, url, url, {"consent": "yes"})


def _carelink_end(s):
    link = CareLink.objects.get(physio=s.physio, runner=s.runner)
    return Case(s.runner, "/me/", reverse("carelink_end", args=[link.pk]))


def _with_plan(case_for):
    def build(s):
        s.plan()
        return case_for(s)

    return build


def _warning_sign_referral(s, *, clear: bool):
    """The runner's plan paused by a warning sign in a session log: an open referral, or
    (clear) one a linked physio cleared, so the plan may be resumed."""
    from programs.logbook.models import Referral
    from programs.logbook.services import referral_clear_by_physio, session_log_create

    plan = s.plan()
    session = _session(plan)
    rx = session.prescriptions.first()
    session_log_create(
        runner=plan.runner,
        session=session,
        exercises=[{"prescription": rx.pk, "sets_done": 1, "pain_during": 2}],
        red_flags=("rest_or_night_pain",),
    )
    referral = Referral.objects.get(runner=plan.runner)
    if clear:
        referral_clear_by_physio(referral=referral, physio=s.physio, note="Assessed: fine.")
    return plan, referral


def _physio_clears(s):
    plan, referral = _warning_sign_referral(s, clear=False)
    action = reverse("physio:referral_clear", args=[plan.runner_id, referral.pk])
    return Case(s.physio, _physio_page(s, plan), action, {"note": "Assessed: fine to load."})


def _runner_clears(s):
    _plan, referral = _warning_sign_referral(s, clear=False)
    url = reverse("runner:referral_clear", args=[referral.pk])
    data = {"clinician": "Dr. Jansen, GP", "assessed_on": TODAY, "confirmed": "on"}
    return Case(s.runner, url, url, data)


def _resume(page):
    def build(s):
        _warning_sign_referral(s, clear=True)
        return Case(s.runner, page, reverse("runner:plan_resume"))

    return build


def _device_revoke(s):
    from rehab.accounts.services import api_token_create

    device, _key = api_token_create(user=s.runner, device="Phone")
    return Case(s.runner, "/me/", reverse("device_revoke", args=[device.pk]))


def _colleague_invite(s) -> Case:
    from rehab.accounts.models import Practice

    s.physio.practice = Practice.objects.create(name="Fysio Centrum")
    s.physio.save(update_fields=["practice"])
    return Case(
        s.physio,
        "/physio/",
        "/physio/colleagues/invite/",
        {"email": "colleague@example.com", "first_name": "Cas"},
    )


def _run(s):
    return RunLog.objects.create(
        runner=s.runner, date=NOW.date() - dt.timedelta(days=1), minutes=30, pain_during=1
    )


def _run_import(s):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.programs.logbook.watch_files import gpx_bytes

    data = gpx_bytes(NOW - dt.timedelta(hours=5))
    return Case(
        s.runner,
        "/runs/new/",
        "/runs/import/",
        {"files": SimpleUploadedFile("run.gpx", data)},
    )


def _run_answers(s):
    run = RunLog.objects.create(
        runner=s.runner, date=NOW.date(), minutes=30, source="gpx", content_hash="abc"
    )
    data = {f"pain_during_{run.pk}": "1", f"pain_after_{run.pk}": "2", f"rpe_{run.pk}": "4"}
    return Case(s.runner, "/runs/answers/", "/runs/answers/", data)


def _run_edit(s):
    run = _run(s)
    url = f"/runs/{run.pk}/"
    data = {"date": TODAY, "minutes": "33", "pain_during": "1", "pain_after": "1"}
    return Case(s.runner, url, url, {**data, "terrain": "flat"})


def _run_delete(s):
    run = _run(s)
    return Case(s.runner, f"/runs/{run.pk}/", f"/runs/{run.pk}/delete/")


def _setup_review(s):
    """The set-up's confirm, with every step answered on the runner's draft."""
    from programs.logbook.services import setup_draft_save
    from programs.runner.forms import SETUP_PAGES

    data = setup_data(start_date=TODAY)
    for page in SETUP_PAGES:
        setup_draft_save(runner=s.runner, step=page.key, answers=setup_page_data(page.key, data))
    return Case(s.runner, "/plan/setup/review/", "/plan/setup/review/")


CASES = {
    "runner/run_new.html#1": _run_import,
    "runner/run_answers.html#0": _run_answers,
    "runner/run_edit.html#0": _run_edit,
    "runner/run_edit.html#1": _run_delete,
    "runner/screening.html#0": lambda s: Case(
        s.runner,
        "/screening/",
        "/screening/",
        {**SCREENING_CLEAR, "pain_location": "outer_hip", "baseline_pain": "3"},
    ),
    "runner/player.html#0": _player,
    "runner/week.html#0": _resume("/week/"),
    "runner/referrals.html#0": _resume("/referrals/"),
    "runner/referral_clear.html#0": _runner_clears,
    "runner/flare_confirm.html#0": _with_plan(
        lambda s: Case(s.runner, "/flare-up/", "/flare-up/", {"severity": "5", "note": ""})
    ),
    "runner/setup_step.html#0": lambda s: Case(
        s.runner,
        "/plan/setup/programme/",
        "/plan/setup/programme/",
        setup_page_data("programme", setup_data(start_date=TODAY)),
    ),
    "runner/setup_review.html#0": _setup_review,
    "runner/run_new.html#0": lambda s: Case(
        s.runner,
        "/runs/new/",
        "/runs/new/",
        {"date": TODAY, "minutes": "30", "pain_during": "1", "pain_after": "1", "terrain": "flat"},
    ),
    "runner/checkin.html#0": lambda s: Case(
        s.runner,
        "/checkin/",
        "/checkin/",
        {"date": TODAY, "pain": "2", "stiffness_minutes": "5"},
    ),
    "runner/follow_up.html#0": _follow_up,
    "runner/training_settings.html#0": lambda s: Case(
        s.runner,
        "/me/training/",
        "/me/training/",
        {"distance_unit": "mi", "load_unit": "lb"},
    ),
    "runner/training_settings.html#1": lambda s: Case(
        s.runner, "/me/training/", "/me/training/calendar/reset/"
    ),
    "physio/plan_start.html#0": _plan_start,
    "physio/caseload.html#0": lambda s: Case(
        s.physio, "/physio/", "/physio/invite/", {"email": "new.runner@example.com"}
    ),
    "physio/caseload.html#1": _withdraw,
    "physio/editor/preview.html#0": _plan_note,
    "physio/caseload.html#2": _colleague_invite,
    "physio/runner.html#0": _physio_clears,
    "physio/runner.html#1": _status,
    "physio/runner.html#2": _undo,
    "physio/runner.html#3": _bulk,
    "physio/runner.html#4": _decide("approve"),
    "physio/runner.html#5": _decide("reject"),
    "physio/runner.html#6": _policy,
    "accounts/invitation.html#0": _invitation,
    "accounts/erase.html#0": lambda s: Case(
        s.runner,
        "/me/erase/",
        "/me/erase/",
        {"password": "correct-horse-battery", "confirm": "on"},
        ends_session=True,
    ),
    "accounts/settings.html#0": lambda s: Case(
        s.runner,
        "/me/",
        "/me/",
        {"action": "profile", "first_name": "Ann", "language": "en", "timezone": "Europe/Paris"},
        marker='value="profile"',
    ),
    "accounts/settings.html#1": lambda s: Case(
        s.runner,
        "/me/",
        "/me/",
        {
            "action": "reminders",
            "session_enabled": "on",
            "session_time": "18:30",
            "checkin_time": "08:00",
        },
        marker='value="reminders"',
    ),
    "accounts/settings.html#2": lambda s: Case(
        s.physio,
        "/me/",
        "/me/",
        {"action": "alerts", "kinds": ["red_flag"], "digest_time": "07:30"},
        marker='value="alerts"',
    ),
    "notifications/_channels.html#0": lambda s: Case(
        s.runner,
        "/me/",
        reverse("reminder_channels"),
        {"session": "both", "checkin": "none"},
    ),
    "accounts/settings.html#3": _carelink_end,
    "accounts/settings.html#4": _device_revoke,
    "accounts/settings.html#5": lambda s: Case(
        s.runner,
        "/me/",
        reverse("sign_out_everywhere"),
        ends_session=True,
        saved_status=302,
    ),
}


def test_every_state_changing_form_carries_the_token_and_is_tested():
    forms = template_forms()
    assert len(forms) >= 20
    guarded = {name for name in forms if name not in EXEMPT}
    assert set(EXEMPT) <= set(forms), "an exempt form is gone: update EXEMPT"
    for name in sorted(guarded):
        assert "{% csrf_token %}{% submission_token %}" in forms[name], name
    assert guarded == set(CASES), (
        f"untested forms: {sorted(guarded - set(CASES))}; gone: {sorted(set(CASES) - guarded)}"
    )


def _token_in(html: str, case: Case) -> str:
    for match in FORM.finditer(html):
        attrs, body = match[1], match[2]
        if not POST.search(attrs):
            continue
        action = re.search(r'action="([^"]*)"', attrs)
        if (action[1] if action else case.page) != case.action:
            continue
        if case.marker and case.marker not in body:
            continue
        token = re.search(rf'name="{FIELD}" value="([^"]+)"', body)
        assert token, f"the form posting to {case.action} on {case.page} has no token"
        return token[1]
    raise AssertionError(f"no form posting to {case.action} on {case.page}")


def _writes(queries) -> list[str]:
    allowed = ("core_submissiontoken", "django_session")
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and not any(table in q["sql"] for table in allowed)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(CASES))
def test_a_second_submit_of_a_form_writes_nothing(scene, name):
    case = CASES[name](scene)
    client = Client()
    client.force_login(case.user)
    page = client.post(case.page, case.preview) if case.preview else client.get(case.page)
    assert page.status_code == 200, (case.page, page.status_code)
    data = {**case.data, FIELD: _token_in(page.content.decode(), case)}

    first = client.post(case.action, data)
    # the erased account's goodbye page; otherwise a redirect to the result
    saved = case.saved_status or (200 if case.ends_session else 302)
    assert first.status_code == saved, (name, first.status_code, getattr(first, "context", None))
    with CaptureQueriesContext(connection) as queries:
        second = client.post(case.action, data)

    assert _writes(queries.captured_queries) == [], name
    assert second.status_code == 302
    if case.ends_session:
        assert "/accounts/login/" in second["Location"]
        return
    assert second["Location"] == first["Location"]
    notes = [str(m) for m in get_messages(second.wsgi_request)]
    assert any("already sent" in note for note in notes), notes


@pytest.mark.django_db
def test_a_form_sent_back_with_errors_can_be_sent_again(scene):
    client = Client()
    client.force_login(scene.runner)
    token = _token_in(
        client.get("/runs/new/").content.decode(), CASES["runner/run_new.html#0"](scene)
    )
    bad = {
        "date": TODAY,
        "minutes": "0",
        "pain_during": "1",
        "pain_after": "1",
        "terrain": "flat",
        FIELD: token,
    }

    assert client.post("/runs/new/", bad).status_code == 200
    assert client.post("/runs/new/", {**bad, "minutes": "30"}).status_code == 302
    assert RunLog.objects.count() == 1


@pytest.mark.django_db
def test_an_old_or_forged_token_is_refused_with_a_message(scene, time_machine):
    client = Client()
    client.force_login(scene.runner)
    data = {
        "date": TODAY,
        "minutes": "30",
        "pain_during": "1",
        "pain_after": "1",
        "terrain": "flat",
    }
    old = submission_token_new()
    time_machine.move_to(NOW + SUBMISSION_TOKEN_MAX_AGE + dt.timedelta(minutes=1), tick=False)

    for token in (old, "forged:token"):
        response = client.post("/runs/new/", {**data, FIELD: token}, HTTP_REFERER="/runs/new/")
        assert response.status_code == 302
        assert response["Location"] == "/runs/new/"
    assert not RunLog.objects.exists()
    notes = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("open too long" in note for note in notes)


@pytest.mark.django_db
def test_tokens_are_purged_after_a_day_and_go_with_the_account(scene, time_machine):
    from rehab.accounts.privacy import user_erase
    from rehab.core.submission import submission_tokens_purge

    SubmissionToken.objects.create(nonce="old", user=scene.runner, path="/runs/new/")
    time_machine.move_to(NOW + dt.timedelta(hours=23), tick=False)
    SubmissionToken.objects.create(nonce="recent", user=scene.runner, path="/runs/new/")
    SubmissionToken.objects.create(nonce="physio", user=scene.physio, path="/physio/invite/")
    time_machine.move_to(NOW + dt.timedelta(hours=25), tick=False)

    assert submission_tokens_purge() == 1
    user_erase(user=scene.runner)
    assert list(SubmissionToken.objects.values_list("nonce", flat=True)) == ["physio"]


@pytest.mark.django_db
def test_the_message_is_in_dutch_for_a_dutch_runner(scene):
    scene.runner.language = "nl"
    scene.runner.save()
    client = Client()
    client.force_login(scene.runner)
    case = CASES["runner/run_new.html#0"](scene)
    data = {**case.data, FIELD: _token_in(client.get(case.page).content.decode(), case)}
    client.post(case.action, data)

    again = client.post(case.action, data, follow=True)

    assert "al verstuurd" in again.content.decode()


# --- At the same moment (PostgreSQL) ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_four_concurrent_run_log_posts_store_one_run(content, runner, time_machine):  # noqa: F811
    postgresql_only()
    time_machine.move_to(NOW, tick=False)
    data = {
        "date": TODAY,
        "minutes": "30",
        "pain_during": "1",
        "pain_after": "1",
        "terrain": "flat",
        FIELD: submission_token_new(),
    }
    start = threading.Barrier(4, timeout=30)
    statuses = []

    def send():
        client = Client(raise_request_exception=False)
        client.force_login(runner)
        start.wait()
        statuses.append(client.post("/runs/new/", data).status_code)
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert statuses == [302] * 4
    assert RunLog.objects.filter(runner=runner).count() == 1
