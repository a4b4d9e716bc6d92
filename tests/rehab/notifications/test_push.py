"""Web Push reminders against a push service on 127.0.0.1 (tests/rehab/notifications/push_receiver.py)."""

import datetime as dt
import json
import stat

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from programs.logbook.models import RunLog
from rehab.notifications.models import PushSubscription, ReminderDelivery, ReminderSchedule
from rehab.notifications.push import PushFailed, push_subscription_save
from rehab.notifications.reminders import (
    CHANNEL_SETS,
    reminder_channels_of,
    reminder_channels_set,
    reminder_schedule_set,
    reminder_send,
    reminders_dispatch_due,
)
from rehab.notifications.tasks import send_reminder
from rehab.notifications.vapid import (
    KEY_FILE,
    VapidKeyError,
    check_keys,
    generate_keys,
    keys_for_run,
)
from tests.conftest import leaks
from tests.rehab.notifications.push_receiver import PushReceiver

NOW = dt.datetime(2026, 11, 25, 6, 0, tzinfo=dt.UTC)  # 07:00 in Amsterdam
KEYS = generate_keys()


@pytest.fixture
def vapid(settings):
    settings.VAPID_PRIVATE_KEY = KEYS["VAPID_PRIVATE_KEY"]
    settings.VAPID_PUBLIC_KEY = KEYS["VAPID_PUBLIC_KEY"]
    settings.VAPID_SUBJECT = "mailto:ops@example.com"
    settings.WEBPUSH_ALLOW_LOCAL_ENDPOINTS = True
    settings.REMINDER_RELEVANCE = {}
    return settings


@pytest.fixture
def push():
    with PushReceiver() as receiver:
        yield receiver


def subscribe(user, device):
    subscription, _created = push_subscription_save(
        user=user, endpoint=device.endpoint, p256dh=device.p256dh, auth=device.auth
    )
    return subscription


def due(user, kind="checkin", channels="push"):
    reminder_channels_set(
        user=user, kind=kind, channels=CHANNEL_SETS[channels], now=NOW - dt.timedelta(hours=1)
    )
    reminder_schedule_set(
        user=user, kind=kind, local_time=dt.time(7, 0), now=NOW - dt.timedelta(hours=1)
    )
    assert reminders_dispatch_due(now=NOW) == len(CHANNEL_SETS[channels])
    return list(ReminderDelivery.objects.filter(schedule__user=user, schedule__kind=kind))


@pytest.mark.django_db
def test_a_push_reminder_is_signed_encrypted_and_says_only_a_title_and_a_link(vapid, push, runner):
    device = push.device()
    subscription = subscribe(runner, device)
    [delivery] = due(runner)

    assert reminder_send(delivery_id=delivery.id, now=NOW) == "sent"
    assert reminder_send(delivery_id=delivery.id, now=NOW) == "skipped"

    assert push.refused == []
    [received] = push.received
    assert received.message == {
        "title": "Your morning check-in is ready",
        "link": f"{vapid.SITE_URL}/checkin/",
    }
    assert received.vapid_key == KEYS["VAPID_PUBLIC_KEY"]
    assert received.claims["aud"] == push.origin
    assert received.claims["sub"] == "mailto:ops@example.com"
    assert int(received.headers["ttl"]) == vapid.WEBPUSH_TTL
    assert received.headers["topic"] == "reminder-checkin"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.pushed_to) == ("sent", [subscription.pk])
    subscription.refresh_from_db()
    assert subscription.last_success is not None
    assert mail.outbox == []  # push only: no email


@pytest.mark.django_db
def test_a_dutch_runner_gets_the_title_in_dutch(vapid, push, runner):
    runner.language = "nl"
    runner.save()
    subscribe(runner, push.device())
    [delivery] = due(runner, kind="session")

    reminder_send(delivery_id=delivery.id, now=NOW)

    assert push.received[0].message == {
        "title": "Vandaag is een trainingsdag",
        "link": f"{vapid.SITE_URL}/",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("kind", ["session", "checkin"])
def test_no_health_data_reaches_the_push_payload(vapid, push, runner, kind, language):
    runner.language = language
    runner.first_name = "Ann"
    runner.save()
    RunLog.objects.create(
        runner=runner,
        date=dt.date(2026, 11, 24),
        minutes=30,
        pain_during=8,
        notes="PAIN_SENTINEL_7f3 gluteal tendinopathy flare, stiff hip",
    )
    subscribe(runner, push.device())
    [delivery] = due(runner, kind=kind)

    reminder_send(delivery_id=delivery.id, now=NOW)

    [received] = push.received
    assert set(received.message) == {"title", "link"}
    assert leaks(received.plaintext) == []
    assert "SENTINEL" not in received.plaintext
    assert len(received.plaintext.encode()) < 3000


def test_the_denylist_would_catch_a_leaking_payload():
    assert leaks(json.dumps({"title": "Your pain score", "link": "/x"})) == ["pain", "score"]


@pytest.mark.django_db
def test_every_device_gets_it_and_a_gone_subscription_is_removed(vapid, push, runner):
    kept, gone = push.device(), push.device()
    subscribe(runner, kept)
    subscribe(runner, gone)
    [delivery] = due(runner)
    push.answer(201, 410)

    assert reminder_send(delivery_id=delivery.id, now=NOW) == "sent"

    assert push.refused == []
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [kept.endpoint]
    assert len(push.messages_for(kept)) == 1


@pytest.mark.django_db
def test_when_the_only_device_is_gone_the_reminder_is_suppressed(vapid, push, runner):
    subscribe(runner, push.device())
    [delivery] = due(runner)
    push.answer(404)

    assert reminder_send(delivery_id=delivery.id, now=NOW) == "suppressed"
    assert PushSubscription.objects.count() == 0


@pytest.mark.django_db
def test_a_server_error_retries_with_backoff_and_reaches_no_device_twice(vapid, push, runner):
    first, second = push.device(), push.device()
    subscribe(runner, first)
    subscribe(runner, second)
    [delivery] = due(runner)
    push.answer(201, 500)

    with pytest.raises(PushFailed, match="500"):
        reminder_send(delivery_id=delivery.id, now=NOW)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.next_attempt_at is not None
    assert "500" in delivery.detail
    assert PushSubscription.objects.count() == 2  # a 500 removes nothing

    assert reminder_send(delivery_id=delivery.id, now=NOW + dt.timedelta(minutes=1)) == "sent"
    assert len(push.messages_for(first)) == 1
    assert len(push.messages_for(second)) == 1
    assert PushFailed.__mro__[1] is ConnectionError  # the send task's autoretry takes it


@pytest.mark.django_db
def test_both_channels_go_out_once_each(vapid, push, runner):
    subscribe(runner, push.device())
    deliveries = due(runner, channels="both")
    assert sorted(d.channel for d in deliveries) == ["email", "push"]
    assert reminders_dispatch_due(now=NOW + dt.timedelta(seconds=30)) == 0

    for delivery in deliveries:
        assert reminder_send(delivery_id=delivery.id, now=NOW) == "sent"
        assert reminder_send(delivery_id=delivery.id, now=NOW) == "skipped"

    assert len(mail.outbox) == 1
    assert len(push.received) == 1
    push_delivery = next(d for d in deliveries if d.channel == "push")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderDelivery.objects.create(
            schedule=push_delivery.schedule,
            local_date=push_delivery.local_date,
            channel="push",
            scheduled_for=NOW,
        )


@pytest.mark.django_db
def test_without_vapid_keys_or_devices_a_push_reminder_is_suppressed(settings, vapid, runner):
    [delivery] = due(runner)
    assert reminder_send(delivery_id=delivery.id, now=NOW) == "suppressed"
    assert ReminderDelivery.objects.get(pk=delivery.pk).detail == "no device takes push"

    settings.VAPID_PRIVATE_KEY = settings.VAPID_PUBLIC_KEY = ""
    other = due(runner, kind="session")[0]
    assert reminder_send(delivery_id=other.id, now=NOW) == "suppressed"
    assert ReminderDelivery.objects.get(pk=other.pk).detail == "push not configured"


@pytest.mark.django_db
def test_the_send_task_in_eager_mode_delivers_end_to_end(
    vapid, push, runner, django_capture_on_commit_callbacks
):
    subscribe(runner, push.device())
    reminder_channels_set(
        user=runner, kind="checkin", channels=CHANNEL_SETS["push"], now=NOW - dt.timedelta(hours=1)
    )
    ReminderSchedule.objects.filter(user=runner).update(next_fire_at=NOW)

    with django_capture_on_commit_callbacks(execute=True):
        reminders_dispatch_due(now=NOW)  # enqueues send_reminder after commit (eager here)

    assert push.refused == []
    assert [r.message["link"] for r in push.received] == [f"{vapid.SITE_URL}/checkin/"]
    assert ReminderDelivery.objects.get().status == "sent"
    assert send_reminder.apply(args=(str(ReminderDelivery.objects.get().pk),)).get() == "skipped"


# --- Channels per reminder kind ------------------------------------------------------


@pytest.mark.django_db
def test_channel_choices_and_the_reminder_switch_keep_each_other(runner):
    reminder_schedule_set(user=runner, kind="session", local_time=dt.time(18, 0))
    assert reminder_channels_of(runner) == {"session": "email", "checkin": "none"}

    reminder_channels_set(user=runner, kind="session", channels=CHANNEL_SETS["push"])
    assert reminder_channels_of(runner)["session"] == "push"
    assert ReminderSchedule.objects.get(user=runner, kind="session").local_time == dt.time(18, 0)

    reminder_schedule_set(user=runner, kind="session", local_time=dt.time(18, 0), enabled=False)
    assert reminder_channels_of(runner)["session"] == "none"
    reminder_schedule_set(user=runner, kind="session", local_time=dt.time(19, 0), enabled=True)
    assert reminder_channels_of(runner)["session"] == "push"  # the choice came back

    reminder_channels_set(user=runner, kind="checkin", channels=CHANNEL_SETS["both"])
    assert reminder_channels_of(runner)["checkin"] == "both"
    reminder_channels_set(user=runner, kind="checkin", channels=CHANNEL_SETS["none"])
    assert reminder_channels_of(runner)["checkin"] == "none"
    assert not ReminderSchedule.objects.filter(user=runner, kind="checkin", enabled=True).exists()


@pytest.mark.django_db
def test_the_settings_page_shows_the_channels_and_saves_them(client, runner, vapid):
    client.force_login(runner)
    page = client.get("/me/").content.decode()
    assert 'action="/me/reminder-channels/"' in page
    assert f'data-vapid-key="{KEYS["VAPID_PUBLIC_KEY"]}"' in page
    assert "Enable push on this device" in page
    assert "js/push.js" in page

    response = client.post("/me/reminder-channels/", {"session": "both", "checkin": "push"})
    assert response.status_code == 302
    assert reminder_channels_of(runner) == {"session": "both", "checkin": "push"}

    bad = client.post("/me/reminder-channels/", {"session": "pigeon", "checkin": "push"})
    assert bad.status_code == 400
    assert reminder_channels_of(runner) == {"session": "both", "checkin": "push"}


@pytest.mark.django_db
def test_the_settings_page_in_dutch_and_without_push_keys(client, runner, settings):
    settings.VAPID_PRIVATE_KEY = settings.VAPID_PUBLIC_KEY = ""
    runner.language = "nl"
    runner.save()
    client.force_login(runner)
    page = client.get("/me/").content.decode()
    assert "Hoe herinneringen je bereiken" in page
    assert "data-push" not in page
    assert "Pushmeldingen zijn op deze server niet ingesteld" in page


# --- The API ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_subscribes_and_unsubscribes_a_device(vapid, push, runner_client, runner, other_runner):
    device = push.device()
    url = "/api/v1/push/subscriptions/"
    body = device.subscription_json()
    headers = {"HTTP_USER_AGENT": "Mozilla/5.0 (Linux; Android 14) Chrome/130.0 Mobile Safari/537"}

    created = runner_client.post(url, body, format="json", **headers)
    assert created.status_code == 201, created.content
    assert created.json()["device"] == "Chrome on Android"
    again = runner_client.post(url, body, format="json")
    assert again.status_code == 200
    assert PushSubscription.objects.get().user == runner

    from rest_framework.test import APIClient

    other = APIClient()
    other.force_authenticate(other_runner)
    assert other.delete(url, {"endpoint": device.endpoint}, format="json").status_code == 404
    assert (
        runner_client.delete(url, {"endpoint": device.endpoint}, format="json").status_code == 204
    )
    assert PushSubscription.objects.count() == 0
    assert APIClient().post(url, body, format="json").status_code in (401, 403)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"endpoint": "http://push.example.com/x"}, "endpoint"),
        ({"endpoint": "https://10.0.0.7/x"}, "endpoint"),
        ({"endpoint": "https://localhost/x"}, "endpoint"),
        ({"endpoint": "not a url"}, "endpoint"),
        ({"keys": {"p256dh": "AAAA", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}}, "keys.p256dh"),
        ({"keys": {"p256dh": None, "auth": "x"}}, "keys.p256dh"),
        ({"keys": "nope"}, "keys.non_field_errors"),
    ],
)
def test_api_refuses_bad_subscriptions_with_field_messages(runner_client, change, field):
    from tests.rehab.notifications.push_receiver import Device

    body = {**Device(endpoint="https://push.example.com/abc").subscription_json(), **change}
    response = runner_client.post("/api/v1/push/subscriptions/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert PushSubscription.objects.count() == 0


@pytest.mark.django_db
def test_a_public_https_endpoint_is_accepted_and_kept_out_of_the_export(runner_client, runner):
    from rehab.accounts.privacy import user_data_export
    from tests.rehab.notifications.push_receiver import Device

    device = Device(endpoint="https://push.example.com/abc")
    response = runner_client.post(
        "/api/v1/push/subscriptions/", device.subscription_json(), format="json"
    )
    assert response.status_code == 201
    [row] = user_data_export(user=runner)["notifications.pushsubscription"]
    assert {"endpoint", "p256dh", "auth"}.isdisjoint(row)


# --- The service worker -----------------------------------------------------------------


@pytest.mark.django_db
def test_the_service_worker_is_served_at_the_root(client, runner):
    for signed_in in (False, True):
        if signed_in:
            client.force_login(runner)
        response = client.get("/sw.js")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/javascript")
        assert response["Service-Worker-Allowed"] == "/"
        assert "max-age" not in response["Cache-Control"]
        source = response.content.decode()
        assert 'addEventListener("push"' in source
        assert 'addEventListener("notificationclick"' in source
    assert client.post("/sw.js").status_code == 405


# --- VAPID keys -------------------------------------------------------------------------


def test_make_run_makes_vapid_keys_once_and_the_environment_wins(tmp_path):
    keys, created = keys_for_run(tmp_path, {})
    assert created
    check_keys(keys["VAPID_PRIVATE_KEY"], keys["VAPID_PUBLIC_KEY"])
    assert stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode) == 0o600
    assert keys_for_run(tmp_path, {}) == (keys, False)
    assert keys_for_run(tmp_path, dict(KEYS)) == ({}, False)


def test_mismatched_or_malformed_vapid_keys_are_refused():
    other = generate_keys()
    with pytest.raises(VapidKeyError, match="not the public key"):
        check_keys(KEYS["VAPID_PRIVATE_KEY"], other["VAPID_PUBLIC_KEY"])
    with pytest.raises(VapidKeyError, match="32 bytes"):
        check_keys("AAAA", KEYS["VAPID_PUBLIC_KEY"])


def test_the_run_command_hands_one_key_pair_to_every_process(tmp_path, monkeypatch):
    from rehab.stack import Stack

    monkeypatch.delenv("VAPID_PRIVATE_KEY", raising=False)
    monkeypatch.delenv("VAPID_PUBLIC_KEY", raising=False)
    monkeypatch.setenv("REHAB_VAR_DIR", str(tmp_path))
    first = Stack("127.0.0.1", 8000)
    first.vapid_keys()
    second = Stack("127.0.0.1", 8000)
    second.vapid_keys()

    check_keys(first.env["VAPID_PRIVATE_KEY"], first.env["VAPID_PUBLIC_KEY"])
    assert second.env["VAPID_PUBLIC_KEY"] == first.env["VAPID_PUBLIC_KEY"]
    assert (
        json.loads((tmp_path / KEY_FILE).read_text())["VAPID_PUBLIC_KEY"]
        == (first.env["VAPID_PUBLIC_KEY"])
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"VAPID_PRIVATE_KEY": KEYS["VAPID_PRIVATE_KEY"]}, "must be set together"),
        (
            {**KEYS, "VAPID_PUBLIC_KEY": generate_keys()["VAPID_PUBLIC_KEY"]},
            "VAPID_PUBLIC_KEY is not the public key of VAPID_PRIVATE_KEY",
        ),
        ({**KEYS, "VAPID_SUBJECT": "ops@example.com"}, "VAPID_SUBJECT must be a mailto:"),
    ],
)
def test_bad_vapid_settings_stop_the_process_with_one_line(env, message):
    from tests.conftest import run_manage

    result = run_manage("check", **env)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert message in result.stderr.strip()
