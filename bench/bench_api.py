"""API under load: runner's current week and physio caseload vs a trivial endpoint, gunicorn.

A second process (a thread pool using http.client) loads gunicorn on loopback with the
production settings (DJANGO_DEBUG=0, a long secret key, DJANGO_ALLOWED_HOSTS=127.0.0.1)
on the configured DATABASE_URL: a throwaway `rehab_bench` database on PostgreSQL, else a
temporary SQLite file. Each endpoint is loaded for BENCH_API_SECONDS (default 10 s).
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from rehab.core.embedded_redis import free_port

ROOT = Path(__file__).resolve().parent.parent
SECONDS = float(os.environ.get("BENCH_API_SECONDS", "10"))
CONCURRENCY = int(os.environ.get("BENCH_API_CONCURRENCY", "8"))
WORKERS = int(os.environ.get("BENCH_API_WORKERS", "4"))
RUNNERS = 20
MAX_REQUESTS = 200_000

SEED = """
import datetime as dt, json
from django.utils import timezone
from programs.content.loader import content_load_directory
from programs.logbook.models import MorningCheckin, Screening
from programs.content.models import ProgramTemplate
from programs.logbook.services import plan_start
from programs.engine.samples import sample_runner_context
from rehab.accounts.models import CareLink, Role, User
from rehab.accounts.services import api_token_create

content_load_directory()
template = ProgramTemplate.objects.get(slug="gluteal-tendinopathy")
physio = User.objects.create_user(email="physio@bench.test", password=None, role=Role.PHYSIO)
# A physiotherapist sees runner data only with two-factor authentication (PHYSIO_MFA_REQUIRED).
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
TOTP.activate(physio, generate_totp_secret())
today = timezone.now().date()
start = today - dt.timedelta(days=today.weekday() + 14)
for i in range(%(runners)d):
    runner = User.objects.create_user(
        email=f"runner{i}@bench.test", password=None, role=Role.RUNNER,
        timezone="Europe/Amsterdam", health_data_consent_at=timezone.now(),
    )
    CareLink.objects.create(physio=physio, runner=runner, status="active",
                            consent_given_at=timezone.now())
    Screening.objects.create(runner=runner, answers={}, outcome="ok",
                             condition="gluteal_tendinopathy", baseline_pain=3)
    context = sample_runner_context(start_date=start)
    plan_start(runner=runner, template=template, context=context, weeks=12)
    for day in range(0, 20, 2):
        MorningCheckin.objects.create(runner=runner, date=start + dt.timedelta(days=day), pain=day %% 5)
print(json.dumps({
    "runner": api_token_create(user=User.objects.get(email="runner0@bench.test"), device="bench")[1],
    "physio": api_token_create(user=physio, device="bench")[1],
}))
"""


@contextmanager
def _database():
    """DATABASE_URL of a throwaway database, dropped afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        base, _, _name = url.rpartition("/")
        # Connect to the maintenance database: the named one may not exist yet.
        admin = psycopg.connect(f"{base}/postgres", autocommit=True)
        admin.execute("DROP DATABASE IF EXISTS rehab_bench")
        admin.execute("CREATE DATABASE rehab_bench")
        try:
            yield f"{base}/rehab_bench", "postgresql"
        finally:
            admin.execute("DROP DATABASE IF EXISTS rehab_bench WITH (FORCE)")
            admin.close()
    else:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/bench.sqlite3", "sqlite"


def _env(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DJANGO_SETTINGS_MODULE="rehab.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",  # plain HTTP on the loopback
        DATABASE_URL=database_url,
    )
    return env


def _manage(env, *args) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


@contextmanager
def _gunicorn(env, port: int):
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "rehab.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def _load(port: int, path: str, token: str) -> dict:
    """Closed-loop load from CONCURRENCY threads for SECONDS (bounded in requests too)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + SECONDS
    headers = {"Authorization": f"Token {token}", "Host": "127.0.0.1"}

    def worker():
        mine: list[float] = []
        failed = 0
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.monotonic() < stop and len(mine) < MAX_REQUESTS // CONCURRENCY:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    failed += 1
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    ordered = sorted(latencies)
    return {
        "rps": len(ordered) / elapsed,
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "errors": errors[0],
        "n": len(ordered),
    }


def _warm(port: int, path: str, token: str, n: int = 4 * WORKERS) -> None:
    """Import and connect in every worker before measuring."""
    for _ in range(n):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path, headers={"Authorization": f"Token {token}"})
        conn.getresponse().read()
        conn.close()


def run() -> list[tuple[str, str]]:
    with _database() as (url, vendor):
        env = _env(url)
        _manage(env, "migrate", "--noinput")
        tokens = json.loads(
            _manage(env, "shell", "-c", SEED % {"runners": RUNNERS}).strip().splitlines()[-1]
        )
        port = free_port()
        with _gunicorn(env, port):
            for path, who in (
                ("/api/v1/me/", "runner"),
                ("/api/v1/plans/current/week/", "runner"),
                ("/api/v1/patients/", "physio"),
            ):
                _warm(port, path, tokens[who])
            results = {
                "trivial": _load(port, "/api/v1/me/", tokens["runner"]),
                "week": _load(port, "/api/v1/plans/current/week/", tokens["runner"]),
                "caseload": _load(port, "/api/v1/patients/", tokens["physio"]),
            }
    base = results["trivial"]["rps"]
    labels = {
        "trivial": "GET /api/v1/me/ (trivial)",
        "week": "GET /api/v1/plans/current/week/ (runner)",
        "caseload": f"GET /api/v1/patients/ (physio, {RUNNERS} runners)",
    }
    rows = [
        (
            f"{labels[key]}, {vendor}, gunicorn {WORKERS} workers, {CONCURRENCY} clients",
            f"{r['rps']:.0f} req/s, p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, "
            f"{r['rps'] / base:.2f}x trivial, {r['errors']} errors / {r['n']}",
        )
        for key, r in results.items()
    ]
    return rows


if __name__ == "__main__":
    for label, figure in run():
        print(f"{label}: {figure}")
