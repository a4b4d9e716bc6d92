"""The chaos run's mail server: it accepts every message and records one line per send.

Each worker process appends `<reminder id> <accepted at (epoch s)> <pid>` to its own file
under CHAOS_SENDS_DIR with one unbuffered write to a file opened O_APPEND: a kill -9 after
the call returns cannot lose the line, so every message "the mail server accepted" is
counted, duplicates included, however the worker died afterwards. The file stays open
for the life of the process, as a mail server's connection would (a forked child opens
its own).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend

_files: dict[tuple[int, str], int] = {}  # (pid, folder) -> that process's sends file


def _sends_file() -> int:
    key = (os.getpid(), os.environ["CHAOS_SENDS_DIR"])
    if key not in _files:
        path = Path(key[1]) / f"sends-{key[0]}.log"
        _files[key] = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    return _files[key]


class CountingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        fd = _sends_file()
        for message in email_messages:
            row = message.extra_headers.get("X-Reminder-Id") or message.extra_headers.get(
                "X-Outbox-Id", "-"
            )
            os.write(fd, f"{row} {time.time():.6f} {os.getpid()}\n".encode())
        return len(email_messages)
