"""`make soak`: the whole product as deploy/Procfile runs it, through a simulated day.

Runs the Procfile's release step, then every process it names (gunicorn with two
processes, one Celery worker per queue, exactly one beat) against PostgreSQL and a
private redis-server this script starts on a free port and alone stops. Runners, from a
pool of threads over HTTP as their phones would: sign up, get a token, answer the
screening, start the plan it recommends, read their week, log a session, check in the
next morning, log a run, and some report a flare-up. Their check-in reminders then fall
due all at once, and so does every plan's weekly evaluation (sent to the progression
queue as beat sends it).

Checks that no request answered 5xx, every reminder was handed to the mail server once
(bench.chaos_backend counts each acceptance), and every due plan was evaluated once (one
ProgressionRun each, and moved on to its next evaluation). Exits 1 when a check fails, 2
on a setup problem.

    DATABASE_URL=postgres://... python -m bench.soak [--size small|full]

The run creates a database of its own (rehab_soak) on DATABASE_URL's server and drops it
afterwards; the database DATABASE_URL names is not touched.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.chaos import (
    ROOT,
    Processes,
    fail,
    marks_shown,
    process_env,
    read_sends,
    run_folders,
)
from programs.engine.screening import HIP_JOINT_QUESTIONS, RED_FLAGS
from rehab.core.embedded_redis import free_port

SIZES = {"small": {"runners": 24, "threads": 6}, "full": {"runners": 300, "threads": 12}}
PASSWORD = "soak-password-long-enough"  # noqa: S105 - the simulated runners' password
EMAIL_DOMAIN = "soak.example"
LIMIT = 300.0  # seconds for each wait
ZONES = ["Europe/Amsterdam", "Europe/London", "America/New_York", "Australia/Sydney"]
QUEUE_WORKERS = ("worker_default", "worker_dispatch", "worker_notify", "worker_progression")
UP_MARKS = {f"{n}.log": "ready." for n in QUEUE_WORKERS} | {"beat.log": "beat: Starting"}


class Client:
    """JSON over HTTP to the web processes, counting every answer by status."""

    def __init__(self, base: str):
        self.base = base
        self.statuses: Counter[int] = Counter()
        self.server_errors: list[str] = []
        self.lock = threading.Lock()

    def call(self, method: str, path: str, body=None, token: str | None = None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)  # noqa: S310 - our own server
        request.add_header("Accept", "application/json")
        request.add_header("Accept-Language", "en")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Token {token}")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        with self.lock:
            self.statuses[status] += 1
            if status >= 500:
                self.server_errors.append(f"{method} {path}: {status} {raw[:200]!r}")
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, None


def _expect(status: int, wanted: set[int], what: str, body) -> None:
    if status not in wanted:
        raise RuntimeError(f"{what}: answered {status}: {str(body)[:300]}")


def runner_day(client: Client, index: int) -> dict:
    """One runner's day through the API; returns what was made."""
    email = f"soak-{index}@{EMAIL_DOMAIN}"
    status, body = client.call(
        "POST",
        "/api/v1/auth/register/",
        {
            "email": email,
            "password": PASSWORD,
            "language": "nl" if index % 2 else "en",
            "timezone": ZONES[index % len(ZONES)],
            "health_data_consent": True,
        },
    )
    _expect(status, {202}, "sign-up", body)
    status, body = client.call(
        "POST", "/api/v1/auth/token/", {"email": email, "password": PASSWORD, "device": "soak"}
    )
    _expect(status, {200}, "token", body)
    token = body["token"]
    status, body = client.call("GET", "/api/v1/me/", token=token)
    _expect(status, {200}, "me", body)
    screening = {
        "hip_snapping": "none",
        "pain_location": "outer_hip",
        "baseline_pain": 3 + index % 3,
        "lying_on_side_hurts": True,
        "stairs_hurt": True,
    }
    screening |= dict.fromkeys(RED_FLAGS, False) | dict.fromkeys(HIP_JOINT_QUESTIONS, False)
    status, body = client.call("POST", "/api/v1/screening/", screening, token=token)
    _expect(status, {200, 201}, "screening", body)
    template = body["recommended_template"]
    status, body = client.call(
        "POST",
        "/api/v1/plans/",
        {"template": template, "equipment": ["mat", "mini_band"]},
        token=token,
    )
    _expect(status, {201}, "plan", body)
    plan_id = body["id"]
    status, week = client.call("GET", "/api/v1/plans/current/week/", token=token)
    _expect(status, {200}, "this week", week)
    logged = 0
    today = week["today"]
    for session in week["sessions"]:
        if session.get("date", "9999") > today or session.get("kind") == "rest":
            continue
        exercises = [
            {"prescription": rx["id"], "sets_done": rx["sets"], "pain_during": 1 + index % 3}
            for rx in session.get("prescriptions", [])
        ]
        if not exercises:
            continue
        status, body = client.call(
            "POST",
            f"/api/v1/sessions/{session['id']}/log/",
            {"exercises": exercises, "pain_after": 2},
            token=token,
        )
        _expect(status, {201}, "session log", body)
        logged += 1
        break
    status, body = client.call(
        "POST", "/api/v1/checkins/", {"date": today, "pain": 2 + index % 4}, token=token
    )
    _expect(status, {201}, "check-in", body)
    status, body = client.call(
        "POST", "/api/v1/runs/", {"minutes": 20 + index % 10, "pain_during": 1}, token=token
    )
    _expect(status, {201}, "run", body)
    flare = index % 6 == 5
    if flare:
        status, body = client.call(
            "POST",
            f"/api/v1/plans/{plan_id}/flare-up/",
            {"note": "sore after hills", "severity": 6},
            token=token,
        )
        _expect(status, {200, 201}, "flare-up", body)
    status, body = client.call("GET", "/api/v1/plans/current/week/", token=token)
    _expect(status, {200}, "this week again", body)
    return {"plan": plan_id, "sessions_logged": logged, "flare_up": flare}


def _wait(what: str, done, deadline: float, processes: Processes) -> None:
    while not done():
        dead = [n for n, p in processes.running.items() if p.poll() is not None]
        if dead:
            raise RuntimeError(f"{', '.join(dead)} exited while waiting for {what}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not done after {LIMIT:.0f} s")
        time.sleep(0.5)


def _web_up(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=5) as response:  # noqa: S310
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="small")
    options = parser.parse_args(argv)
    size = SIZES[options.size]
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return fail("DATABASE_URL must point at a PostgreSQL database of its own")

    from honcho.environ import parse_procfile

    from rehab.core.embedded_redis import EmbeddedRedis, EmbeddedRedisError

    procfile = parse_procfile((ROOT / "deploy" / "Procfile").read_text()).processes
    workdir, sends_dir = run_folders("rehab-soak-")
    redis = EmbeddedRedis(persist=False)
    try:
        redis.start()
    except EmbeddedRedisError as exc:
        return fail(f"redis-server: {exc}")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = process_env(
        redis_url=redis.url,
        sends_dir=sends_dir,
        PORT=str(port),
        WEB_CONCURRENCY="2",
        CELERY_CONCURRENCY="1",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL=base,
        REHAB_VAR_DIR=str(workdir),
        # One address for every simulated phone: the per-address limits would refuse the
        # crowd (the per-account lockout still applies).
        THROTTLE_LOGIN="100000/min",
        THROTTLE_REGISTER="100000/min",
        THROTTLE_LOGS="100000/min",
        DJANGO_SECURE_SSL_REDIRECT="0",
        # The Procfile names python, gunicorn and celery: this interpreter's.
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    import psycopg

    server, _, _name = url.rpartition("/")
    admin = psycopg.connect(f"{server}/postgres", autocommit=True)  # the maintenance database
    admin.execute("DROP DATABASE IF EXISTS rehab_soak WITH (FORCE)")
    admin.execute("CREATE DATABASE rehab_soak")
    env["DATABASE_URL"] = f"{server}/rehab_soak"
    try:
        return _run(options.size, size, env, workdir, sends_dir, redis, base, procfile)
    finally:
        from django.db import connections

        connections.close_all()
        admin.execute("DROP DATABASE IF EXISTS rehab_soak WITH (FORCE)")
        admin.close()


def _run(size_name, size, env, workdir, sends_dir, redis, base, procfile) -> int:
    os.environ.update(env)
    import django

    django.setup()
    release = subprocess.run(
        ["/bin/sh", "-c", procfile["release"]], cwd=ROOT, env=env, capture_output=True
    )
    if release.returncode:
        redis.stop()
        output = (release.stdout + release.stderr).decode(errors="replace")[-2000:]
        return fail(f"the Procfile's release step failed: {output}")

    processes = Processes(env, workdir)
    client = Client(base)
    problems: list[str] = []
    started = time.monotonic()
    try:
        for name, command in procfile.items():
            if name != "release":
                processes.start(name, ["/bin/sh", "-c", f"exec {command}"])
        deadline = time.monotonic() + 120
        _wait("the web processes", lambda: _web_up(base), deadline, processes)
        _wait(
            "the workers and beat",
            lambda: marks_shown(workdir, UP_MARKS),
            deadline,
            processes,
        )
        print(f"soak: {size_name}: {size['runners']} runners, logs in {workdir}", flush=True)
        with ThreadPoolExecutor(size["threads"]) as pool:
            days = list(pool.map(lambda i: runner_day(client, i), range(size["runners"])))
        day_done = time.monotonic()
        problems += _reminders_once(size["runners"], sends_dir, processes)
        reminders_done = time.monotonic()
        problems += _evaluated_once(env, processes)
        evaluated_done = time.monotonic()
    except (RuntimeError, TimeoutError) as exc:
        problems.append(str(exc))
        days = []
        day_done = reminders_done = evaluated_done = time.monotonic()
    finally:
        processes.stop_all()
        redis.stop()

    problems += client.server_errors
    statuses = dict(sorted(client.statuses.items()))
    print(f"soak: {size_name}: {len(days)} runner days, {time.monotonic() - started:.0f} s")
    print(f"   requests by status                {statuses}")
    print(f"   5xx answers                       {len(client.server_errors)}")
    print(
        f"   sessions logged / flare-ups       "
        f"{sum(d['sessions_logged'] for d in days)} / {sum(d['flare_up'] for d in days)}"
    )
    print(
        f"   the day / reminders / evaluation  {day_done - started:.0f} / "
        f"{reminders_done - day_done:.0f} / {evaluated_done - reminders_done:.0f} s"
    )
    for problem in problems:
        print(f"   PROBLEM: {problem}")
    print("soak: ok" if not problems else f"soak: {len(problems)} problems")
    return 1 if problems else 0


def _reminders_once(count: int, sends_dir: Path, processes: Processes) -> list[str]:
    """Every runner's check-in reminder due now; each sent, and accepted once."""
    from django.utils import timezone

    from rehab.accounts.models import User
    from rehab.notifications.models import ReminderDelivery, ReminderSchedule
    from rehab.notifications.reminders import reminder_schedule_set

    runners = User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")
    for user in runners:
        reminder_schedule_set(user=user, kind="checkin", local_time=dt.time(8, 0))
    ReminderSchedule.objects.filter(user__in=runners).update(next_fire_at=timezone.now())
    rows = ReminderDelivery.objects.filter(schedule__user__in=runners, schedule__kind="checkin")
    _wait(
        "the reminders",
        lambda: rows.filter(status="sent").count() >= count,
        time.monotonic() + LIMIT,
        processes,
    )
    time.sleep(2.0)  # a send still in flight would be counted too
    sends, _last = read_sends(sends_dir)
    ids = {str(pk) for pk in rows.values_list("pk", flat=True)}
    accepted = Counter(row for row, _at in sends if row in ids)
    problems = []
    if len(ids) != count:
        problems.append(f"{len(ids)} reminder rows for {count} runners")
    if set(accepted) != ids:
        problems.append(f"{len(ids - set(accepted))} reminders never reached the mail server")
    twice = sum(1 for n in accepted.values() if n > 1)
    if twice:
        problems.append(f"{twice} reminders accepted more than once")
    print(f"   reminders sent / accepted twice   {len(accepted)} / {twice}", flush=True)
    return problems


def _evaluated_once(env: dict, processes: Processes) -> list[str]:
    """Every open plan's weekly evaluation due now, sent to the progression queue as beat
    sends it; each plan evaluated once and moved on."""
    from django.db.models import Count
    from django.utils import timezone

    from programs.plans.models import Plan, ProgressionRun

    now = timezone.now()
    due = Plan.objects.filter(status="active")
    expected = set(due.values_list("pk", flat=True))
    due.update(next_evaluation_at=now)
    for _ in range(2):  # twice, as two beats would: the second must find nothing to do
        subprocess.run(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "rehab",
                "call",
                "programs.logbook.tasks.dispatch_due_progressions",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    runs = ProgressionRun.objects.filter(plan__in=expected)
    _wait(
        "the weekly evaluation",
        lambda: not Plan.objects.filter(pk__in=expected, next_evaluation_at__lte=now).exists(),
        time.monotonic() + LIMIT,
        processes,
    )
    per_plan = dict(runs.values("plan").annotate(n=Count("id")).values_list("plan", "n"))
    problems = []
    missing = expected - set(per_plan)
    if missing:
        problems.append(f"{len(missing)} due plans were not evaluated")
    twice = sum(1 for n in per_plan.values() if n > 1)
    if twice:
        problems.append(f"{twice} plans were evaluated more than once")
    print(
        f"   plans due / evaluated / twice     {len(expected)} / {len(per_plan)} / {twice}",
        flush=True,
    )
    return problems


if __name__ == "__main__":
    sys.exit(main())
