"""Offline use, server side: the list of pages the service worker keeps (this week of the
signed-in runner only), the offline page, the worker script with its version, the
Clear-Site-Data header on signing out, and a session log sent twice (the worker's replay)
stored once."""

from __future__ import annotations

import re

import pytest

from programs.logbook.models import Screening, SessionLog
from programs.plans.models import PlanSession
from rehab.notifications import views as notification_views
from tests.factories import UserFactory
from tests.programs.runner.pages_support import first_session, plan_for, player_data, today_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(screened_runner, content):
    return plan_for(screened_runner)


def test_the_offline_list_names_this_weeks_sessions_of_the_runner_only(client, plan):
    other = UserFactory(email="someone.else@example.com")
    Screening.objects.create(
        runner=other, answers={}, outcome="ok", condition="gluteal_tendinopathy", baseline_pain=3
    )
    other_plan = plan_for(other)
    client.force_login(plan.runner)
    response = client.get("/week/offline.json")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    urls = response.json()["urls"]
    today = today_for(plan.runner)
    week = plan.weeks.filter(starts_on__lte=today).order_by("-number").first()
    expected = [f"/sessions/{s.pk}/" for s in PlanSession.objects.filter(week=week)]
    assert urls[0] == "/week/"
    assert sorted(urls[1:]) == sorted(expected)
    assert expected
    others = {f"/sessions/{s.pk}/" for s in PlanSession.objects.filter(plan=other_plan)}
    assert others.isdisjoint(urls)
    later = PlanSession.objects.filter(plan=plan, week__number=week.number + 1).first()
    assert f"/sessions/{later.pk}/" not in urls


def test_the_offline_list_is_for_signed_in_runners(client, physio):
    response = client.get("/week/offline.json")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/offline/").status_code == 200  # after signing out, too
    client.force_login(physio)
    assert client.get("/week/offline.json").status_code == 404
    assert client.get("/offline/").status_code == 404


def test_the_offline_page_in_both_languages(client, runner):
    client.force_login(runner)
    page = client.get("/offline/").content.decode()
    assert "You are offline" in page
    queued = client.get("/offline/?queued=1").content.decode()
    assert "Saved on this device; it will be sent when you are back online." in queued
    runner.language = "nl"
    runner.save()
    queued = client.get("/offline/?queued=1").content.decode()
    assert "Bewaard op dit apparaat; het wordt verstuurd zodra je weer online bent." in queued


def test_the_offline_page_does_not_use_up_a_message(client, plan):
    session = first_session(plan, on_or_before=today_for(plan.runner))
    client.force_login(plan.runner)
    client.post(f"/sessions/{session.pk}/", player_data(session))
    assert "Session saved" not in client.get("/offline/").content.decode()
    assert "Session saved" in client.get("/week/").content.decode()


def test_the_worker_is_served_with_the_version_of_the_static_files(client, settings, tmp_path):
    body = client.get("/sw.js").content.decode()
    config = re.match(r"self\.REHAB = (\{.*\});\n", body)
    assert config
    version = notification_views.static_version()
    assert f'"version": "{version}"' in config.group(1)
    for shell in (
        "/static/css/app.css",
        "/static/js/offline.js",
        "/offline/",
        "/offline/?queued=1",
    ):
        assert f'"{shell}"' in config.group(1)
    assert 'addEventListener("push"' in body
    # A deploy that changes a static file changes the version.
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "app.js").write_text("1")
    settings.STATICFILES_DIRS = [tmp_path]
    first = notification_views.static_version()
    (tmp_path / "js" / "app.js").write_text("2")
    assert notification_views.static_version() != first


def test_signing_out_clears_the_site_data(client, runner):
    client.force_login(runner)
    assert "Clear-Site-Data" not in client.get("/accounts/logout/")
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert "_auth_user_id" not in client.session


def test_a_replayed_log_is_stored_once(client, plan):
    """The worker sends a kept log again until it hears back: the same submission token
    twice (the first answer lost on the way) stores one log."""
    session = first_session(plan, on_or_before=today_for(plan.runner))
    client.force_login(plan.runner)
    page = client.get(f"/sessions/{session.pk}/").content.decode()
    token = re.search(r'name="submission_token" value="([^"]+)"', page).group(1)
    data = {**player_data(session), "submission_token": token}
    first = client.post(f"/sessions/{session.pk}/", data)
    again = client.post(f"/sessions/{session.pk}/", data)
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert SessionLog.objects.filter(session=session).count() == 1
