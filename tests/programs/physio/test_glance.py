"""One runner at a glance (issue #13): pending decisions in clinician language, bulk
approve/reject with a message to the runner, the calendar, timeline, charts,
questionnaires with the GROC, decision history, access audit, a bounded query count, and
the printable plan and PDF for the physio and the runner."""

from __future__ import annotations

import datetime as dt
from html import escape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from programs.engine import clinician
from programs.engine.specs import Policy
from programs.logbook.questionnaire_models import QuestionnaireResponse
from programs.logbook.services import checkin_create, questionnaire_record
from programs.plans.models import Decision, PlanRevision
from programs.plans.services.approvals import decisions_decide
from programs.plans.services.recording import progression_evaluate
from programs.ui import pdf
from rehab.accounts.models import AccessLog
from rehab.core.errors import ConflictError, NotFoundError
from tests.programs.plans.test_plan_services import log_week_green, week_window

pytestmark = pytest.mark.django_db

# The runner page's statements (55 measured: ~12 of them read the template spec); the
# same bound holds with more weeks of logs, so the count does not grow with the plan.
QUERY_BOUND = 58


@pytest.fixture
def physio_client(physio):
    client = Client()
    client.force_login(physio)
    return client


@pytest.fixture
def pending_plan(make_plan, physio, time_machine):
    plan = make_plan(policy=Policy(require_approval=True))
    time_machine.move_to(dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC))
    log_week_green(plan, 1)
    progression_evaluate(plan=plan, window=week_window(plan, 1))
    assert plan.decisions.filter(status=Decision.Status.PENDING).count() >= 2
    return plan


def _pending(plan):
    return list(
        plan.decisions.filter(status=Decision.Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# --- Clinician language ------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "nl"])
def test_pending_decisions_read_in_clinician_language(
    physio_client, physio, pending_plan, language
):
    physio.language = language
    physio.save(update_fields=["language"])
    decision = pending_plan.decisions.filter(status=Decision.Status.PENDING).first()
    with translation.override(language):
        response = physio_client.get(
            reverse("physio:runner", args=[pending_plan.runner_id]),
            HTTP_ACCEPT_LANGUAGE=language,
        )
    body = response.content.decode()

    assert response.status_code == 200
    pending_html = body[body.index('id="pending-heading"') : body.index('id="policy-heading"')]
    assert escape(clinician.RULE_TEXTS[decision.rule][language]) in pending_html
    assert escape(decision.explanation[language]) not in pending_html  # not the runner's text
    assert f"<code>{decision.rule}</code>" not in body  # never a bare rule code
    row = response.context["pending"][0]
    assert row.clinician.section  # its source section
    assert row.clinician.inputs  # the pain scores and days it looked at
    if decision.changes:
        assert row.clinician.doses[0].before
        assert row.clinician.doses[0].after
        assert "→" in pending_html


# --- Bulk approve / reject ----------------------------------------------------------------


def test_bulk_approve_applies_all_ticked_changes_in_one_revision_with_a_message(
    physio_client, physio, pending_plan
):
    ids = _pending(pending_plan)
    revisions = pending_plan.revisions.count()

    response = physio_client.post(
        reverse("physio:decisions_bulk", args=[pending_plan.runner_id]),
        {"decisions": ids, "verdict": "approve", "message": "Well done, keep going."},
    )

    assert response.status_code == 302
    decided = Decision.objects.filter(pk__in=ids)
    assert {d.status for d in decided} == {Decision.Status.APPLIED}
    assert {d.decided_by_id for d in decided} == {physio.pk}
    assert {d.physio_message for d in decided} == {"Well done, keep going."}
    assert pending_plan.revisions.count() == revisions + 1
    assert pending_plan.revisions.order_by("-number").first().kind == PlanRevision.Kind.PHYSIO

    runner = Client()
    runner.force_login(pending_plan.runner)
    assert "Well done, keep going." in runner.get(reverse("runner:changes")).content.decode()


def test_bulk_reject_keeps_the_plan_and_the_runner_reads_the_message(physio_client, pending_plan):
    ids = _pending(pending_plan)
    revisions = pending_plan.revisions.count()

    physio_client.post(
        reverse("physio:decisions_bulk", args=[pending_plan.runner_id]),
        {"decisions": ids[:1], "verdict": "reject", "message": "Let us talk first."},
    )

    assert Decision.objects.get(pk=ids[0]).status == Decision.Status.REJECTED
    assert Decision.objects.filter(pk__in=ids[1:], status=Decision.Status.PENDING).count() == len(
        ids[1:]
    )
    assert pending_plan.revisions.count() == revisions
    runner = Client()
    runner.force_login(pending_plan.runner)
    body = runner.get(reverse("runner:changes")).content.decode()
    assert "Let us talk first." in body
    assert "Not applied." in body


def test_bulk_with_nothing_ticked_is_a_form_error(physio_client, pending_plan):
    response = physio_client.post(
        reverse("physio:decisions_bulk", args=[pending_plan.runner_id]), {"verdict": "approve"}
    )

    assert response.status_code == 400
    assert "Tick at least one change." in response.content.decode()
    assert _pending(pending_plan)


def test_bulk_with_a_decided_change_saves_nothing(physio_client, physio, pending_plan):
    ids = _pending(pending_plan)
    Decision.objects.filter(pk=ids[-1]).update(status=Decision.Status.REJECTED)

    with pytest.raises(ConflictError):
        decisions_decide(
            decision_ids=ids, verdict="approve", physio=physio, runner_ids=[pending_plan.runner_id]
        )
    response = physio_client.post(
        reverse("physio:decisions_bulk", args=[pending_plan.runner_id]),
        {"decisions": ids, "verdict": "approve"},
    )

    assert response.status_code == 400
    assert Decision.objects.filter(pk__in=ids[:-1], status=Decision.Status.PENDING).count() == len(
        ids[:-1]
    )


def test_bulk_outside_the_physios_runners_is_not_found_and_saves_nothing(
    physio, pending_plan, other_physio
):
    ids = _pending(pending_plan)

    with pytest.raises(NotFoundError):
        decisions_decide(decision_ids=ids, verdict="approve", physio=other_physio, runner_ids=[])
    assert _pending(pending_plan) == ids
    client = Client()
    client.force_login(other_physio)
    response = client.post(
        reverse("physio:decisions_bulk", args=[pending_plan.runner_id]),
        {"decisions": ids, "verdict": "approve"},
    )
    assert response.status_code == 404
    assert _pending(pending_plan) == ids


def test_a_message_too_long_is_refused(physio_client, pending_plan):
    response = physio_client.post(
        reverse("physio:decisions_bulk", args=[pending_plan.runner_id]),
        {"decisions": _pending(pending_plan), "verdict": "approve", "message": "x" * 1001},
    )

    assert response.status_code == 400
    assert _pending(pending_plan)


# --- The page ----------------------------------------------------------------------------


def test_the_page_shows_calendar_timeline_charts_questionnaires_history_and_audit(
    physio_client, physio, pending_plan
):
    runner = pending_plan.runner
    checkin_create(runner=runner, date=dt.date(2026, 12, 8), pain=2)
    questionnaire_record(
        runner=runner, week=0, scores={"lefs": ({}, 50), "nprs": ({}, 5), "psfs": ({}, 4)}
    )
    questionnaire_record(
        runner=runner,
        week=4,
        scores={"lefs": ({}, 62), "nprs": ({}, 2), "psfs": ({}, 7), "groc": ({"rating": 3}, 3)},
    )
    AccessLog.objects.create(actor=physio, runner=runner, object_type="plan_pdf")

    response = physio_client.get(reverse("physio:runner", args=[runner.pk]))
    body = response.content.decode()

    assert response.status_code == 200
    assert '<main id="main" tabindex="-1" class="wide">' in body
    assert len(response.context["calendar"]) == 12
    kinds = {entry.kind for entry in response.context["timeline"]}
    assert {"session", "checkin"} <= kinds
    assert 'id="chart-pain"' in body
    assert 'id="chart-adherence"' in body
    assert 'id="chart-q-lefs"' in body
    assert "Important improvement" in body  # LEFS +12 >= 9
    assert response.context["groc"] == [{"label": "Week 4", "rating": 3}]
    assert "+3" in body
    assert "Plan PDF" in body  # the audit names what was read
    assert AccessLog.objects.filter(object_type="runner_overview", actor=physio).exists()


def test_the_page_query_count_is_bounded(
    physio_client, pending_plan, django_assert_max_num_queries, time_machine
):
    url = reverse("physio:runner", args=[pending_plan.runner_id])
    physio_client.get(url)  # warm caches (content specs, sessions)
    with django_assert_max_num_queries(QUERY_BOUND):
        physio_client.get(url)
    time_machine.move_to(dt.datetime(2026, 12, 29, 9, 0, tzinfo=dt.UTC))
    for week in range(2, 4):
        log_week_green(pending_plan, week)
    for day in range(10):
        checkin_create(
            runner=pending_plan.runner, date=dt.date(2026, 11, 20) + dt.timedelta(days=day), pain=1
        )
    with django_assert_max_num_queries(QUERY_BOUND):
        physio_client.get(url)


# --- Printable plan and PDF ---------------------------------------------------------------


def test_the_printable_plan_is_in_the_runners_language_and_audited(
    physio_client, physio, pending_plan
):
    runner = pending_plan.runner
    runner.language = "nl"
    runner.save(update_fields=["language"])
    rx = pending_plan.sessions.first().prescriptions.select_related("exercise").first()
    rx.notes = "Knie boven de enkel houden."
    rx.save(update_fields=["notes"])

    response = physio_client.get(reverse("physio:plan_print", args=[runner.pk]))
    body = response.content.decode()

    assert response.status_code == 200
    assert '<html lang="nl">' in body
    assert rx.exercise.name_nl in body
    assert "Knie boven de enkel houden." in body
    assert "Week 12" in body
    assert AccessLog.objects.filter(actor=physio, runner=runner, object_type="plan_print").exists()


def test_the_pdf_downloads_for_the_physio_and_the_runner(physio_client, pending_plan):
    if not pdf.pdf_available():
        pytest.skip("WeasyPrint or Pango is not installed here")
    response = physio_client.get(reverse("physio:plan_pdf", args=[pending_plan.runner_id]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]

    runner = Client()
    runner.force_login(pending_plan.runner)
    own = runner.get(reverse("runner:plan_pdf"))
    assert own.status_code == 200
    assert own.content.startswith(b"%PDF")
    assert (
        reverse("runner:plan_pdf")
        in runner.get(reverse("runner:training_settings")).content.decode()
    )


def test_without_pango_the_pdf_answers_a_clear_503(physio_client, pending_plan, monkeypatch):
    def missing():
        raise pdf.PdfUnavailable("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(pdf, "_weasyprint", missing)
    response = physio_client.get(reverse("physio:plan_pdf", args=[pending_plan.runner_id]))

    assert response.status_code == 503
    assert "Pango" in response.content.decode()
    runner = Client()
    runner.force_login(pending_plan.runner)
    assert runner.get(reverse("runner:plan_pdf")).status_code == 503


def test_the_print_pages_are_scoped(pending_plan, other_physio, other_runner):
    client = Client()
    client.force_login(other_physio)
    for name in ("physio:plan_print", "physio:plan_pdf"):
        assert client.get(reverse(name, args=[pending_plan.runner_id])).status_code == 404
    runner = Client()
    runner.force_login(pending_plan.runner)
    assert runner.get(reverse("physio:plan_pdf", args=[pending_plan.runner_id])).status_code == 404
    without_plan = Client()
    without_plan.force_login(other_runner)
    assert without_plan.get(reverse("runner:plan_pdf")).status_code == 302


# --- GROC ---------------------------------------------------------------------------------


def test_the_follow_up_asks_the_global_rating_of_change(make_plan, runner, time_machine):
    plan = make_plan()
    time_machine.move_to(
        dt.datetime.combine(plan.start_date + dt.timedelta(days=29), dt.time(9), tzinfo=dt.UTC)
    )
    client = Client()
    client.force_login(runner)
    data = {"baseline_pain": "2", "psfs_activity_1": "Running", "psfs_score_1": "6"}
    data.update({f"lefs_{i}": "3" for i in range(1, 21)})

    missing = client.post(reverse("runner:follow_up"), data)
    assert missing.status_code == 200
    assert "Choose how your hip is compared with the start." in missing.content.decode()

    client.post(reverse("runner:follow_up"), {**data, "groc": "-2"})
    groc = QuestionnaireResponse.objects.get(runner=runner, instrument="groc")
    assert (groc.week, groc.score) == (4, -2)


def test_a_groc_outside_minus_5_to_5_is_refused_by_the_database(runner):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionnaireResponse.objects.create(
            runner=runner, instrument="groc", week=4, answers={}, score=6
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionnaireResponse.objects.create(
            runner=runner, instrument="lefs", week=4, answers={}, score=-1
        )
