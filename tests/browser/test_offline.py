"""Offline: a runner opens this week and a session online, the connection drops, the
player reloads from the service worker's copy, the log is filled in and saved: it is kept
on the phone ("Saved on this device") and sent when the connection returns, stored once;
sending the same submission token again stores nothing more."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from playwright.sync_api import expect

from programs.content.loader import content_load_directory
from programs.logbook.models import Screening, SessionLog
from tests.browser.test_csp import sign_in
from tests.factories import UserFactory
from tests.programs.runner.pages_support import first_session, plan_for, player_data, today_for

pytestmark = pytest.mark.django_db(transaction=True)


def fill_the_log(phone) -> None:
    exercises = phone.locator("li.exercise")
    for index in range(exercises.count()):
        exercise = exercises.nth(index)
        expect(exercise).to_be_visible()
        exercise.locator("input[name$='-sets_done']").fill("2")
        exercise.locator("fieldset[id$='-pain_during'] input[value='1']").check()
        exercise.locator("[data-step-next]").click()
    phone.fill("textarea[name=session-notes]", "done on the train")
    phone.locator("fieldset#q-session-pain_after input[value='2']").check()


def test_a_session_logged_offline_is_sent_once_back_online(phone, live_server):
    assert live_server.url.startswith(("http://localhost", "http://127.0.0.1"))  # secure
    content_load_directory()
    runner = UserFactory(email="offline.runner@example.com", language="en")
    EmailAddress.objects.create(user=runner, email=runner.email, verified=True, primary=True)
    Screening.objects.create(
        runner=runner, answers={}, outcome="ok", condition="gluteal_tendinopathy", baseline_pain=3
    )
    session = first_session(plan_for(runner), on_or_before=today_for(runner))
    sign_in(phone, runner, live_server.url)

    # Online: Today registers the worker, which keeps this week's sessions.
    phone.goto("/week/")
    phone.wait_for_selector("html[data-offline-ready]", state="attached")
    assert int(phone.get_attribute("html", "data-offline-ready")) >= 2
    phone.goto(f"/sessions/{session.pk}/")
    assert phone.evaluate("navigator.serviceWorker.controller !== null")
    phone.shot("player-online")

    # The connection drops mid-session: the player still opens, from the kept copy.
    phone.context.set_offline(True)
    phone.reload()
    expect(phone.locator("form.player")).to_be_visible()
    phone.shot("player-offline")
    token = phone.locator("form.player input[name=submission_token]").input_value()
    fill_the_log(phone)
    phone.locator("main form.player button[type=submit]").click()
    expect(phone.locator("[data-queued]")).to_have_text(
        "Saved on this device; it will be sent when you are back online."
    )
    phone.shot("saved-on-device")
    assert not SessionLog.objects.filter(session=session).exists()

    # Back online: the kept log is sent, once.
    phone.context.set_offline(False)
    expect(phone.locator("[data-outbox-text]")).to_have_text(
        "The session saved on this device has been sent."
    )
    phone.shot("sent")
    log = SessionLog.objects.get(session=session)
    assert log.notes == "done on the train"
    assert log.pain_after == 2

    # The same submission token again (a retry whose first answer was lost): nothing new.
    client = Client()
    client.force_login(runner)
    replay = client.post(
        f"/sessions/{session.pk}/", {**player_data(session), "submission_token": token}
    )
    assert replay.status_code == 302
    assert SessionLog.objects.filter(session=session).count() == 1

    # A later page load with nothing waiting says nothing.
    phone.goto("/week/")
    phone.wait_for_selector("html[data-outbox-state=empty]", state="attached")
    expect(phone.locator("[data-outbox]")).to_be_hidden()
    assert not [e for e in phone.console_errors if "Content Security Policy" in e]

    # Signing out clears what the phone kept (Clear-Site-Data): no copies, no worker.
    assert phone.evaluate("caches.keys()")
    phone.goto("/accounts/logout/")
    phone.locator("main form button[type=submit]").click()
    phone.wait_for_load_state()
    assert phone.evaluate("caches.keys()") == []
    assert phone.evaluate("navigator.serviceWorker.getRegistrations().then((r) => r.length)") == 0


def test_a_kept_log_the_server_refuses_is_shown_on_the_next_visit(phone, live_server):
    """A log kept offline that comes back with a form error is not silently dropped: the
    next page says so and links to the session, whose answers the phone still has."""
    content_load_directory()
    runner = UserFactory(email="offline.refused@example.com", language="nl")
    EmailAddress.objects.create(user=runner, email=runner.email, verified=True, primary=True)
    Screening.objects.create(
        runner=runner, answers={}, outcome="ok", condition="gluteal_tendinopathy", baseline_pain=3
    )
    session = first_session(plan_for(runner), on_or_before=today_for(runner))
    sign_in(phone, runner, live_server.url)
    phone.goto("/week/")
    phone.wait_for_selector("html[data-offline-ready]", state="attached")
    phone.goto(f"/sessions/{session.pk}/")
    phone.context.set_offline(True)
    phone.reload()
    phone.locator("main form.player button[type=submit]").evaluate("b => b.form.submit()")
    expect(phone.locator("[data-queued]")).to_have_text(
        "Bewaard op dit apparaat; het wordt verstuurd zodra je weer online bent."
    )
    phone.context.set_offline(False)
    expect(phone.locator("[data-outbox-text]")).to_have_text(
        "Een sessie die op dit apparaat bewaard was, kon niet worden verstuurd. "
        "Open de sessie, controleer hem en sla hem opnieuw op."
    )
    link = phone.locator("[data-outbox-link] a")
    assert link.get_attribute("href") == f"/sessions/{session.pk}/"
    phone.shot("refused")
    assert not SessionLog.objects.filter(session=session).exists()
