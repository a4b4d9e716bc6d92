"""`make run`: start the whole product in the foreground with prefixed logs.

Starts an embedded redis-server when REDIS_URL is not set, prepares the database,
then runs the web server, a Celery worker and Celery beat. Ctrl-C (or SIGTERM)
stops every process it started; if one of them dies, the others are stopped too.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from rehab.core.embedded_redis import EmbeddedRedis, EmbeddedRedisError

BASE_DIR = Path(__file__).resolve().parent.parent
PY = sys.executable
COLOURS = {"redis": "35", "web": "36", "worker": "33", "beat": "32", "setup": "37"}
_print_lock = threading.Lock()


def say(name: str, line: str) -> None:
    colour = COLOURS.get(name, "37")
    prefix = f"\033[{colour}m{name:>6} |\033[0m " if sys.stdout.isatty() else f"{name:>6} | "
    with _print_lock:
        sys.stdout.write(prefix + line.rstrip("\n") + "\n")
        sys.stdout.flush()


def pump(name: str, stream) -> None:
    for raw in iter(stream.readline, b""):
        say(name, raw.decode("utf-8", "replace"))


class Stack:
    def __init__(self, host: str, port: int):
        self.host = host
        self.port = port
        self.env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.env.setdefault("DJANGO_SETTINGS_MODULE", "rehab.settings")
        self.processes: dict[str, subprocess.Popen] = {}
        self.redis: EmbeddedRedis | None = None
        self.stopping = threading.Event()
        self._stopped = False

    def run_step(self, *args: str) -> None:
        result = subprocess.run(
            [PY, "manage.py", *args], cwd=BASE_DIR, env=self.env, capture_output=True, check=False
        )
        for line in (result.stdout + result.stderr).decode("utf-8", "replace").splitlines():
            say("setup", line)
        if result.returncode != 0:
            raise SystemExit(result.returncode)

    def spawn(self, name: str, args: list[str]) -> None:
        process = subprocess.Popen(
            args,
            cwd=BASE_DIR,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[name] = process
        threading.Thread(target=pump, args=(name, process.stdout), daemon=True).start()

    def start_redis(self) -> None:
        if os.environ.get("REDIS_URL"):
            say("setup", f"using REDIS_URL={os.environ['REDIS_URL']}")
            return
        var = Path(self.env.get("REHAB_VAR_DIR", BASE_DIR / "var"))
        self.redis = EmbeddedRedis(data_dir=var / "redis", persist=True)
        try:
            self.redis.start(stdout=subprocess.PIPE)
        except EmbeddedRedisError as exc:
            raise SystemExit(f"error: embedded Redis: {exc}") from None
        threading.Thread(
            target=pump, args=("redis", self.redis.process.stdout), daemon=True
        ).start()
        self.env["REDIS_URL"] = self.redis.url
        say("setup", f"embedded redis-server at {self.redis.url}")

    def prepare(self) -> None:
        self.run_step("preflight")
        self.run_step("migrate", "--noinput")
        self.run_step("compilemessages", "--ignore", ".venv")
        self.run_step("load_content")
        self.run_step("seed_demo")

    def start_services(self) -> None:
        var = Path(self.env.get("REHAB_VAR_DIR", BASE_DIR / "var"))
        var.mkdir(parents=True, exist_ok=True)
        celery = [PY, "-m", "celery", "-A", "rehab"]
        self.spawn("web", [PY, "manage.py", "runserver", f"{self.host}:{self.port}", "--noreload"])
        self.spawn(
            "worker", [*celery, "worker", "-l", "info", "--concurrency", "2", "-n", "worker@%h"]
        )
        self.spawn("beat", [*celery, "beat", "-l", "info", "-s", str(var / "celerybeat-schedule")])

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self.stopping.set()
        say("setup", "stopping…")
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for name, process in self.processes.items():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                say("setup", f"{name} did not stop in time; killing it")
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if self.redis is not None:
            self.redis.stop()
        say("setup", "all processes stopped")

    def wait(self) -> int:
        """Block until a signal arrives or a process exits; return the exit code."""
        exited = threading.Event()

        def watch(name: str, process: subprocess.Popen) -> None:
            process.wait()
            if not self.stopping.is_set():
                say("setup", f"{name} exited with code {process.returncode}")
                exited.set()

        for name, process in self.processes.items():
            threading.Thread(target=watch, args=(name, process), daemon=True).start()
        while not exited.is_set() and not self.stopping.is_set():
            exited.wait(0.5)
        failed = exited.is_set() and not self.stopping.is_set()
        self.stop()
        return 1 if failed else 0


def demo_banner(host: str, port: int) -> None:
    from rehab.core.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

    say("setup", f"Hip Rehab is starting at http://{host}:{port}/ (Ctrl-C stops everything)")
    for account in DEMO_ACCOUNTS:
        say("setup", f"  {account['label']:<7} {account['email']:<24} password: {DEMO_PASSWORD}")


def main() -> int:
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "8000"))
    stack = Stack(host, port)
    signal.signal(signal.SIGINT, lambda *_: stack.stopping.set())
    signal.signal(signal.SIGTERM, lambda *_: stack.stopping.set())
    try:
        stack.start_redis()
        stack.prepare()
        stack.start_services()
        demo_banner(host, port)
        return stack.wait()
    except SystemExit as exc:
        stack.stop()
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
            return 1
        return int(exc.code or 0)
    finally:
        if stack.redis is not None:
            stack.redis.stop()


if __name__ == "__main__":
    sys.exit(main())
