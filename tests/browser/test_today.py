"""Issue #15 on a 390 px phone in English and Dutch: the week page opens with today
(today's session with its exercises, the morning check-in that is due) and says the
week's running in numbers; the page fits the phone (phone.shot -> assert_fits_phone)."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.account.models import EmailAddress

from programs.content.loader import content_load_directory
from programs.content.models import ProgramTemplate
from programs.engine.specs import RunningStatus
from programs.logbook.models import Screening
from programs.logbook.services import plan_start
from rehab.core.timeutils import local_today
from tests.browser.test_physio_journey import PASSWORD
from tests.factories import UserFactory
from tests.programs.conftest import runner_context

RUNS = {
    "en": "3 runs of 20 min this week.",
    "nl": "3 keer 20 min hardlopen deze week.",
}
TODAY = {"en": "Today", "nl": "Vandaag"}
CHECKIN = {"en": "Do the morning check-in", "nl": "Doe de ochtendcheck"}


def runner_in_week_one(language: str):
    """A runner whose plan began yesterday: a session today, the check-in due."""
    content_load_directory()
    runner = UserFactory(email=f"tess.today.{language}@example.com", language=language)
    EmailAddress.objects.create(user=runner, email=runner.email, verified=True, primary=True)
    Screening.objects.create(
        runner=runner, answers={}, outcome="ok", condition="gluteal_tendinopathy", baseline_pain=3
    )
    plan_start(
        runner=runner,
        template=ProgramTemplate.objects.get(slug="gluteal-tendinopathy"),
        context=runner_context(
            start_date=local_today(runner.timezone) - dt.timedelta(days=1),
            running=RunningStatus(mode="continuous", weekly_minutes=120),
        ),
        weeks=12,
    )
    return runner


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("phone", "language"), [("en-GB", "en"), ("nl-NL", "nl")], indirect=["phone"]
)
def test_today_on_a_phone(phone, language):
    runner = runner_in_week_one(language)
    phone.goto("/accounts/login/")
    phone.fill("input[name=login]", runner.email)
    phone.fill("input[name=password]", PASSWORD)
    phone.locator("main form button[type=submit]").last.click()
    phone.wait_for_load_state()
    phone.goto("/week/")

    first_section = phone.locator("main section").first
    assert first_section.get_attribute("id") == "today"
    assert first_section.locator("h2").inner_text().startswith(TODAY[language])
    assert phone.locator(".today-session .today-exercise").count() >= 1
    assert phone.get_by_role("link", name=CHECKIN[language]).is_visible()
    assert RUNS[language] in phone.locator("#run-h + .run-numbers").inner_text()
    phone.locator(".exit-criteria summary").click()
    phone.shot(f"today-{language}")
    assert not phone.console_errors
