"""Reminder delivery at scale: N schedules due in the same minute, dispatched and sent.

PostgreSQL only. The product's own processes, as deploy/Procfile starts them: one beat,
a dispatch worker (1 process), a notify worker (2 processes) and a progression worker
(1 process), on a private redis-server and a throwaway copy of the database. The mail
server is bench.chaos_backend.CountingBackend, which records the moment it accepts each
message. Sizes come from BENCH_REMINDERS (default "100000").

Prints reminders per second (from the due instant to the last acceptance), p50 / p99 /
max lateness (acceptance - scheduled time, including the wait for beat's next
dispatching tick, at most 5 s), and how long a task sent to the progression queue in
the middle of the flood waited: the weekly evaluation has its own queue and worker, so
the emails waiting on the notify queue must not delay it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import time

from bench.chaos import (
    PY,
    ROOT,
    Processes,
    celery,
    percentile,
    process_env,
    read_sends,
    run_folders,
    wait_for_marks,
)
from bench.support import throwaway_database

CHUNK = 5000
LIMIT = 900.0  # seconds for one size before the run is called failed
WORKERS = {
    "dispatch": ("dispatch", "1"),
    "notify": ("notify", "2"),
    "progression": ("progression", "1"),
}
PROBE_TASK = "programs.logbook.tasks.dispatch_due_progressions"


def _database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"


def _seed(count: int, due: dt.datetime) -> None:
    """N runners who agreed to health data, each with an email check-in reminder. Their
    time zones and languages alternate, so the dispatcher computes real local dates and
    both languages' templates render."""
    from rehab.accounts.models import User
    from rehab.notifications.models import ReminderChannel, ReminderSchedule

    zones = ["Europe/Amsterdam", "Europe/London", "America/New_York", "Asia/Tokyo"]
    for begin in range(0, count, CHUNK):
        users = User.objects.bulk_create(
            [
                User(
                    email=f"bench-{i}@bench.example",
                    password="!",  # noqa: S106 - an unusable password hash
                    timezone=zones[i % len(zones)],
                    language="nl" if i % 2 else "en",
                    health_data_consent_at=due - dt.timedelta(days=1),
                )
                for i in range(begin, min(count, begin + CHUNK))
            ]
        )
        ReminderSchedule.objects.bulk_create(
            [
                ReminderSchedule(
                    user=u,
                    kind="checkin",
                    channel=ReminderChannel.EMAIL,
                    local_time=dt.time(8, 0),
                    next_fire_at=due,
                )
                for u in users
            ]
        )


def _logged_at(log: str, task_id: str, event: str) -> float | None:
    """When the worker logged `Task <name>[<id>] <event>` (its JSON log lines)."""
    wanted = f"Task {PROBE_TASK}[{task_id}] {event}"
    for line in log.splitlines():
        if wanted not in line:
            continue
        try:
            return dt.datetime.fromisoformat(json.loads(line)["time"]).timestamp()
        except (ValueError, KeyError):
            continue
    return None


def _sent_count() -> int:
    from rehab.notifications.models import ReminderDelivery

    return ReminderDelivery.objects.filter(status="sent").count()


def _one_size(count: int) -> list[tuple[str, str]]:
    from django.utils import timezone

    from rehab.core.embedded_redis import EmbeddedRedis
    from rehab.notifications.models import ReminderDelivery, ReminderSchedule

    workdir, sends_dir = run_folders("rehab-bench-reminders-")
    started = time.perf_counter()
    _seed(count, timezone.now() + dt.timedelta(days=1))  # due once the processes are up
    lines = [(f"{count} reminders: data built in", f"{time.perf_counter() - started:.1f} s")]
    with EmbeddedRedis() as redis:
        env = process_env(redis_url=redis.url, sends_dir=sends_dir, DATABASE_URL=_database_url())
        processes = Processes(env, workdir)
        try:
            for name, (queue, concurrency) in WORKERS.items():
                processes.start(
                    name,
                    celery(
                        "worker",
                        "-l",
                        "info",
                        "-Q",
                        queue,
                        "-n",
                        f"{name}@%h",
                        "--concurrency",
                        concurrency,
                    ),
                )
            processes.start("beat", celery("beat", "-l", "info", "-s", str(workdir / "beat")))
            marks = {f"{n}.log": "ready." for n in WORKERS} | {"beat.log": "beat: Starting"}
            if not wait_for_marks(workdir, marks, time.monotonic() + 120):
                raise RuntimeError(f"the workers and beat did not start in 2 minutes ({workdir})")
            due = timezone.now()
            ReminderSchedule.objects.update(next_fire_at=due)
            deadline = time.monotonic() + LIMIT
            probe: tuple[str, float, int] | None = None
            while (sent := _sent_count()) < count:
                dead = [n for n, p in processes.running.items() if p.poll() is not None]
                if dead:
                    raise RuntimeError(f"{', '.join(dead)} exited during the run ({workdir})")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{count - sent} reminders unsent after {LIMIT:.0f} s")
                if probe is None and sent >= count // 10:
                    backlog = ReminderDelivery.objects.exclude(status="sent").count()
                    sent_at = time.time()
                    call = subprocess.run(
                        [PY, "-m", "celery", "-A", "rehab", "call", PROBE_TASK],
                        cwd=ROOT,
                        env=env,
                        capture_output=True,
                        text=True,
                        check=True,
                    )
                    probe = (call.stdout.strip().splitlines()[-1], sent_at, backlog)
                time.sleep(0.5)
        finally:
            processes.stop_all()
    sends, _last = read_sends(sends_dir)
    first: dict[str, float] = {}
    for row, at in sorted(sends, key=lambda s: s[1]):
        first.setdefault(row, at)
    lateness = [at - due.timestamp() for at in first.values()]
    spread = max(first.values()) - due.timestamp()
    lines += [
        (
            f"{count} reminders due at once: sent (beat, 1 + 2 + 1 worker processes)",
            f"{spread:.1f} s, {count / spread:.0f} reminders/s, {len(sends)} accepted",
        ),
        (
            f"{count} reminders: lateness p50 / p99 / max",
            f"{statistics.median(lateness):.1f} / {percentile(lateness, 0.99):.1f} / "
            f"{max(lateness):.1f} s",
        ),
    ]
    if probe is not None:
        task_id, sent_at, backlog = probe
        log = (workdir / "progression.log").read_text(errors="replace")
        received = _logged_at(log, task_id, "received")
        done = _logged_at(log, task_id, "succeeded")
        figure = (
            f"received {received - sent_at:.2f} s, done {done - sent_at:.2f} s after sending"
            if received is not None and done is not None
            else f"not seen in {workdir / 'progression.log'}"
        )
        lines.append((f"progression task during the flood ({backlog} emails waiting)", figure))
    return lines


def run() -> list[tuple[str, str]]:
    from django.db import connection

    if connection.vendor != "postgresql":
        return [("reminder delivery at scale", "skipped: PostgreSQL only (SKIP LOCKED)")]
    sizes = [int(x) for x in os.environ.get("BENCH_REMINDERS", "100000").split(",") if x]
    results: list[tuple[str, str]] = []
    for size in sizes:
        with throwaway_database():
            results.extend(_one_size(size))
    return results
