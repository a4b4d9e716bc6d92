"""Issue #13 in the browser (Debian's Chromium, 1366x900 and 390x844, English and Dutch):
the physiotherapist approves several waiting changes at once with a message the runner
then reads; and the plan's PDF, downloaded by the physio from the runner's page and by the
runner from their settings, has at most one page per week and the exercise names in the
runner's language (checked with pdftotext from poppler-utils)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from allauth.account.models import EmailAddress

from programs.content.loader import content_load_directory
from programs.plans.models import Decision
from programs.ui.pdf import pdf_available
from rehab.accounts.models import Role
from tests.browser.conftest import ARTIFACTS, assert_fits_phone
from tests.browser.test_physio_journey import PASSWORD, runner_waiting_for_approval
from tests.factories import UserFactory

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
CASES = [
    ("en-GB", LAPTOP),
    ("nl-NL", LAPTOP),
    ("en-GB", PHONE),
    ("nl-NL", PHONE),
]
IDS = ["en-laptop", "nl-laptop", "en-phone", "nl-phone"]
TEXT = {
    "en": {
        "bulk": "Approve the ticked changes",
        "applied": "changes are applied.",
        "pdf": "Download the plan (PDF)",
        "own_pdf": "Download your plan (PDF)",
    },
    "nl": {
        "bulk": "Aangevinkte wijzigingen goedkeuren",
        "applied": "wijzigingen zijn doorgevoerd.",
        "pdf": "Schema downloaden (pdf)",
        "own_pdf": "Je schema downloaden (pdf)",
    },
}


@pytest.fixture
def page_at(browser, live_server, request):
    locale, viewport = request.param
    phone = viewport is PHONE
    context = browser.new_context(
        viewport=viewport,
        is_mobile=phone,
        has_touch=phone,
        locale=locale,
        timezone_id="Europe/Amsterdam",
        base_url=live_server.url,
        accept_downloads=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    counter = {"n": 0}

    def shot(step: str) -> None:
        counter["n"] += 1
        page.screenshot(path=str(folder / f"{counter['n']:02d}-{step}.png"), full_page=True)
        if phone:
            assert_fits_phone(page)
        else:  # the laptop layout must not scroll sideways either
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{page.url}: {width} px wide"

    page.shot = shot
    page.console_errors = errors
    page.language = locale[:2]
    page.folder = folder
    yield page
    context.close()


def _physio(language):
    physio = UserFactory(
        role=Role.PHYSIO,
        email=f"fenna.glance.{language}@example.com",
        first_name="Fenna",
        last_name="Fysio",
        language=language,
    )
    EmailAddress.objects.create(user=physio, email=physio.email, verified=True, primary=True)
    return physio


def _sign_in(page, user):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("page_at", CASES, ids=IDS, indirect=True)
def test_the_physio_approves_several_changes_at_once(page_at):
    page, language = page_at, page_at.language
    text = TEXT[language]
    content_load_directory()
    physio = _physio(language)
    plan = runner_waiting_for_approval(physio, language)
    waiting = list(
        plan.decisions.filter(status=Decision.Status.PENDING).values_list("pk", flat=True)
    )
    assert len(waiting) >= 2

    _sign_in(page, physio)
    page.goto(f"/physio/runners/{plan.runner_id}/")
    page.shot("runner-page")
    for box in page.locator("#bulk-decisions input[name=decisions]").all():
        box.check()
    page.fill(
        "#bulk-decisions textarea[name=message]",
        "Goed bezig!" if language == "nl" else "Well done!",
    )
    page.get_by_role("button", name=text["bulk"]).click()
    page.wait_for_load_state()
    page.shot("approved")

    assert f"{len(waiting)} {text['applied']}" in page.locator(".messages").inner_text()
    assert not plan.decisions.filter(status=Decision.Status.PENDING).exists()
    assert set(plan.decisions.filter(pk__in=waiting).values_list("status", "physio_message")) == {
        (Decision.Status.APPLIED, "Goed bezig!" if language == "nl" else "Well done!")
    }
    assert page.console_errors == []


def _pdf_text(path) -> tuple[int, str]:
    """The PDF's page count and its text (pdftotext separates pages with a form feed)."""
    output = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    pages = output.rstrip("\f").count("\f") + 1
    return pages, " ".join(output.split())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("page_at", CASES, ids=IDS, indirect=True)
def test_the_plan_pdf_has_a_page_per_week_or_fewer_in_the_runners_language(page_at):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    if not pdf_available():
        pytest.skip("WeasyPrint or the Pango libraries are not installed")
    page, language = page_at, page_at.language
    content_load_directory()
    physio = _physio("en")  # the physio reads English; the PDF follows the runner
    plan = runner_waiting_for_approval(physio, language)
    runner = plan.runner
    runner.language = language
    runner.set_password(PASSWORD)
    runner.save()
    EmailAddress.objects.create(user=runner, email=runner.email, verified=True, primary=True)
    exercises = {
        rx.exercise
        for s in plan.sessions.prefetch_related("prescriptions__exercise")
        for rx in s.prescriptions.all()
    }
    names = {(ex.name_nl if language == "nl" else ex.name_en) or ex.name_en for ex in exercises}
    weeks = plan.weeks.count()

    _sign_in(page, physio)
    page.goto(f"/physio/runners/{runner.pk}/")
    with page.expect_download() as download:
        page.get_by_role("link", name=TEXT["en"]["pdf"]).click()
    path = page.folder / "physio-plan.pdf"
    download.value.save_as(path)
    pages, content = _pdf_text(path)

    assert 1 <= pages <= weeks, f"{pages} pages for {weeks} weeks"
    for name in names:
        assert " ".join(name.split()) in content, name
    if language == "nl":
        english_only = {ex.name_en for ex in exercises if ex.name_nl and ex.name_nl != ex.name_en}
        assert not any(f" {name} " in f" {content} " for name in english_only if name not in names)

    page.context.clear_cookies()
    _sign_in(page, runner)
    page.goto("/me/training/")
    page.shot("runner-settings")
    with page.expect_download() as download:
        page.get_by_role("link", name=TEXT[language]["own_pdf"]).click()
    own = page.folder / "runner-plan.pdf"
    download.value.save_as(own)
    own_pages, own_content = _pdf_text(own)
    assert own_pages == pages
    assert own_content == content
    assert page.console_errors == []
