"""Plan set-up in steps (#14): each page validates and stores its answers on the runner's
draft, back and leaving keep them, later pages cannot be reached before earlier ones, the
error summary links to each field, the review shows week 1 without storing anything and
confirming makes one plan and drops the draft."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django import forms
from django.template.loader import render_to_string
from django.test import Client

from programs.logbook.models import SetupDraft
from programs.logbook.selectors import setup_draft_answers
from programs.logbook.services import setup_draft_save
from programs.plans.models import Plan, PlanSession, PlanWeek
from programs.runner.forms import SETUP_PAGES
from rehab.core.submission import FIELD
from tests.programs.runner.pages_support import (
    setup_data,
    setup_page_data,
    setup_through_steps,
    today_for,
)

pytestmark = pytest.mark.django_db

KEYS = [page.key for page in SETUP_PAGES]


@pytest.fixture
def runner_client(client, screened_runner, content):
    client.force_login(screened_runner)
    return client


@pytest.fixture
def data(screened_runner):
    return setup_data(
        start_date=today_for(screened_runner).isoformat(),
        running_mode="continuous",
        weekly_minutes="120",
        longest_run="45",
        running_days="3",
        long_run_day="6",
    )


def answer_all(runner, data):
    for page in SETUP_PAGES:
        setup_draft_save(runner=runner, step=page.key, answers=setup_page_data(page.key, data))


def token_of(html: str) -> str:
    return re.search(rf'name="{FIELD}" value="([^"]+)"', html)[1]


@pytest.mark.parametrize("index", range(len(SETUP_PAGES)))
def test_each_step_validates_and_stores_its_answers(runner_client, screened_runner, data, index):
    page = SETUP_PAGES[index]
    setup_through_steps(runner_client, data, stop_before=page.key)
    url = f"/plan/setup/{page.key}/"
    page_html = runner_client.get(url).content.decode()
    assert f"Step {page.step} of 8" in page_html

    refused = runner_client.post(url, dict.fromkeys(page.fields, "99"))
    if page.key not in ("equipment", "reminders"):  # pages where nothing is fine too
        assert refused.status_code == 200
        assert "There is a problem" in refused.content.decode()
        assert page.key not in setup_draft_answers(runner=screened_runner)

    saved = runner_client.post(url, setup_page_data(page.key, data))

    following = KEYS[index + 1] if index + 1 < len(KEYS) else "review"
    assert saved["Location"] == f"/plan/setup/{following}/"
    stored = setup_draft_answers(runner=screened_runner)[page.key]
    assert set(stored) == set(page.fields)
    for name in page.fields:
        given = data.get(name, "")
        assert stored[name] == ([str(v) for v in given] if isinstance(given, list) else str(given))
    assert not Plan.objects.exists()


def test_the_stored_answers_are_normalised_values(runner_client, screened_runner, data):
    setup_through_steps(runner_client, data, stop_before="reminders")

    runner_client.post("/plan/setup/reminders/", {"reminder_time": "7:05", "checkin_time": ""})

    stored = setup_draft_answers(runner=screened_runner)
    assert stored["reminders"] == {"reminder_time": "07:05", "checkin_time": ""}
    assert stored["days"]["weekdays"] == [str(day) for day in range(7)]
    assert SetupDraft.objects.get(runner=screened_runner).updated_at is not None


def test_back_shows_the_answers_given(runner_client, data):
    setup_through_steps(runner_client, data, stop_before="questionnaire-2")

    pain = runner_client.get("/plan/setup/pain/")
    assert pain.context["back_url"] == "/plan/setup/running/"
    running = runner_client.get(pain.context["back_url"]).content.decode()

    assert 'name="weekly_minutes" value="120"' in running
    assert re.search(r'value="continuous"[^>]*checked', running)
    html = runner_client.get("/plan/setup/pain/").content.decode()
    assert len(re.findall(r'name="lefs_\d+" value="3"[^>]*checked', html)) == 5
    # and on again, the answers stay
    again = runner_client.post("/plan/setup/running/", setup_page_data("running", data))
    assert again["Location"] == "/plan/setup/pain/"


def test_leaving_and_coming_back_continues_where_the_runner_left(
    runner_client, screened_runner, data
):
    setup_through_steps(runner_client, data, stop_before="activities")
    runner_client.logout()

    later = Client()
    later.force_login(screened_runner)
    response = later.get("/plan/setup/")

    assert response["Location"] == "/plan/setup/activities/"
    assert later.get("/plan/setup/questionnaire-4/").status_code == 200


@pytest.mark.parametrize("target", ["days", "review", "questionnaire-3"])
def test_a_later_step_sends_the_runner_to_the_first_unanswered(
    runner_client, screened_runner, data, target
):
    setup_through_steps(runner_client, data, stop_before="pain")

    shown = runner_client.get(f"/plan/setup/{target}/")
    posted = runner_client.post(f"/plan/setup/{target}/", setup_page_data("days", data))

    assert shown["Location"] == posted["Location"] == "/plan/setup/pain/"
    assert "days" not in setup_draft_answers(runner=screened_runner)


def test_an_unknown_step_is_not_found(runner_client):
    assert runner_client.get("/plan/setup/nothing-here/").status_code == 404


def test_the_error_summary_links_to_each_field_and_takes_focus(runner_client, data):
    setup_through_steps(runner_client, data, stop_before="pain")

    html = runner_client.post("/plan/setup/pain/", {"lefs_2": "3"}).content.decode()

    summary = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', html, re.S)
    assert summary, html
    tag = re.search(r'<div class="error-summary"[^>]*>', html)[0]
    assert 'role="alert"' in tag
    assert 'tabindex="-1"' in tag
    assert "autofocus" in tag
    assert html.index("error-summary") < html.index('class="stack wizard-form"')
    assert "There is a problem" in summary[1]
    hrefs = re.findall(r'href="#([^"]+)"', summary[1])
    assert hrefs == ["id_baseline_pain", "id_lefs_1_0", "id_lefs_3_0", "id_lefs_4_0", "id_lefs_5_0"]
    for target in hrefs:  # every link lands on an input of the page
        assert f'id="{target}"' in html
    # each field shows its message too
    assert html.count("This field is required.") == 2 * len(hrefs)


def test_the_error_summary_is_a_component_for_any_form():
    class Example(forms.Form):
        name = forms.CharField(label="Name")
        colour = forms.ChoiceField(label="Colour", choices=[("r", "Red")], widget=forms.RadioSelect)

        def clean(self):
            raise forms.ValidationError("Something as a whole")

    form = Example({})
    form.is_valid()

    html = render_to_string("components/error_summary.html", {"form": form})

    assert "Something as a whole" in html
    assert '<a href="#id_name">Name: This field is required.</a>' in html
    assert '<a href="#id_colour_0">Colour: This field is required.</a>' in html
    assert render_to_string("components/error_summary.html", {"form": Example()}).strip() == ""


def test_the_review_shows_week_one_and_stores_nothing(runner_client, screened_runner, data):
    answer_all(screened_runner, data)

    response = runner_client.get("/plan/setup/review/")

    assert response.status_code == 200
    html = response.content.decode()
    preview = response.context["preview"]
    assert preview.sessions
    assert "Your plan in week 1" in html
    for session in preview.sessions:
        assert session.date - preview.starts_on < dt.timedelta(days=7)
        for item in session.items:
            assert item.exercise.name in html
            assert item.rx.sets > 0
            assert hasattr(item.rx, "tempo")
            assert hasattr(item.rx, "rest_seconds")
    assert not Plan.objects.exists()
    assert not PlanSession.objects.exists()
    # every step has its Change link, back to the review afterwards
    for page in SETUP_PAGES:
        assert f'href="/plan/setup/{page.key}/?review=1"' in html
    changed = runner_client.post(
        "/plan/setup/days/?review=1", setup_page_data("days", {**data, "weekdays": ["1", "3", "5"]})
    )
    assert changed["Location"] == "/plan/setup/review/"
    days = {
        s.date.weekday()
        for s in runner_client.get("/plan/setup/review/").context["preview"].sessions
        if s.kind == "strength"
    }
    assert days
    assert days <= {1, 3, 5}


def test_the_week_previewed_is_the_week_made(runner_client, screened_runner, data):
    answer_all(screened_runner, data)
    preview = runner_client.get("/plan/setup/review/").context["preview"]

    runner_client.post("/plan/setup/review/")

    week = PlanWeek.objects.get(plan__runner=screened_runner, number=1)
    made = [
        (
            s.date,
            s.kind,
            [
                (rx.exercise.slug, rx.sets, rx.reps, rx.hold_seconds)
                for rx in s.prescriptions.order_by("order", "pk")
            ],
        )
        for s in PlanSession.objects.filter(week=week).order_by("date", "kind")
    ]
    shown = [
        (
            s.date,
            s.kind,
            [(i.exercise.slug, i.rx.sets, i.rx.reps, i.rx.hold_seconds) for i in s.items],
        )
        for s in sorted(preview.sessions, key=lambda s: (s.date, s.kind))
    ]
    assert made == shown


def test_confirm_makes_one_plan_and_clears_the_draft(runner_client, screened_runner, data):
    answer_all(screened_runner, data)
    token = token_of(runner_client.get("/plan/setup/review/").content.decode())

    first = runner_client.post("/plan/setup/review/", {FIELD: token})
    second = runner_client.post("/plan/setup/review/", {FIELD: token})
    third = runner_client.post("/plan/setup/review/")

    assert first["Location"] == second["Location"] == third["Location"] == "/week/"
    plan = Plan.objects.get(runner=screened_runner)
    assert plan.weeks.count() == 12
    assert plan.context["long_run_weekday"] == 6
    assert plan.context["running"]["weekly_minutes"] == 120
    assert not SetupDraft.objects.exists()
    assert runner_client.get("/plan/setup/pain/")["Location"] == "/week/"


def test_a_start_date_gone_by_is_refused_at_the_review(runner_client, screened_runner, data):
    yesterday = today_for(screened_runner) - dt.timedelta(days=1)
    answer_all(screened_runner, {**data, "start_date": yesterday.isoformat()})

    html = runner_client.post("/plan/setup/review/").content.decode()

    assert "There is a problem" in html
    assert 'href="/plan/setup/programme/?review=1#id_start_date"' in html
    assert "Start today or later." in html
    assert not Plan.objects.exists()
    assert SetupDraft.objects.filter(runner=screened_runner).exists()


def test_the_steps_in_dutch(runner_client, screened_runner, data):
    screened_runner.language = "nl"
    screened_runner.save()

    page = runner_client.get("/plan/setup/programme/").content.decode()
    refused = runner_client.post("/plan/setup/programme/", {}).content.decode()
    answer_all(screened_runner, data)
    review = runner_client.get("/plan/setup/review/").content.decode()

    assert "Stap 1 van 8" in page
    assert "Je programma" in page
    assert "Stappen om je plan in te stellen" in page
    assert "Er is een probleem" in refused
    assert "Dit veld is vereist." in refused
    assert "Stap 8 van 8" in review
    assert "Je plan in week 1" in review
    assert "Wijzigen" in review
    assert "Maak mijn plan" in review
