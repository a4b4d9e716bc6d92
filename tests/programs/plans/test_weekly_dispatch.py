"""The weekly evaluation of every due plan: batches, idempotence, bounded queries."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programs.engine import rules
from programs.logbook.services import flare_up_report
from programs.logbook.weekly import progressions_dispatch_due
from programs.plans.models import Decision, Plan, ProgressionRun
from programs.plans.services.layout import plan_relayout
from tests.factories import UserFactory
from tests.programs.conftest import MONDAY, log_week_green

# Week 1 runs Monday 30 Nov .. Sunday 6 Dec; it is evaluated Monday 7 Dec at 14:00 local.
DUE = dt.datetime(2026, 12, 7, 13, 0, tzinfo=dt.UTC)  # 14:00 in Amsterdam


def runners_with_plans(make_plan, count, prefix="batch"):
    from programs.logbook.models import Screening

    plans = []
    for index in range(count):
        runner = UserFactory(email=f"{prefix}{index}@example.com")
        Screening.objects.create(
            runner=runner,
            answers={},
            outcome="ok",
            condition="gluteal_tendinopathy",
            baseline_pain=3,
        )
        plans.append(make_plan(runner=runner))
    return plans


@pytest.mark.django_db
def test_a_plan_is_evaluated_once_its_week_has_ended(make_plan, time_machine):
    plan = make_plan()
    assert plan.next_evaluation_at == DUE
    time_machine.move_to(DUE - dt.timedelta(hours=1))
    log_week_green(plan, 1)

    assert progressions_dispatch_due(now=DUE - dt.timedelta(minutes=1)).plans == 0
    report = progressions_dispatch_due(now=DUE, enqueue_relayout=False)

    assert (report.plans, report.changed) == (1, 1)
    run = ProgressionRun.objects.get(plan=plan)
    assert (run.period_start, run.period_end) == (MONDAY, MONDAY + dt.timedelta(days=6))
    plan.refresh_from_db()
    assert plan.next_evaluation_at == DUE + dt.timedelta(days=7)
    assert plan.decisions.exists()
    assert progressions_dispatch_due(now=DUE).plans == 0


@pytest.mark.django_db
def test_the_relayout_task_lays_out_the_new_revision_once(make_plan, time_machine):
    plan = make_plan()
    time_machine.move_to(DUE - dt.timedelta(hours=1))
    log_week_green(plan, 1)
    progressions_dispatch_due(now=DUE, enqueue_relayout=False)
    plan.refresh_from_db()

    assert plan_relayout(plan_id=plan.pk, revision_id=plan.current_revision_id) is True
    week2 = plan.sessions.filter(date__gte=MONDAY + dt.timedelta(days=7))
    assert week2.exists()
    assert set(week2.values_list("revision_id", flat=True)) == {plan.current_revision_id}
    assert plan_relayout(plan_id=plan.pk, revision_id=plan.current_revision_id - 1) is False


@pytest.mark.django_db
def test_queries_per_batch_do_not_grow_with_the_number_of_plans(make_plan, time_machine):
    time_machine.move_to(DUE - dt.timedelta(hours=1))
    small = runners_with_plans(make_plan, 2)
    for plan in small:
        log_week_green(plan, 1)
    with CaptureQueriesContext(connection) as two:
        progressions_dispatch_due(now=DUE, enqueue_relayout=False)

    large = runners_with_plans(make_plan, 8, prefix="large")
    for plan in large:
        log_week_green(plan, 1)
    with CaptureQueriesContext(connection) as eight:
        progressions_dispatch_due(now=DUE, enqueue_relayout=False)

    assert ProgressionRun.objects.count() == 10
    # Only the physio alerts (none here) and the spec cache depend on the batch content.
    assert len(eight.captured_queries) <= len(two.captured_queries) + 2


@pytest.mark.django_db
def test_a_flare_evaluated_mid_week_is_not_counted_again_at_the_week_end(make_plan, time_machine):
    plan = make_plan()
    time_machine.move_to(dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC))
    flare_up_report(runner=plan.runner, date=dt.date(2026, 12, 3), severity=6)
    deloads = Decision.objects.filter(plan=plan, kind="deload").count()
    assert deloads == 1

    progressions_dispatch_due(now=DUE, enqueue_relayout=False)

    assert Decision.objects.filter(plan=plan, kind="deload").count() == deloads


@pytest.mark.django_db
def test_the_plans_waiting_longest_are_claimed_first_a_batch_at_a_time(make_plan, time_machine):
    time_machine.move_to(DUE - dt.timedelta(hours=1))
    plans = runners_with_plans(make_plan, 4)
    waits = [dt.timedelta(hours=h) for h in (0, 3, 1, 2)]  # how long each has been due
    for plan, wait in zip(plans, waits, strict=True):
        Plan.objects.filter(pk=plan.pk).update(next_evaluation_at=DUE - wait)

    report = progressions_dispatch_due(now=DUE, batch=2, max_batches=1, enqueue_relayout=False)

    assert (report.plans, report.batches) == (2, 1)
    evaluated = set(ProgressionRun.objects.values_list("plan_id", flat=True))
    assert evaluated == {plans[1].pk, plans[3].pk}
    rest = progressions_dispatch_due(now=DUE, batch=2, enqueue_relayout=False)
    assert (rest.plans, rest.batches) == (2, 1)
    assert ProgressionRun.objects.count() == 4


@pytest.mark.django_db
def test_paused_plans_are_not_evaluated(make_plan):
    plan = make_plan()
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.PAUSED)

    assert progressions_dispatch_due(now=DUE + dt.timedelta(days=30)).plans == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_dispatchers_evaluate_each_plan_once(make_plan, time_machine):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only real on PostgreSQL")
    time_machine.move_to(DUE - dt.timedelta(hours=1))
    runners_with_plans(make_plan, 12)
    errors = []

    def dispatch():
        try:
            progressions_dispatch_due(now=DUE, batch=3, enqueue_relayout=False)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatch) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert ProgressionRun.objects.count() == 12
    assert Plan.objects.filter(next_evaluation_at__lte=DUE).count() == 0


@pytest.mark.django_db
def test_a_weekly_trend_rising_two_weeks_running_deloads_and_alerts_the_physio(
    make_plan, physio, time_machine, django_capture_on_commit_callbacks
):
    """Scenario from clinical-evidence §D2, through the stored weekly means."""
    from django.core import mail

    from programs.logbook.services import checkin_create

    plan = make_plan()
    # Weekly means 3.0 -> 3.57 -> 4.0: each rise under 1 point, but rising two weeks running.
    weeks = ((3,) * 7, (4, 4, 4, 4, 3, 3, 3), (4,) * 7)
    for week, mornings in enumerate(weeks, start=1):
        week_start = MONDAY + dt.timedelta(weeks=week - 1)
        time_machine.move_to(
            dt.datetime.combine(week_start + dt.timedelta(days=7), dt.time(8), tzinfo=dt.UTC)
        )
        for day, pain in enumerate(mornings, start=1):
            checkin_create(runner=plan.runner, date=week_start + dt.timedelta(days=day), pain=pain)
        due = DUE + dt.timedelta(weeks=week - 1)
        with django_capture_on_commit_callbacks(execute=True):
            progressions_dispatch_due(now=due, enqueue_relayout=False)

    means = list(
        ProgressionRun.objects.filter(plan=plan)
        .order_by("period_start")
        .values_list("weekly_pain_mean", flat=True)
    )
    assert means == [3.0, 3.57, 4.0]
    deloads = Decision.objects.filter(plan=plan, kind="deload").order_by("window_ends_on")
    first = deloads.first()
    assert first.window_ends_on == MONDAY + dt.timedelta(days=20)  # the end of week 3
    assert first.rule == "D2.weekly_trend_deload"
    assert first.alert_physio
    assert first.explanation["en"].endswith(rules.PHYSIO_TOLD["en"])
    # A rising trend is not emailed at once (#13): the physio's daily digest reports it.
    from programs.logbook.alerts import digest_kinds
    from rehab.accounts.models import AlertKind

    assert mail.outbox == []
    assert AlertKind.RISING_PAIN in digest_kinds(physio)
