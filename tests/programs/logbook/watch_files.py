"""Real watch files for the import tests, built the way devices and exporters write them.

GPX: written by gpxpy itself. TCX: well-formed Training Center XML (the Garmin v2 schema).
FIT: a binary built here from the FIT protocol (14-byte header with its CRC, definition
and data messages for file_id, record and session, the file CRC), so that the product's
reader, fitdecode, parses a file no code of ours wrote for it to read.
"""

from __future__ import annotations

import datetime as dt
import struct

import gpxpy.gpx

M_PER_DEG_LAT = 111_195.0  # along a meridian, as gpxpy's haversine measures it


def _profile(points: int, climb_m: float) -> list[float]:
    """Elevations: up `climb_m` over the first half, back down over the second."""
    half = (points - 1) / 2
    return [10 + climb_m * (1 - abs(i - half) / half) for i in range(points)]


def gpx_bytes(
    start: dt.datetime, *, minutes: float = 30, km: float = 5.0, climb_m: float = 0.0, points=61
) -> bytes:
    gpx = gpxpy.gpx.GPX()
    track = gpxpy.gpx.GPXTrack(name="Easy run")
    segment = gpxpy.gpx.GPXTrackSegment()
    gpx.tracks.append(track)
    track.segments.append(segment)
    step = km * 1000 / M_PER_DEG_LAT / (points - 1)
    for i, elevation in enumerate(_profile(points, climb_m)):
        segment.points.append(
            gpxpy.gpx.GPXTrackPoint(
                latitude=52.0 + i * step,
                longitude=4.9,
                elevation=elevation,
                time=start + dt.timedelta(seconds=minutes * 60 * i / (points - 1)),
            )
        )
    return gpx.to_xml().encode()


def tcx_bytes(
    start: dt.datetime, *, minutes: float = 30, km: float = 5.0, climb_m: float = 0.0, points=31
) -> bytes:
    def stamp(moment: dt.datetime) -> str:
        return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    rows = []
    for i, elevation in enumerate(_profile(points, climb_m)):
        moment = start + dt.timedelta(seconds=minutes * 60 * i / (points - 1))
        rows.append(
            "<Trackpoint>"
            f"<Time>{stamp(moment)}</Time>"
            "<Position><LatitudeDegrees>"
            f"{52.0 + i * km * 1000 / M_PER_DEG_LAT / (points - 1):.7f}"
            "</LatitudeDegrees><LongitudeDegrees>4.9</LongitudeDegrees></Position>"
            f"<AltitudeMeters>{elevation:.1f}</AltitudeMeters>"
            f"<DistanceMeters>{km * 1000 * i / (points - 1):.1f}</DistanceMeters>"
            "</Trackpoint>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
        '<Activities><Activity Sport="Running">'
        f"<Id>{stamp(start)}</Id>"
        f'<Lap StartTime="{stamp(start)}">'
        f"<TotalTimeSeconds>{minutes * 60:.1f}</TotalTimeSeconds>"
        f"<DistanceMeters>{km * 1000:.1f}</DistanceMeters>"
        "<Calories>300</Calories><Intensity>Active</Intensity>"
        "<TriggerMethod>Manual</TriggerMethod>"
        f"<Track>{''.join(rows)}</Track>"
        "</Lap></Activity></Activities></TrainingCenterDatabase>\n"
    ).encode()


# --- FIT ---------------------------------------------------------------------------------

FIT_EPOCH = dt.datetime(1989, 12, 31, tzinfo=dt.UTC)
_CRC_TABLE = (
    0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
    0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
)  # fmt: skip
ENUM, UINT16, UINT32 = 0x00, 0x84, 0x86
_FORMAT = {ENUM: "B", UINT16: "H", UINT32: "I"}


def fit_crc(data: bytes, crc: int = 0) -> int:
    """The FIT protocol's CRC-16 (nibble table, as in the FIT SDK)."""
    for byte in data:
        for nibble in (byte & 0xF, byte >> 4):
            tmp = _CRC_TABLE[crc & 0xF]
            crc = (crc >> 4) & 0x0FFF
            crc = crc ^ tmp ^ _CRC_TABLE[nibble]
    return crc


def _fit_time(moment: dt.datetime) -> int:
    return int((moment - FIT_EPOCH).total_seconds())


def _definition(local: int, global_num: int, fields) -> bytes:
    out = struct.pack("<BBBHB", 0x40 | local, 0, 0, global_num, len(fields))
    for number, base in fields:
        out += struct.pack("<BBB", number, struct.calcsize(_FORMAT[base]), base)
    return out


def _data(local: int, fields, values) -> bytes:
    fmt = "<B" + "".join(_FORMAT[base] for _number, base in fields)
    return struct.pack(fmt, local, *values)


def fit_bytes(
    start: dt.datetime,
    *,
    minutes: float = 30,
    km: float = 5.0,
    climb_m: float = 0.0,
    with_session: bool = True,
) -> bytes:
    end = start + dt.timedelta(minutes=minutes)
    file_id = [(0, ENUM), (1, UINT16), (4, UINT32)]  # type, manufacturer, time_created
    record = [(253, UINT32), (5, UINT32), (2, UINT16)]  # timestamp, distance, altitude
    session = [
        (253, UINT32),  # timestamp
        (2, UINT32),  # start_time
        (5, ENUM),  # sport
        (7, UINT32),  # total_elapsed_time, ms
        (8, UINT32),  # total_timer_time, ms
        (9, UINT32),  # total_distance, cm
        (22, UINT16),  # total_ascent, m
    ]
    body = _definition(0, 0, file_id) + _data(0, file_id, (4, 255, _fit_time(start)))
    body += _definition(1, 20, record)
    points = 11
    for i, elevation in enumerate(_profile(points, climb_m)):
        moment = start + dt.timedelta(seconds=minutes * 60 * i / (points - 1))
        distance_cm = round(km * 100_000 * i / (points - 1))
        altitude = round((elevation + 500) * 5)  # scale 5, offset 500
        body += _data(1, record, (_fit_time(moment), distance_cm, altitude))
    if with_session:
        body += _definition(2, 18, session)
        ms = round(minutes * 60_000)
        values = (_fit_time(end), _fit_time(start), 1, ms, ms, round(km * 100_000), round(climb_m))
        body += _data(2, session, values)
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    header += struct.pack("<H", fit_crc(header))
    content = header + body
    return content + struct.pack("<H", fit_crc(content))
