"""`make chaos`: reminders that are on time through faults (issue #16).

Creates N reminders due in the same instant, then runs the product's own processes
against them: 2 Celery workers (every queue) and 2 beats (a second beat proves that a
duplicate dispatcher cannot send twice), on a private redis-server this script starts on
a free port and alone stops. While the reminders go out it kill -9s a worker every few
seconds (and restarts it) and restarts Redis once, without persistence, mid-send. The
mail server is bench.chaos_backend.CountingBackend, which records every accepted message.

Prints lost reminders, duplicate deliveries (messages accepted twice for one row),
attempts, p50/p99/max lateness (first acceptance - scheduled time), the crash window
(acceptance -> the sent marker's UPDATE) and the catch-up time after Redis returns.
Exits 1 on any loss, any duplicate delivery row (the dedupe marker) or any duplicate
delivery outside the crash window (a row sent twice by live senders); 2 on a setup
problem. A duplicate inside the crash window (the sender killed after the mail server
accepted, before the sent marker) is at-least-once's documented cost: counted, printed.

    DATABASE_URL=postgres://... python -m bench.chaos [--size small|full] [--reminders N]

PostgreSQL only (SKIP LOCKED is the point). The database's chaos rows (users
chaos-*@chaos.example) are replaced on each run; nothing else in it is touched.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SIZES: dict[str, dict[str, Any]] = {
    # reminders, kills (None: until done), seconds between kills, time limit (s)
    "small": {"reminders": 1000, "kills": 5, "every": 3.0, "limit": 150},
    "full": {"reminders": 10000, "kills": None, "every": 8.0, "limit": 600},
}
EMAIL_DOMAIN = "chaos.example"
QUEUES = "default,dispatch,notify,progression"


def process_env(*, redis_url: str, sends_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of the product's processes in a run: production settings, a
    private Redis, and the counting mail server (bench.chaos_backend)."""
    env = dict(
        os.environ,
        PYTHONUNBUFFERED="1",
        DJANGO_SETTINGS_MODULE="rehab.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(40),
        DJANGO_ALLOWED_HOSTS="localhost",
        REDIS_URL=redis_url,
        EMAIL_BACKEND="bench.chaos_backend.CountingBackend",
        CHAOS_SENDS_DIR=str(sends_dir),
    )
    env.update(extra)
    return env


def fail(message: str) -> int:
    print(f"chaos: {message}", file=sys.stderr)
    return 2


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else float("nan")


class Processes:
    """The subprocesses this run started, each in its own process group."""

    def __init__(self, env: dict, workdir: Path):
        self.env = env
        self.workdir = workdir
        self.running: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, object] = {}

    def start(self, name: str, args: list[str]) -> None:
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 - closed in stop_all
        self.logs[name] = log
        self.running[name] = subprocess.Popen(
            args,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, name: str) -> None:
        process = self.running[name]
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        for process in self.running.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.running.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for log in self.logs.values():
            log.close()  # type: ignore[attr-defined]


def celery(*args: str) -> list[str]:
    return [PY, "-m", "celery", "-A", "rehab", *args]


def run_folders(prefix: str) -> tuple[Path, Path]:
    """A fresh folder for a run's logs, and in it the counting mail server's (sends/)."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    sends_dir = workdir / "sends"
    sends_dir.mkdir()
    return workdir, sends_dir


def marks_shown(workdir: Path, marks: dict[str, str]) -> bool:
    """Whether each log named in `marks` holds its line (a worker's "ready.", a beat's
    "beat: Starting")."""
    return all(mark in (workdir / name).read_text(errors="replace") for name, mark in marks.items())


def wait_for_marks(workdir: Path, marks: dict[str, str], deadline: float) -> bool:
    while time.monotonic() < deadline:
        if marks_shown(workdir, marks):
            return True
        time.sleep(0.5)
    return False


def wait_until_up(workdir: Path, deadline: float) -> bool:
    """Both workers consuming and both beats ticking (their startup lines in the logs)."""
    marks = {"worker1.log": "ready.", "worker2.log": "ready.", "beat1.log": "beat: Starting"}
    marks["beat2.log"] = "beat: Starting"
    return wait_for_marks(workdir, marks, deadline)


def worker_args(index: int) -> list[str]:
    return celery(
        "worker", "-l", "info", "--concurrency", "2", "-n", f"chaos{index}@%h", "-Q", QUEUES
    )


def seed(count: int, due: dt.datetime) -> None:
    """N runners, one email check-in reminder each, all due at `due`."""
    from django.db import connection

    from rehab.accounts.models import User
    from rehab.notifications.models import ReminderChannel, ReminderSchedule

    User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").delete()
    with connection.cursor() as cursor:  # a previous run's queue must not be in this one's
        cursor.execute("VACUUM ANALYZE")
    users = User.objects.bulk_create(
        [
            User(
                email=f"chaos-{i}@{EMAIL_DOMAIN}",
                password="!",  # noqa: S106 - an unusable password hash
                timezone="UTC",
                health_data_consent_at=due - dt.timedelta(days=1),
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    ReminderSchedule.objects.bulk_create(
        [
            ReminderSchedule(
                user=u,
                kind="checkin",
                channel=ReminderChannel.EMAIL,
                local_time=due.time().replace(microsecond=0),
                next_fire_at=due,
            )
            for u in users
        ],
        batch_size=2000,
    )


def progress():
    from rehab.notifications.models import ReminderDelivery

    rows = ReminderDelivery.objects.filter(schedule__user__email__endswith=f"@{EMAIL_DOMAIN}")
    return rows.count(), rows.filter(status="sent").count()


def read_sends(directory: Path) -> tuple[list[tuple[str, float]], set[str]]:
    """Every acceptance (row, time), and the rows each sending process accepted last."""
    sends: list[tuple[str, float]] = []
    last = set()
    for path in directory.glob("sends-*.log"):
        lines = [line.split() for line in path.read_text().splitlines()]
        lines = [parts for parts in lines if len(parts) == 3]
        sends.extend((parts[0], float(parts[1])) for parts in lines)
        if lines:
            last.add(lines[-1][0])
    return sends, last


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="small")
    parser.add_argument("--reminders", type=int, default=None)
    options = parser.parse_args(argv)
    plan = dict(SIZES[options.size])
    if options.reminders:
        plan["reminders"] = options.reminders
    count = int(plan["reminders"])

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return fail("DATABASE_URL must point at a PostgreSQL database (SKIP LOCKED is tested)")

    from rehab.core.embedded_redis import EmbeddedRedis, EmbeddedRedisError

    workdir, sends_dir = run_folders("rehab-chaos-")
    redis = EmbeddedRedis(persist=False)
    try:
        redis.start()
    except EmbeddedRedisError as exc:
        return fail(f"redis-server: {exc}")
    env = process_env(redis_url=redis.url, sends_dir=sends_dir)
    os.environ.update(env)
    import django

    django.setup()
    migrate = subprocess.run(
        [PY, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, capture_output=True
    )
    if migrate.returncode:
        redis.stop()
        return fail(f"migrate failed: {(migrate.stdout + migrate.stderr).decode()[-2000:]}")

    from django.utils import timezone

    from rehab.notifications.models import ReminderSchedule

    print(f"chaos: {options.size}: {count} reminders, logs in {workdir}", flush=True)
    seed(count, timezone.now() + dt.timedelta(days=1))  # due once the processes are up
    processes = Processes(env, workdir)
    kills = 0
    redis_restarted_at: float | None = None
    redis_back_wall = 0.0
    backlog_at_restart = 0
    caught_up_at: float | None = None
    try:
        born = {}
        for index in (1, 2):
            processes.start(f"worker{index}", worker_args(index))
            born[f"worker{index}"] = time.monotonic()
        for index in (1, 2):
            schedule_file = workdir / f"beat{index}-schedule"
            processes.start(f"beat{index}", celery("beat", "-l", "info", "-s", str(schedule_file)))
        ready = wait_until_up(workdir, time.monotonic() + 120)
        if not ready:
            return fail(f"the workers and beats did not start within 2 minutes ({workdir})")
        # Due now, as if the stack had been running all along.
        due = timezone.now()
        ReminderSchedule.objects.filter(user__email__endswith=f"@{EMAIL_DOMAIN}").update(
            next_fire_at=due
        )
        started = time.monotonic()
        next_kill: float | None = None  # the kills start with the first dispatched row
        max_kills = plan["kills"]
        while True:
            now = time.monotonic()
            rows, sent = progress()
            if sent >= count:
                break
            if now - started > float(plan["limit"]):
                print("chaos: time limit reached with reminders unsent", flush=True)
                break
            if redis_restarted_at is None and sent >= count * 0.3:
                backlog_at_restart = count - sent
                print(f"chaos: restarting Redis ({sent}/{count} sent)", flush=True)
                redis.stop()
                time.sleep(2.0)
                redis.process = subprocess.Popen(
                    redis.command(),
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
                redis.wait_ready(10.0)
                redis_restarted_at = time.monotonic()
                redis_back_wall = time.time()
            if next_kill is None and rows:
                next_kill = now
            if (
                next_kill is not None
                and (max_kills is None or kills < max_kills)
                and now >= next_kill
            ):
                # The worker up longest: a worker just restarted is still booting.
                victim = min(("worker1", "worker2"), key=lambda name: born[name])
                born[victim] = now
                processes.kill(victim)
                processes.start(victim, worker_args(int(victim[-1])))
                kills += 1
                next_kill = now + float(plan["every"])
            time.sleep(0.5)
        finished = time.monotonic()
        if redis_restarted_at is not None:
            caught_up_at = finished
        time.sleep(3.0)  # a send still in flight would be counted too
        elapsed = finished - started
    finally:
        processes.stop_all()
        redis.stop()

    from django.db.models import Count, Sum

    from rehab.notifications.models import ReminderDelivery

    rows = ReminderDelivery.objects.filter(schedule__user__email__endswith=f"@{EMAIL_DOMAIN}")
    by_id = {str(r.pk): r for r in rows.only("pk", "status", "scheduled_for", "sent_at")}
    sends, last_of_a_process = read_sends(sends_dir)
    accepted = Counter(row for row, _at in sends if row in by_id)
    first: dict[str, float] = {}
    for row, at in sorted(sends, key=lambda s: s[1]):
        first.setdefault(row, at)
    lost = count - sum(1 for r in by_id.values() if r.status == "sent" and str(r.pk) in accepted)
    duplicates = sum(n - 1 for n in accepted.values() if n > 1)
    # A duplicate whose first sender never sent again: it died between the mail server's
    # acceptance and the sent marker (the crash window), not a second claim of a held row.
    in_window = sum(1 for row, n in accepted.items() if n > 1 and row in last_of_a_process)
    attempts = rows.aggregate(total=Sum("attempts"))["total"] or 0
    lateness = [first[k] - r.scheduled_for.timestamp() for k, r in by_id.items() if k in first]
    window_ms = [
        (r.sent_at.timestamp() - first[k]) * 1000
        for k, r in by_id.items()
        if k in first and r.sent_at is not None and accepted[k] == 1
    ]
    statuses = Counter(r.status for r in by_id.values())
    print(f"chaos: {count} reminders, {kills} worker kills, 1 Redis restart, {elapsed:.0f} s")
    print(f"   delivery rows / statuses          {len(by_id)} / {dict(statuses)}")
    print(f"   lost                              {lost}")
    duplicate_rows = (
        rows.values("schedule_id", "local_date", "channel")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    print(f"   duplicate delivery rows (marker)  {duplicate_rows}")
    print(
        f"   duplicate deliveries              {duplicates} "
        f"({in_window} in the crash window: the sender died after acceptance)"
    )
    print(f"   attempts (rows {len(by_id)})          {attempts}")
    if lateness:
        print(
            f"   lateness p50 / p99 / max          {statistics.median(lateness):.1f} / "
            f"{percentile(lateness, 0.99):.1f} / {max(lateness):.1f} s"
        )
    if window_ms:
        print(
            f"   crash window accept->sent p50/p99/max {statistics.median(window_ms):.1f} / "
            f"{percentile(window_ms, 0.99):.1f} / {max(window_ms):.1f} ms"
        )
    if redis_restarted_at is not None and caught_up_at is not None:
        print(
            f"   catch-up after Redis returned     {caught_up_at - redis_restarted_at:.1f} s "
            f"({backlog_at_restart} unsent at the restart)"
        )
        resumed = [at for _row, at in sends if at >= redis_back_wall]
        if resumed:
            print(f"   first send after Redis returned   {min(resumed) - redis_back_wall:.1f} s")
    # At-least-once: a duplicate inside the crash window is the documented cost (reported
    # above); a duplicate marker row, or a row sent twice by live senders, is a bug.
    return 1 if lost or duplicate_rows or duplicates - in_window else 0


if __name__ == "__main__":
    sys.exit(main())
