"""GPX (GPS Exchange Format) via gpxpy."""

from __future__ import annotations

import gpxpy
import gpxpy.gpx
from django.utils.translation import gettext as _

from programs.logbook.imports.common import WatchFileError, WatchRun, check_result, xml_text


def read(data: bytes) -> WatchRun:
    text = xml_text(data, "gpx")
    try:
        parsed = gpxpy.parse(text.decode("utf-8-sig"))
        points = parsed.get_points_no()
        bounds = parsed.get_time_bounds()
        uphill = parsed.get_uphill_downhill().uphill if parsed.has_elevations() else None
        duration = parsed.get_duration()
        length = parsed.length_2d()
    # Untrusted input: whatever the parser raises (a parse error, a missing element, a
    # value that is no number, or anything else on a strange file) is the file's problem.
    except Exception as error:
        raise WatchFileError(_("The GPX file is damaged and cannot be read.")) from error
    if not points:
        raise WatchFileError(_("The GPX file holds no track."))
    return check_result(
        "gpx",
        data,
        started_at=bounds.start_time,
        duration_s=duration,
        distance_m=length,
        elevation_gain_m=uphill,
    )
