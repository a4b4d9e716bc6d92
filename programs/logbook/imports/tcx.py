"""TCX (Garmin Training Center XML) via tcxreader."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from tcxreader.tcxreader import TCXReader

from programs.logbook.imports.common import WatchFileError, WatchRun, check_result, xml_text


def read(data: bytes) -> WatchRun:
    text = xml_text(data, "tcx")
    try:
        # only_gps=False: a treadmill run has no positions but is still a run.
        exercise = TCXReader().read(io.BytesIO(text), only_gps=False)
    # Untrusted input: whatever the parser raises (a parse error, a missing element, a
    # value that is no number, or anything else on a strange file) is the file's problem.
    except Exception as error:
        raise WatchFileError(_("The TCX file is damaged and cannot be read.")) from error
    if not exercise.trackpoints:
        raise WatchFileError(_("The TCX file holds no activity."))
    return check_result(
        "tcx",
        data,
        started_at=exercise.start_time,
        duration_s=exercise.duration,
        distance_m=exercise.distance,
        elevation_gain_m=exercise.ascent,
    )
