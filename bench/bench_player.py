"""Session player and "this week": server-time medians, query counts that stay the same as
the plan grows, and the gzip size of our own JavaScript and CSS.

On a busy machine the wall-clock median mostly measures the wait for a core; the CPU time
per request (process time, this process only) is printed beside it."""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import time
from pathlib import Path

from bench.bench_runner_pages import _counter, _history
from bench.support import summary_ms, throwaway_database, timed

STATIC = Path(__file__).resolve().parents[1] / "static"
TARGET_MS = 30
JS_BUDGET = 30 * 1024


def gzip_size(paths: list[Path]) -> int:
    return sum(len(gzip.compress(path.read_bytes(), compresslevel=9)) for path in paths)


def _runner_with_plan(email: str, weeks: int, done_weeks: int):
    from programs.content.models import ProgramTemplate
    from programs.engine.samples import sample_runner_context
    from programs.logbook.models import Screening
    from programs.logbook.services import plan_start
    from rehab.accounts.models import Role, User
    from rehab.core.timeutils import local_today

    runner = User.objects.create_user(email, "a-long-enough-password", role=Role.RUNNER)
    Screening.objects.create(
        runner=runner,
        answers={},
        outcome="ok",
        condition="gluteal_tendinopathy",
        irritability="moderate",
        baseline_pain=3,
    )
    today = local_today(runner.timezone)
    plan = plan_start(
        runner=runner,
        template=ProgramTemplate.objects.get(slug="gluteal-tendinopathy"),
        context=sample_runner_context(
            start_date=today - dt.timedelta(weeks=done_weeks),
            timezone=runner.timezone,
            equipment=frozenset({"none", "mat", "belt", "wall", "step", "mini_band"}),
        ),
        weeks=weeks,
    )
    _history(runner, plan, today)
    return runner, plan


def _measure(client, urls, repeat):
    from django.db import connection

    rows = {}
    for label, url in urls:
        client.get(url)
        queries: list[str] = []
        with connection.execute_wrapper(_counter(queries)):
            status = client.get(url).status_code
        cpu = time.process_time()
        samples = timed(functools.partial(client.get, url), repeat)
        cpu_ms = (time.process_time() - cpu) / repeat * 1000
        rows[label] = (samples, len(queries), status, cpu_ms)
    return rows


def run() -> list[tuple[str, str]]:
    from django.db import connection
    from django.test import Client

    from programs.content.loader import content_load_directory
    from programs.plans.models import PlanSession

    js = sorted((STATIC / "js").glob("*.js"))
    js_gz = gzip_size(js)
    css_gz = gzip_size([STATIC / "css" / "app.css"])
    results = [
        (
            f"our JS gzip ({', '.join(p.name for p in js)})",
            f"{js_gz / 1024:.1f} KB (budget {JS_BUDGET // 1024} KB): "
            f"{'ok' if js_gz < JS_BUDGET else 'OVER'}",
        ),
        ("our CSS gzip (app.css)", f"{css_gz / 1024:.1f} KB"),
    ]
    with throwaway_database():
        content_load_directory()
        # The same point of the plan (3 weeks done) in a 4- and a 12-week plan: the query
        # counts must match; the timing is taken on a 12-week plan with 11 weeks logged.
        counts = {}
        for weeks, done in ((4, 3), (12, 3), (12, 11)):
            runner, plan = _runner_with_plan(
                f"bench.player.{weeks}.{done}@example.com", weeks, done
            )
            session = (
                PlanSession.objects.filter(plan=plan, log__isnull=True).order_by("date").first()
            )
            if session is None:
                raise RuntimeError("the benchmark plan has no session left to open")
            client = Client()
            client.force_login(runner)
            timing = done == 11
            rows = _measure(
                client,
                [("session player", f"/sessions/{session.pk}/"), ("this week", "/week/")],
                50 if timing else 3,
            )
            counts[weeks, done] = {label: row[1] for label, row in rows.items()}
            if not timing:
                continue
            for label, (samples, queries, status, cpu_ms) in rows.items():
                median_ms = sorted(samples)[len(samples) // 2] * 1000
                results.append(
                    (
                        f"{label}, 12-week plan, {done} weeks logged, {connection.vendor}",
                        f"{summary_ms(samples)}, CPU {cpu_ms:.1f} ms/request, {queries} queries, "
                        f"HTTP {status}, "
                        f"target < {TARGET_MS} ms: {'ok' if median_ms < TARGET_MS else 'MISSED'}",
                    )
                )
        for label in counts[12, 3]:
            short, long = counts[4, 3][label], counts[12, 3][label]
            results.append(
                (
                    f"{label} queries, 4- vs 12-week plan, week 4",
                    f"{short} vs {long}: {'constant' if short == long else 'GROWS'}",
                )
            )
    return results
