"""Generating and storing a 12-week plan (planner + persistence) on the configured database,
and laying a plan out again in place (the relayout after every change), for 12- and
36-week plans: its statement count must not grow with the number of sessions."""

from __future__ import annotations

import datetime as dt

from bench.support import summary_ms, throwaway_database, timed


def run() -> list[tuple[str, str]]:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from programs.content.loader import content_load_directory
    from programs.content.models import ProgramTemplate
    from programs.engine.samples import sample_runner_context
    from programs.logbook.models import Screening
    from programs.logbook.services import plan_start
    from rehab.accounts.models import User

    with throwaway_database():
        content_load_directory()
        template = ProgramTemplate.objects.get(slug="gluteal-tendinopathy")
        runners = []
        for index in range(40):
            runner = User.objects.create(email=f"g{index}@bench.example", password="!")  # noqa: S106
            Screening.objects.create(
                runner=runner,
                answers={},
                outcome="ok",
                baseline_pain=3,
                condition="gluteal_tendinopathy",
            )
            runners.append(runner)
        context = sample_runner_context(start_date=dt.date(2026, 11, 30))
        queue = iter(runners)

        def generate():
            with transaction.atomic():
                plan_start(runner=next(queue), template=template, context=context, weeks=12)

        generate()  # warm the caches once
        with CaptureQueriesContext(connection) as captured:
            generate()
        samples = timed(generate, 30)
        relayouts = _relayouts(template, context, extra=runners[32:])
    return [
        (f"plan_generate, 12 weeks, stored on {connection.vendor}", summary_ms(samples)),
        ("queries per generated plan", str(len(captured.captured_queries))),
        *relayouts,
    ]


def _relayouts(template, context, *, extra) -> list[tuple[str, str]]:
    """A generated plan's later phases laid out again in the phase in force (sessions
    updated, prescriptions replaced, days added), then once more with nothing to change."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from programs.logbook.services import plan_start
    from programs.plans.services.layout import plan_relayout

    week2 = context.start_date + dt.timedelta(days=7)
    out = []
    for weeks, runner in zip((12, 36), extra, strict=False):
        with transaction.atomic():
            plan = plan_start(runner=runner, template=template, context=context, weeks=weeks)
        sessions = plan.sessions.count()

        def relayout(plan=plan):
            with transaction.atomic():
                plan_relayout(
                    plan_id=plan.pk, revision_id=plan.current_revision_id, from_date=week2
                )

        with CaptureQueriesContext(connection) as changed:
            relayout()
        with CaptureQueriesContext(connection) as unchanged:
            relayout()
        samples = timed(relayout, 20)
        out += [
            (
                f"relayout in place, {weeks} weeks ({sessions} sessions): queries changed / unchanged",
                f"{len(changed.captured_queries)} / {len(unchanged.captured_queries)}",
            ),
            (f"relayout in place, {weeks} weeks, nothing to change", summary_ms(samples)),
        ]
    return out
