"""Reading runs from watch files: GPX, TCX and FIT.

One function per format (gpx.read, tcx.read, fit.read) turns the file's bytes into a
WatchRun. The parsing itself is done by well-kept libraries (gpxpy, tcxreader,
fitdecode); this package only checks the input, picks the figures the logbook keeps and
turns every failure into a WatchFileError with a message fit for the runner.

`read_watch_file` is the one entry point: it refuses empty, oversized and unknown files
before any parser sees them. No figure from a file is ever logged.
"""

from __future__ import annotations

from programs.logbook.imports.common import (
    FORMATS,
    MAX_FILE_BYTES,
    WatchFileError,
    WatchRun,
    read_watch_file,
)

__all__ = ["FORMATS", "MAX_FILE_BYTES", "WatchFileError", "WatchRun", "read_watch_file"]
