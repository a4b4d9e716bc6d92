"""FIT (Garmin's Flexible and Interoperable data Transfer) via fitdecode.

The session message holds the run's totals; a file without one (some devices write only
records) is summed from its records: first and last timestamp, greatest distance, and the
climb between altitude readings.
"""

from __future__ import annotations

import io

import fitdecode
from django.utils.translation import gettext as _

from programs.logbook.imports.common import WatchFileError, WatchRun, check_result


def _value(message, name):
    return message.get_value(name, fallback=None) if message.has_field(name) else None


def read(data: bytes) -> WatchRun:
    session = None
    first = last = None
    distance = None
    climb = 0.0
    altitude = None
    try:
        with fitdecode.FitReader(
            io.BytesIO(data),
            check_crc=fitdecode.CrcCheck.RAISE,
            error_handling=fitdecode.ErrorHandling.RAISE,
        ) as reader:
            for frame in reader:
                if frame.frame_type != fitdecode.FIT_FRAME_DATA:
                    continue
                if frame.name == "session" and session is None:
                    session = {
                        "start": _value(frame, "start_time"),
                        "elapsed": _value(frame, "total_elapsed_time"),
                        "timer": _value(frame, "total_timer_time"),
                        "distance": _value(frame, "total_distance"),
                        "ascent": _value(frame, "total_ascent"),
                    }
                elif frame.name == "record":
                    stamp = _value(frame, "timestamp")
                    if stamp is not None:
                        first = first or stamp
                        last = stamp
                    here = _value(frame, "distance")
                    if here is not None:
                        distance = max(distance or 0.0, float(here))
                    height = _value(frame, "enhanced_altitude") or _value(frame, "altitude")
                    if height is not None:
                        if altitude is not None and height > altitude:
                            climb += height - altitude
                        altitude = height
    # Untrusted input: whatever the parser raises (a parse error, a missing element, a
    # value that is no number, or anything else on a strange file) is the file's problem.
    except Exception as error:
        raise WatchFileError(_("The FIT file is damaged and cannot be read.")) from error
    if session is not None and session["start"] is not None:
        return check_result(
            "fit",
            data,
            started_at=session["start"],
            duration_s=session["elapsed"] or session["timer"],
            distance_m=session["distance"],
            elevation_gain_m=session["ascent"],
        )
    if first is None:
        raise WatchFileError(_("The FIT file holds no activity."))
    return check_result(
        "fit",
        data,
        started_at=first,
        duration_s=(last - first).total_seconds() if last else None,
        distance_m=distance,
        elevation_gain_m=climb or None,
    )
