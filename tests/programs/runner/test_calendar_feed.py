"""The calendar feed, read back with the `icalendar` parser: stable UIDs at SITE_URL's host,
a SEQUENCE that rises only when an event changed, all-day dates, links that stay valid, and
the provisional weeks said as such, in English and Dutch."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.test import Client

from programs.engine.specs import Policy
from programs.logbook.questionnaire_models import RunnerPreferences
from programs.plans.models import PlanSession
from programs.plans.services.approvals import decision_approve
from programs.plans.services.layout import plan_relayout
from programs.plans.services.recording import progression_evaluate
from tests.programs.conftest import (
    MONDAY,
    TUESDAY_WEEK2,
    log_week_meeting_the_exit_criteria,
    week_window,
)

pytestmark = pytest.mark.django_db


def feed(runner) -> dict[str, icalendar.Event]:
    token = RunnerPreferences.objects.get_or_create(user=runner)[0].calendar_token
    response = Client().get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert len(events) == len(calendar.walk("VEVENT"))  # every UID once
    return events


def test_events_are_all_day_with_uids_at_the_site_host(make_plan, settings, client):
    settings.SITE_URL = "https://rehab.hospital.test"
    plan = make_plan()

    events = feed(plan.runner)

    sessions = {s.pk: s for s in PlanSession.objects.filter(plan=plan)}
    assert len(events) == len(sessions)
    for uid, event in events.items():
        pk = int(uid.removeprefix("session-").removesuffix("@rehab.hospital.test"))
        assert uid == f"session-{pk}@rehab.hospital.test"
        start = event.decoded("DTSTART")
        assert type(start) is dt.date  # all-day, never shifted by a time zone
        assert start == sessions[pk].date
        assert event.decoded("DTEND") == start + dt.timedelta(days=1)
        assert int(event["SEQUENCE"]) == 0
        url = str(event["URL"])
        assert url == f"https://rehab.hospital.test/sessions/{pk}/"
    # The link in the feed opens the session for its runner.
    client.force_login(plan.runner)
    assert client.get(next(iter(events.values()))["URL"].split(".test", 1)[1]).status_code == 200


def test_uids_survive_a_relayout_and_sequence_rises_only_for_changed_events(
    make_plan, time_machine
):
    plan = make_plan(policy=Policy(require_approval=True))
    before = feed(plan.runner)
    time_machine.move_to(TUESDAY_WEEK2)
    log_week_meeting_the_exit_criteria(plan)
    # The phase change waits for approval: the coming weeks are laid out in the phase in force.
    progression_evaluate(plan=plan, window=week_window(plan, 1))

    after = feed(plan.runner)

    kept = set(before) & set(after)
    assert kept
    week2 = MONDAY + dt.timedelta(days=7)
    changed = {uid for uid in kept if after[uid].decoded("DTSTART") >= week2}
    assert changed
    for uid in kept:
        rise = 1 if uid in changed else 0
        assert int(after[uid]["SEQUENCE"]) == int(before[uid]["SEQUENCE"]) + rise
        assert after[uid].decoded("DTSTART") == before[uid].decoded("DTSTART")

    plan.refresh_from_db()
    plan_relayout(plan_id=plan.pk, revision_id=plan.current_revision_id)  # nothing changed
    again = feed(plan.runner)
    assert set(again) == set(after)
    assert {u: int(e["SEQUENCE"]) for u, e in again.items()} == {
        u: int(e["SEQUENCE"]) for u, e in after.items()
    }


def test_the_session_link_still_opens_after_the_plan_changed(
    make_plan, physio, time_machine, client
):
    plan = make_plan(policy=Policy(require_approval=True))
    time_machine.move_to(TUESDAY_WEEK2)
    log_week_meeting_the_exit_criteria(plan)
    progression_evaluate(plan=plan, window=week_window(plan, 1))
    upcoming = PlanSession.objects.filter(plan=plan, date__gt=dt.date(2026, 12, 8), kind="strength")
    session = upcoming.order_by("date").first()
    client.force_login(plan.runner)
    url = f"/sessions/{session.pk}/"
    assert client.get(url).status_code == 200

    decision = plan.decisions.get(status="pending", phase_after="gt-p2")
    decision_approve(decision=decision, physio=physio)

    response = client.get(url)
    assert response.status_code == 200
    slots = [rx.slot_key for rx in response.context["session"].prescriptions.all()]
    assert slots
    assert all(slot.startswith("gt-p2-") for slot in slots)


@pytest.mark.parametrize(
    ("language", "provisional", "criterion"),
    [
        ("en", "Provisional.", "Three sessions in a row with exercise pain 0-2."),
        ("nl", "Voorlopig.", "Drie trainingen op rij met oefenpijn 0-2."),
    ],
)
def test_provisional_weeks_say_so_with_the_exit_criteria(
    make_plan, time_machine, language, provisional, criterion
):
    time_machine.move_to(dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC))
    plan = make_plan()
    plan.runner.language = language
    plan.runner.save(update_fields=["language"])

    events = feed(plan.runner).values()

    week1 = [e for e in events if e.decoded("DTSTART") < MONDAY + dt.timedelta(days=7)]
    later = [e for e in events if e.decoded("DTSTART") >= MONDAY + dt.timedelta(days=7)]
    assert week1
    assert later
    for event in week1:
        assert provisional not in str(event.get("DESCRIPTION", ""))
    for event in later:
        text = str(event["DESCRIPTION"])
        assert provisional in text
        assert criterion in text
        assert "2" in text.split(provisional, 1)[1]  # "from about week 2"
