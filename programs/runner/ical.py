"""An iCalendar (RFC 5545) feed of planned sessions, built with the `icalendar` library.

Sessions are whole days in the runner's own calendar, so they are all-day events
(DTSTART;VALUE=DATE): no time-zone conversion can move them to another day. A session
keeps its id when the plan is laid out again, so its UID (`session-<id>@<SITE_URL host>`)
is stable and calendar apps update the event in place; SEQUENCE is the session's
sequence, which rises whenever what the event shows changed (§3.8.7.4). The library
escapes text values (§3.3.11), folds lines at 75 octets and ends them in CRLF (§3.1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import icalendar

PRODID = "-//Hip Rehab//Training plan//EN"


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    day: dt.date
    summary: str
    description: str = ""
    url: str = ""
    sequence: int = 0


def uid_for(session_id: int, site_url: str) -> str:
    """A globally unique, stable UID: the session id at the site's host name (§3.8.4.7)."""
    host = urlsplit(site_url).hostname or "localhost"
    return f"session-{session_id}@{host}"


def calendar(events: Iterable[CalendarEvent], *, name: str, stamp: dt.datetime) -> str:
    """The whole VCALENDAR as text; `stamp` is the UTC time the feed was made."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    stamp = stamp.astimezone(dt.UTC)
    for event in events:
        item = icalendar.Event()
        item.add("uid", event.uid)
        item.add("dtstamp", stamp)
        item.add("dtstart", event.day)
        item.add("dtend", event.day + dt.timedelta(days=1))
        item.add("sequence", event.sequence)
        item.add("summary", event.summary)
        item.add("transp", "TRANSPARENT")
        if event.description:
            item.add("description", event.description)
        if event.url:
            item.add("url", event.url)
        cal.add_component(item)
    return cal.to_ical().decode("utf-8")
