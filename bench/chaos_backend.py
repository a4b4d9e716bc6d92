"""The chaos run's mail server: it accepts every message and records one line per send.

Each worker process appends `<reminder id> <accepted at (epoch s)> <pid>` to its own file
under CHAOS_SENDS_DIR with one unbuffered write to a file opened O_APPEND: a kill -9 after
the call returns cannot lose the line, so every message "the mail server accepted" is
counted, duplicates included, however the worker died afterwards.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class CountingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        directory = Path(os.environ["CHAOS_SENDS_DIR"])
        fd = os.open(directory / f"sends-{os.getpid()}.log", os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            for message in email_messages:
                row = message.extra_headers.get("X-Reminder-Id") or message.extra_headers.get(
                    "X-Outbox-Id", "-"
                )
                os.write(fd, f"{row} {time.time():.6f} {os.getpid()}\n".encode())
        finally:
            os.close(fd)
        return len(email_messages)
