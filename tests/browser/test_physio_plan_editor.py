"""A physiotherapist edits a runner's plan in the browser: swaps an exercise after the
preview, changes a dose, adds a note; the runner then sees the change, the note and why.
At 1366x900 and 390x844 (every phone page checked to fit), in English and Dutch."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from programs.content.loader import content_load_directory
from programs.content.models import Exercise, ProgramTemplate
from programs.logbook.models import Screening
from programs.logbook.services import plan_start
from programs.plans.models import PlanRevision, Prescription
from rehab.accounts.models import CareLink, Role
from rehab.core.timeutils import local_today
from tests.browser.conftest import CHROMIUM, assert_fits_phone
from tests.factories import UserFactory
from tests.programs.conftest import runner_context

PASSWORD = "correct-horse-battery"
SIZES = {"laptop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
SAVED = {
    "en": "The plan is changed; the runner sees it now.",
    "nl": "Het schema is aangepast; de hardloper ziet het nu.",
}
WHY_HEADING = {"en": "Changed by your physiotherapist", "nl": "Gewijzigd door je fysiotherapeut"}
NOTE = {"en": "Squeeze your glutes at the top.", "nl": "Span je bilspieren boven aan."}
REASON = {
    "en": "You are ready for a single-leg bias.",
    "nl": "Je bent klaar voor meer op één been.",
}


def _page(browser, live_server, size, locale):
    context = browser.new_context(
        viewport=SIZES[size],
        locale=locale,
        timezone_id="Europe/Amsterdam",
        base_url=live_server.url,
        is_mobile=size == "phone",
        has_touch=size == "phone",
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    page.console_errors = errors

    def check():
        if size == "phone":
            assert_fits_phone(page)

    page.check = check
    return context, page


def _sign_in(page, email):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()


def _save(page, language):
    """On a preview page: save, and land on the editor with the message."""
    page.check()
    page.locator("form:has(input[name=step][value=save]) button[type=submit]").click()
    page.wait_for_load_state()
    assert SAVED[language] in page.locator(".messages").inner_text()
    page.check()


def _people(language):
    physio = UserFactory(
        role=Role.PHYSIO, email=f"fenna.edit.{language}@example.com", language=language
    )
    runner = UserFactory(
        email=f"robin.edit.{language}@example.com",
        first_name="Robin",
        last_name="Runner",
        language=language,
    )
    for user in (physio, runner):
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    CareLink.objects.create(
        physio=physio,
        runner=runner,
        status=CareLink.Status.ACTIVE,
        consent_given_at=runner.date_joined,
    )
    Screening.objects.create(
        runner=runner, answers={}, outcome="ok", condition="gluteal_tendinopathy", baseline_pain=3
    )
    plan = plan_start(
        runner=runner,
        template=ProgramTemplate.objects.get(slug="gluteal-tendinopathy"),
        context=runner_context(start_date=local_today(runner.timezone) - dt.timedelta(days=1)),
        weeks=12,
    )
    return physio, runner, plan


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", ["laptop", "phone"])
@pytest.mark.parametrize("locale", ["en-GB", "nl-NL"])
def test_physio_swaps_doses_and_notes_and_the_runner_sees_it(browser, live_server, size, locale):
    if not CHROMIUM:
        pytest.skip("no Chromium")
    language = locale[:2]
    content_load_directory()
    physio, runner, plan = _people(language)
    offset = Exercise.objects.get(slug="offset-bridge")
    offset_name = offset.name_nl if language == "nl" else offset.name_en

    context, page = _page(browser, live_server, size, locale)
    _sign_in(page, physio.email)
    page.goto(reverse("physio:runner", args=[runner.pk]))
    page.check()
    page.locator(f"a[href='{reverse('physio:editor', args=[runner.pk])}']").click()
    page.wait_for_load_state()
    page.check()

    # Swap, with the ranked alternatives and the preview.
    page.locator("#slot-gt-p1-bridge a[href*='/plan/edit/swap/']").click()
    page.wait_for_load_state()
    page.check()
    page.locator("#alt-offset-bridge").check()
    page.fill("#id_swap_reason", REASON[language])
    page.locator("form[action$='/plan/edit/swap/'] button[type=submit]").click()
    page.wait_for_load_state()
    preview = page.locator("table.preview").first.inner_text()
    assert offset_name in preview
    _save(page, language)

    # The dose: three sets from now on, previewed as 2 -> 3.
    row = page.locator("#slot-gt-p1-bridge")
    row.locator("details summary").first.click()
    row.locator("input[name=sets]").fill("3")
    row.locator("form[action$='/plan/edit/dose/'] button[type=submit]").click()
    page.wait_for_load_state()
    assert "3" in page.locator("table.preview").first.inner_text()
    _save(page, language)

    # A note on the exercise.
    row = page.locator("#slot-gt-p1-bridge")
    row.locator("details summary").nth(1).click()
    row.locator("textarea[name=text]").fill(NOTE[language])
    row.locator("form[action$='/plan/edit/note/'] button[type=submit]").click()
    page.wait_for_load_state()
    _save(page, language)
    assert page.console_errors == []
    context.close()

    assert plan.revisions.filter(kind=PlanRevision.Kind.PHYSIO, created_by=physio).count() == 3

    # The runner sees the change, the note and why.
    context, page = _page(browser, live_server, size, locale)
    _sign_in(page, runner.email)
    page.goto(reverse("runner:week"))
    page.check()
    assert NOTE[language] in page.locator("main").inner_text()
    upcoming = (
        Prescription.objects.filter(
            session__plan=plan,
            session__date__gte=local_today(runner.timezone),
            slot_key="gt-p1-bridge",
        )
        .select_related("session")
        .first()
    )
    page.goto(reverse("runner:session", args=[upcoming.session.pk]))
    page.check()
    # The player shows one exercise a step: the swapped one is on a later step's card.
    player = page.locator("main").text_content() or ""
    assert offset_name in player
    assert NOTE[language] in player
    page.goto(reverse("runner:changes"))
    page.check()
    changes = page.locator("main").inner_text()
    assert WHY_HEADING[language] in changes
    assert REASON[language] in changes
    assert offset_name in changes
    assert page.console_errors == []
    context.close()
