"""Weekly progression evaluation at scale: N active plans with a week of logs each.

Measures `progressions_dispatch_due` end to end (windows built, engine run, decisions,
revisions and runs written) over every plan, batch by batch, on the configured
database. Sizes come from BENCH_PLANS (default "10000,100000" on PostgreSQL,
"1000,5000" on SQLite). Prints plans per second, queries per batch and peak memory (RSS) per process.

On PostgreSQL each size is evaluated twice on the same data, once with each write path of
rehab.core.bulk (BENCH_BULK, default "recordset,django"): the hand-written JSON-recordset
statements and Django's bulk_create / bulk_update. The evaluation's writes are undone
between the two (`_undo_evaluation`), so both passes see the same due plans.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import time

from django.db.models import OuterRef, Subquery

from bench.support import collect_results, throwaway_database
from rehab.celery import release_connections_before_fork

START = dt.date(2026, 11, 30)
DUE = dt.datetime(2026, 12, 7, 13, 0, tzinfo=dt.UTC)
CHUNK = 5000


def _prototype():
    from programs.content.loader import content_load_directory
    from programs.content.models import ProgramTemplate
    from programs.engine.samples import sample_runner_context
    from programs.logbook.models import Screening
    from programs.logbook.services import plan_start
    from rehab.accounts.models import User

    content_load_directory()
    runner = User.objects.create(email="prototype@example.com", password="!")  # noqa: S106 - an unusable password hash
    Screening.objects.create(
        runner=runner, answers={}, outcome="ok", baseline_pain=3, condition="gluteal_tendinopathy"
    )
    context = sample_runner_context(start_date=START)
    template = ProgramTemplate.objects.get(slug="gluteal-tendinopathy")
    return plan_start(runner=runner, template=template, context=context, weeks=12)


def _populate(prototype, count: int, offset: int) -> None:
    """Copy the prototype plan to `count` new runners, each with a week of logs."""
    from programs.logbook.models import ExerciseLog, MorningCheckin, RunLog, SessionLog
    from programs.plans.models import Plan, PlanRevision, PlanSession, PlanWeek
    from rehab.accounts.models import User

    revision = prototype.current_revision
    week = prototype.weeks.get(number=1)
    sessions = list(
        prototype.sessions.filter(week=week, kind="strength").prefetch_related("prescriptions")
    )
    for begin in range(0, count, CHUNK):
        size = min(CHUNK, count - begin)
        users = User.objects.bulk_create(
            [
                User(
                    email=f"r{offset + begin + i}@bench.example",
                    password="!",  # noqa: S106 - an unusable password hash,
                    health_data_consent_at=DUE,
                )
                for i in range(size)
            ]
        )
        plans = Plan.objects.bulk_create(
            [
                Plan(
                    runner=u,
                    template_id=prototype.template_id,
                    condition=prototype.condition,
                    start_date=START,
                    baseline_pain=3,
                    irritability="moderate",
                    context=prototype.context,
                    policy=prototype.policy,
                    next_evaluation_at=DUE,
                )
                for u in users
            ]
        )
        revisions = PlanRevision.objects.bulk_create(
            [
                PlanRevision(
                    plan=p, number=1, kind="generated", state=revision.state, effective_from=START
                )
                for p in plans
            ]
        )
        for plan, rev in zip(plans, revisions, strict=True):
            plan.current_revision = rev
        Plan.objects.bulk_update(plans, ["current_revision"], batch_size=CHUNK)
        weeks = PlanWeek.objects.bulk_create(
            [
                PlanWeek(
                    plan=p,
                    revision=r,
                    number=1,
                    phase_key=week.phase_key,
                    starts_on=START,
                    run=week.run,
                    education=week.education,
                )
                for p, r in zip(plans, revisions, strict=True)
            ]
        )
        new_sessions = PlanSession.objects.bulk_create(
            [
                PlanSession(plan=p, week=w, revision=r, date=s.date, kind=s.kind)
                for p, w, r in zip(plans, weeks, revisions, strict=True)
                for s in sessions
            ]
        )
        logs = SessionLog.objects.bulk_create(
            [
                SessionLog(runner_id=ps.plan.runner_id, session=ps, date=ps.date, pain_after=2)
                for ps in new_sessions
            ]
        )
        by_date = {s.date: list(s.prescriptions.all()) for s in sessions}
        ExerciseLog.objects.bulk_create(
            [
                ExerciseLog(
                    session_log=log,
                    slot_key=rx.slot_key,
                    exercise_id=rx.exercise_id,
                    sets_done=rx.sets,
                    reps_done=[rx.reps or 1] * rx.sets,
                    hold_seconds=rx.hold_seconds,
                    rpe=4,
                    pain_during=1,
                )
                for log in logs
                for rx in by_date[log.date]
            ],
            batch_size=CHUNK,
        )
        MorningCheckin.objects.bulk_create(
            [
                MorningCheckin(runner=u, date=START + dt.timedelta(days=d), pain=2)
                for u in users
                for d in range(1, 8)
            ],
            batch_size=CHUNK,
        )
        RunLog.objects.bulk_create(
            [
                RunLog(runner=u, date=START + dt.timedelta(days=d), minutes=20, pain_during=1)
                for u in users
                for d in (1, 5)
            ],
            batch_size=CHUNK,
        )


def _undo_evaluation() -> None:
    """Put every plan back as `_populate` left it: due, at its first revision, with no
    decisions, runs or referrals, so a second pass evaluates the same work. Plain DELETEs:
    the ORM's delete() collects the rows first and, at 100,000 plans, sends more than the
    65,535 parameters a PostgreSQL statement can hold."""
    from django.db import connection

    from programs.logbook.models import Referral
    from programs.plans.models import Decision, Plan, PlanRevision, ProgressionRun

    first = PlanRevision.objects.filter(plan=OuterRef("pk"), number=1).values("pk")[:1]
    Plan.objects.update(
        current_revision=Subquery(first), version=1, status="active", next_evaluation_at=DUE
    )
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in (Decision, ProgressionRun, Referral):
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")  # noqa: S608 - a model's table
        cursor.execute(
            f"DELETE FROM {quote(PlanRevision._meta.db_table)} WHERE number > 1"  # noqa: S608
        )


def _settle() -> None:
    """Vacuum and analyse the freshly loaded tables, as autovacuum would have long before
    a real database held this many plans: without statistics and visibility map the first
    pass measures PostgreSQL setting hint bits on every row, not the evaluation."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def _dispatch_worker(queue) -> None:
    """One evaluating process (as one Celery worker would be)."""
    from django.db import connections

    from programs.logbook.weekly import progressions_dispatch_due

    connections.close_all()
    report = progressions_dispatch_due(now=DUE, enqueue_relayout=False)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    queue.put((report.plans, report.changed, report.batches, peak_rss))
    connections.close_all()


def _measure(workers: int) -> dict:
    """Evaluate every due plan with `workers` processes; SKIP LOCKED splits the work."""
    import multiprocessing

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from programs.logbook.weekly import progressions_dispatch_due

    # Queries per batch, measured on one batch in this process.
    first_started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        first = progressions_dispatch_due(now=DUE, max_batches=1, enqueue_relayout=False)
    first_elapsed = time.perf_counter() - first_started
    # No child may inherit an open broker, database or cache connection: a forked child
    # talking on its parent's sockets hangs (rehab.celery.release_connections_before_fork).
    release_connections_before_fork()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    started = time.perf_counter()
    processes = [context.Process(target=_dispatch_worker, args=(queue,)) for _ in range(workers)]
    for process in processes:
        process.start()
    results = collect_results(queue, processes, timeout=3600)
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - started + first_elapsed
    plans = sum(r[0] for r in results) + first.plans
    return {
        "plans": plans,
        "seconds": elapsed,
        "rate": plans / elapsed if elapsed else 0.0,
        "queries_per_batch": len(captured.captured_queries),
        "peak_mb": max(r[3] for r in results) / 1e6,
        "changed": sum(r[1] for r in results) + first.changed,
        "batches": sum(r[2] for r in results) + first.batches,
    }


def _lines(size: int, mode: str, workers: int, figures: dict) -> list[tuple[str, str]]:
    return [
        (
            f"{size} plans, {mode}: evaluated and written ({workers} processes)",
            f"{figures['seconds']:.1f} s, {figures['rate']:.0f} plans/s, "
            f"{figures['plans']} plans, {figures['changed']} changed",
        ),
        (
            f"{size} plans, {mode}: queries per batch / peak RSS per process",
            f"{figures['queries_per_batch']} / {figures['peak_mb']:.1f} MB",
        ),
    ]


def run() -> list[tuple[str, str]]:
    from django.db import connection

    from rehab.core import bulk

    default = "10000,100000" if connection.vendor == "postgresql" else "1000,5000"
    sizes = [int(x) for x in os.environ.get("BENCH_PLANS", default).split(",") if x]
    # SQLite serialises writers, so parallel dispatchers only help on PostgreSQL.
    workers = int(
        os.environ.get("BENCH_WORKERS", "2" if connection.vendor == "postgresql" else "1")
    )
    modes = ["recordset"]
    if connection.vendor == "postgresql":  # elsewhere both paths are Django's bulk ops
        modes = [m for m in os.environ.get("BENCH_BULK", "recordset,django").split(",") if m]
    results = []
    for size in sizes:
        with throwaway_database():
            prototype = _prototype()
            started = time.perf_counter()
            _populate(prototype, size, offset=0)
            built = time.perf_counter() - started
            results.append((f"{size} plans, {connection.vendor}: data built in", f"{built:.1f} s"))
            seconds: dict[str, float] = {}
            for index, mode in enumerate(modes):
                if index:
                    _undo_evaluation()
                _settle()
                bulk.MODE = mode
                try:
                    figures = _measure(workers)
                finally:
                    bulk.MODE = "recordset"
                # The best pass of each path: the others share this machine's two cores.
                seconds[mode] = min(seconds.get(mode, figures["seconds"]), figures["seconds"])
                results.extend(_lines(size, mode, workers, figures))
            if {"recordset", "django"} <= seconds.keys():
                results.append(
                    (
                        f"{size} plans: django bulk ops / recordset SQL, best pass",
                        f"{seconds['django'] / seconds['recordset']:.2f}x",
                    )
                )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results.append(("process peak RSS over the whole bench", f"{rss:.0f} MB"))
    return results
