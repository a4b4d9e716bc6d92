"""`make run`: the whole product starts on the embedded default and Ctrl-C leaves nothing."""

import json
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

from rehab.core.embedded_redis import free_port
from rehab.stack import procfile_processes
from tests.conftest import fresh_environment

ROOT = Path(__file__).resolve().parents[1]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def post_json(url: str, body: dict, headers: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 - loopback only
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def wait_until_healthy(url: str, process: subprocess.Popen, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    body: dict = {}
    while time.monotonic() < deadline:
        assert process.poll() is None, "the stack exited early"
        try:
            status, raw = get(url)
            body = json.loads(raw)
            if status == 200:
                return body
        except (urllib.error.URLError, ConnectionError, json.JSONDecodeError):
            pass
        time.sleep(0.25)
    raise AssertionError(f"not healthy within {timeout}s: {body}")


@pytest.mark.celery_worker
def test_stack_serves_pages_and_ctrl_c_stops_every_process(tmp_path):
    port = free_port()
    env = fresh_environment()
    env.update(
        DJANGO_DEBUG="1",
        DJANGO_SETTINGS_MODULE="rehab.settings",
        PORT=str(port),
        REHAB_VAR_DIR=str(tmp_path),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "rehab.stack"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        health = wait_until_healthy(f"{base}/healthz", process, timeout=120)
        assert set(health["components"]) == {"database", "redis", "celery_worker"}
        assert get(f"{base}/")[0] == 200
        assert get(f"{base}/accounts/login/")[0] == 200
        # Sign-in counters live in the embedded Redis; the demo physio (DEBUG: no MFA
        # requirement) gets a token and reads the caseload with it.
        status, body = post_json(
            f"{base}/api/v1/auth/token/",
            {"email": "physio@example.com", "password": "demo-hip-rehab-2026", "device": "ci"},
        )
        assert status == 200, body
        caseload = urllib.request.Request(  # noqa: S310 - loopback only
            f"{base}/api/v1/patients/", headers={"Authorization": f"Token {body['token']}"}
        )
        with urllib.request.urlopen(caseload, timeout=10) as response:  # noqa: S310
            assert json.loads(response.read())["count"] >= 1
        children = psutil.Process(process.pid).children(recursive=True)
        names = " ".join(" ".join(child.cmdline()) for child in children)
        assert "redis-server" in names
        assert "celery" in names
        assert "beat" in names

        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=60)[0].decode()
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    assert process.returncode == 0
    assert "demo-hip-rehab-2026" in output
    # honcho runs every process of deploy/Procfile.dev and prefixes each one's lines.
    for name in procfile_processes():
        assert re.search(rf"^\d\d:\d\d:\d\d {name} +\| ", output, re.MULTILINE), name
    assert re.search(r"^\d\d:\d\d:\d\d redis +\| ", output, re.MULTILINE)
    still_running = [c.pid for c in children if c.is_running() and c.status() != "zombie"]
    assert still_running == []
