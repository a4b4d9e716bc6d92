"""`make run`: the whole product starts on the embedded default and Ctrl-C leaves nothing."""

import json
import os
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

ROOT = Path(__file__).resolve().parents[1]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


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
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
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
    still_running = [c.pid for c in children if c.is_running() and c.status() != "zombie"]
    assert still_running == []
