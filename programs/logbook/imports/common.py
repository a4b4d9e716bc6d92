"""The WatchRun every format returns, the checks before parsing, and the dispatcher."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

# Over this a file is refused before it is parsed (settings.RUN_IMPORT_MAX_FILE_BYTES).
MAX_FILE_BYTES = 20 * 1024 * 1024
FORMATS = ("gpx", "tcx", "fit")
FIT_SIGNATURE = b".FIT"


class WatchFileError(ValueError):
    """A file that cannot be imported; the message says why, in the runner's language."""


@dataclass(frozen=True)
class WatchRun:
    """What the logbook keeps of a recorded run."""

    kind: str  # "gpx" | "tcx" | "fit"
    started_at: dt.datetime  # aware, UTC
    duration_s: float
    distance_m: float | None
    elevation_gain_m: float | None
    content_hash: str  # sha256 of the file's bytes: the same file is the same run


def max_file_bytes() -> int:
    return int(getattr(settings, "RUN_IMPORT_MAX_FILE_BYTES", MAX_FILE_BYTES))


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def aware_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """Times in these files are UTC; some parsers hand them over without a zone."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def xml_text(data: bytes, kind: str) -> bytes:
    """The bytes of an XML watch file, refused if they are not XML or declare a DTD
    (entity expansion and external entities have no place in a watch file)."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:2048]
    if not head.startswith(b"<"):
        raise WatchFileError(_("This is not a %(kind)s file.") % {"kind": kind.upper()})
    if b"<!DOCTYPE" in data[:65536].upper() or b"<!ENTITY" in data.upper():
        raise WatchFileError(_("This file contains XML that is not allowed."))
    return data


def check_result(
    kind: str,
    data: bytes,
    *,
    started_at: dt.datetime | None,
    duration_s: float | None,
    distance_m: float | None,
    elevation_gain_m: float | None,
) -> WatchRun:
    start = aware_utc(started_at)
    if start is None:
        raise WatchFileError(_("The file has no times: the date of the run is unknown."))
    if not duration_s or duration_s <= 0:
        raise WatchFileError(_("The file has no duration: it holds no recorded run."))
    return WatchRun(
        kind=kind,
        started_at=start,
        duration_s=float(duration_s),
        distance_m=float(distance_m) if distance_m else None,
        elevation_gain_m=round(float(elevation_gain_m), 1) if elevation_gain_m else None,
        content_hash=content_hash(data),
    )


def kind_of(name: str, data: bytes) -> str:
    """The format from the file name, checked against the content."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in FORMATS:
        raise WatchFileError(_("Only GPX, TCX and FIT files can be imported."))
    is_fit = len(data) >= 12 and data[8:12] == FIT_SIGNATURE
    if suffix == "fit" and not is_fit:
        raise WatchFileError(_("This is not a FIT file."))
    if suffix != "fit" and is_fit:
        raise WatchFileError(
            _("This is a FIT file: give it the .fit extension or export it again.")
        )
    return suffix


def read_watch_file(name: str, data: bytes) -> WatchRun:
    """Parse one watch file. Raises WatchFileError with a message for the runner."""
    from programs.logbook.imports import fit, gpx, tcx

    if not data:
        raise WatchFileError(_("The file is empty."))
    limit = max_file_bytes()
    if len(data) > limit:
        raise WatchFileError(
            _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}
        )
    readers: dict[str, Callable[[bytes], WatchRun]] = {
        "gpx": gpx.read,
        "tcx": tcx.read,
        "fit": fit.read,
    }
    return readers[kind_of(name, data)](data)
