"""Upload limits the web pages and the API share (watch-file imports, #15).

A request whose declared size is beyond what RUN_IMPORT_MAX_FILES files of
RUN_IMPORT_MAX_FILE_BYTES could weigh is refused before its body is read or parsed; each
file's own size is checked before it is read (runner.forms.WatchFilesField, the API's
import serializer), and once more on the bytes before any parser sees them
(logbook.imports.read_watch_file).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _


def request_too_large(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.RUN_IMPORT_MAX_REQUEST_BYTES


def too_large_message() -> str:
    return _("These files are too large together: send at most %(n)s files of %(mb)s MB.") % {
        "n": settings.RUN_IMPORT_MAX_FILES,
        "mb": settings.RUN_IMPORT_MAX_FILE_BYTES // (1024 * 1024),
    }
