"""The content admin's autocomplete (select2) and tabular inline controls have names a
screen reader reads out, and select2 still works after static/admin-a11y/admin-a11y.js
renamed it and moved its clear button out of the choices list."""

from __future__ import annotations

import re

import pytest

from programs.content.models import EducationTopic, EvidenceSource, Exercise, Phase
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_axe import _sign_in
from tests.programs.conftest import content  # noqa: F401  (fixture)

SHOTS = ARTIFACTS / "test_admin_names"


@pytest.fixture
def admin_page(browser, live_server):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="en-GB",
        base_url=live_server.url,
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.live_url = live_server.url
    yield page
    context.close()


@pytest.mark.django_db(transaction=True)
def test_admin_widgets_are_named_and_select2_still_works(admin_page, admin_user, content):  # noqa: F811
    page = admin_page
    exercise = Exercise.objects.filter(muscle_roles__isnull=False).order_by("pk").first()
    exercise.sources.set(EvidenceSource.objects.order_by("pk")[:1])
    _sign_in(page, admin_user)

    page.goto(f"/admin/content/exercise/{exercise.pk}/change/")

    # A single autocomplete: the field's label, then the current choice.
    assert page.get_by_role("combobox", name=re.compile(r"^Regression")).count() == 1
    # A multiple autocomplete: its combobox and its search field carry the field's label.
    sources = page.get_by_role("combobox", name=re.compile(r"^Sources"))
    assert sources.count() == 1
    search = page.get_by_role("searchbox", name=re.compile(r"^Sources"))
    assert search.count() == 1
    # The column headings of a tabular inline name the controls below them.
    assert page.get_by_role("combobox", name=re.compile(r"^Muscle")).count() >= 1
    assert page.get_by_role("checkbox", name=re.compile(r"^Delete")).count() >= 1

    # The clear button of an optional multiple choice sits beside the list of choices,
    # not inside it, and still clears.
    phase = Phase.objects.order_by("pk").first()
    phase.education.set(EducationTopic.objects.order_by("pk")[:1])
    page.goto(f"/admin/content/phase/{phase.pk}/change/")
    container = page.locator("#id_education + .select2")
    SHOTS.mkdir(parents=True, exist_ok=True)
    container.screenshot(path=str(SHOTS / "education-with-clear-button.png"))
    assert container.locator("ul > .select2-selection__clear").count() == 0
    assert container.locator(".select2-selection__choice").count() == 1
    container.locator(".select2-selection__clear").dispatch_event("mousedown")
    page.keyboard.press("Escape")
    assert page.eval_on_selector("#id_education", "s => s.selectedOptions.length") == 0

    # Choosing from the dropdown (an AJAX search) still adds a choice, and the rebuilt
    # search field gets its name again.
    topic = EducationTopic.objects.order_by("pk")[1]
    search = page.get_by_role("searchbox", name=re.compile(r"^Education topics"))
    search.click()
    search.fill(topic.title_en[:6])
    page.locator(".select2-results__option--highlighted").first.wait_for()
    page.keyboard.press("Enter")
    assert page.eval_on_selector("#id_education", "s => s.selectedOptions.length") == 1
    assert page.get_by_role("searchbox", name=re.compile(r"^Education topics")).count() == 1
    assert container.locator("ul > .select2-selection__clear").count() == 0
