"""`make run`: start the whole product in the foreground with prefixed logs.

Our own code does only what a Procfile cannot: start an embedded redis-server when
REDIS_URL is not set, make the VAPID keys for Web Push once (var/vapid.json) unless the
environment has them, and prepare the database (migrate, load_content, demo data).
Then honcho runs the processes of deploy/Procfile.dev (web server, Celery worker, Celery
beat) and supervises them: Ctrl-C (or SIGTERM) stops every one, and if one of them dies
the others are stopped too. The embedded Redis is stopped last.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from honcho.environ import parse_procfile
from honcho.manager import SIGNALS, Manager
from honcho.printer import Message, Printer

from rehab.core.config import default_site_url
from rehab.core.embedded_redis import EmbeddedRedis, EmbeddedRedisError
from rehab.notifications.vapid import KEY_FILE, keys_for_run

BASE_DIR = Path(__file__).resolve().parent.parent
PROCFILE = BASE_DIR / "deploy" / "Procfile.dev"
PY = sys.executable


class SharedPrinter(Printer):
    """honcho's printer, safe to share between its loop and the Redis log thread."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock = threading.Lock()

    def write(self, message: Message) -> None:
        with self._lock:
            super().write(message)
            self.output.flush()


PRINTER = SharedPrinter(sys.stdout, width=6)


def say(name: str, line: str, colour: str | None = None) -> None:
    PRINTER.write(
        Message(type="line", data=line.rstrip("\n") + "\n", time=_now(), name=name, colour=colour)
    )


def _now():
    import datetime as dt

    return dt.datetime.now()  # noqa: DTZ005 - a log prefix in the operator's local time


def pump(name: str, stream) -> None:
    for raw in iter(stream.readline, b""):
        say(name, raw.decode("utf-8", "replace"))


def procfile_processes(path: Path = PROCFILE) -> dict[str, str]:
    """Process name -> shell command, from a Procfile."""
    return dict(parse_procfile(path.read_text(encoding="utf-8")).processes)


class Stack:
    def __init__(self, host: str, port: int):
        self.host = host
        self.port = port
        self.env = dict(os.environ, PYTHONUNBUFFERED="1", HOST=host, PORT=str(port))
        self.env.setdefault("DJANGO_SETTINGS_MODULE", "rehab.settings")
        self.var = Path(self.env.get("REHAB_VAR_DIR") or BASE_DIR / "var")
        self.env["REHAB_VAR_DIR"] = str(self.var)
        # The Procfile says `python`: this interpreter (the virtualenv's) comes first.
        self.env["PATH"] = os.pathsep.join([str(Path(PY).parent), self.env.get("PATH", "")])
        # Links in emails (invitations, reminders, alerts) and the calendar feed point
        # where this web server listens, unless SITE_URL says otherwise.
        if not self.env.get("SITE_URL"):
            self.env["SITE_URL"] = default_site_url(host, port)
        self.redis: EmbeddedRedis | None = None

    def run_step(self, *args: str) -> None:
        result = subprocess.run(
            [PY, "manage.py", *args], cwd=BASE_DIR, env=self.env, capture_output=True, check=False
        )
        for line in (result.stdout + result.stderr).decode("utf-8", "replace").splitlines():
            say("setup", line)
        if result.returncode != 0:
            raise SystemExit(result.returncode)

    def start_redis(self) -> None:
        if os.environ.get("REDIS_URL"):
            say("setup", f"using REDIS_URL={os.environ['REDIS_URL']}")
            return
        self.redis = EmbeddedRedis(data_dir=self.var / "redis", persist=True)
        try:
            self.redis.start(stdout=subprocess.PIPE)
        except EmbeddedRedisError as exc:
            raise SystemExit(f"error: embedded Redis: {exc}") from None
        process = self.redis.process
        if process is None:  # start() sets it or raises
            raise SystemExit("error: embedded Redis did not start")
        threading.Thread(target=pump, args=("redis", process.stdout), daemon=True).start()
        self.env["REDIS_URL"] = self.redis.url
        say("setup", f"embedded redis-server at {self.redis.url}")

    def vapid_keys(self) -> None:
        """Web Push needs a VAPID key pair: the environment's, else var/vapid.json (made on
        the first run), handed to the web server and the worker alike."""
        try:
            keys, created = keys_for_run(self.var, self.env)
        except (OSError, ValueError, KeyError) as exc:
            raise SystemExit(f"error: VAPID keys in {self.var / KEY_FILE}: {exc}") from None
        self.env.update(keys)
        if created:
            say("setup", f"generated VAPID keys for Web Push in {self.var / KEY_FILE}")

    def prepare(self) -> None:
        self.var.mkdir(parents=True, exist_ok=True)
        self.vapid_keys()
        self.run_step("preflight")
        self.run_step("migrate", "--noinput")
        self.run_step("compilemessages", "--ignore", ".venv")
        self.run_step("load_content")
        self.run_step("seed_demo")

    def manager(self) -> Manager:
        manager = Manager(printer=PRINTER)
        for name, command in procfile_processes().items():
            manager.add_process(name, command, env=self.env, cwd=str(BASE_DIR))
        return manager

    def supervise(self) -> int:
        """Run the Procfile's processes until a signal arrives or one of them exits.

        0 when stopped by Ctrl-C or SIGTERM; otherwise the code of the process that
        exited first (1 if that was 0: a server is not meant to end by itself)."""
        manager = self.manager()
        manager.loop()  # installs its own SIGINT/SIGTERM handlers; returns when all stopped
        if manager.returncode in {entry["rc"] for entry in SIGNALS.values()}:
            say("setup", "all processes stopped")
            return 0
        return manager.returncode or 1

    def stop_redis(self) -> None:
        if self.redis is not None:
            self.redis.stop()
            self.redis = None


def demo_banner(host: str, port: int) -> None:
    from rehab.core.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

    url = default_site_url(host, port)
    say("setup", f"Hip Rehab is starting at {url}/ (Ctrl-C stops everything)")
    for account in DEMO_ACCOUNTS:
        say("setup", f"  {account['label']:<7} {account['email']:<24} password: {DEMO_PASSWORD}")


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "8000"))
    stack = Stack(host, port)
    # Until honcho takes over the signals, SIGTERM interrupts the preparation like Ctrl-C.
    signal.signal(signal.SIGTERM, _interrupted)
    try:
        stack.start_redis()
        stack.prepare()
        demo_banner(host, port)
        return stack.supervise()
    except KeyboardInterrupt:
        say("setup", "interrupted")
        return 130
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
            return 1
        return int(exc.code or 0)
    finally:
        stack.stop_redis()


if __name__ == "__main__":
    sys.exit(main())
