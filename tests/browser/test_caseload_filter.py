"""A physiotherapist filters, searches and sorts a caseload (#13), on a 390 px phone and a
1366 px laptop, in English and Dutch: the counts at the top lead to their filter, the
filter form narrows the table, and the page always fits the screen."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.account.models import EmailAddress

from programs.content.loader import content_load_directory
from programs.content.models import ProgramTemplate
from programs.logbook.models import FlareUp, MorningCheckin, Screening
from programs.logbook.services import plan_start
from rehab.accounts.models import CareLink, Role
from rehab.core.timeutils import local_today
from tests.factories import UserFactory
from tests.programs.conftest import runner_context

PASSWORD = "correct-horse-battery"
TEXT = {
    "en-GB": {
        "show": "Show",
        "trend": "Pain trend",
        "rising": "Rising",
        "clear": "Clear the filters",
    },
    "nl-NL": {
        "show": "Tonen",
        "trend": "Pijnverloop",
        "rising": "Stijgend",
        "clear": "Filters wissen",
    },
}


def _runner(physio, email, first, last, *, mornings=(), flare=False):
    runner = UserFactory(email=email, first_name=first, last_name=last)
    CareLink.objects.create(
        physio=physio, runner=runner, status="active", consent_given_at=runner.date_joined
    )
    Screening.objects.create(
        runner=runner, answers={}, outcome="ok", condition="gluteal_tendinopathy", baseline_pain=3
    )
    today = local_today(runner.timezone)
    plan_start(
        runner=runner,
        template=ProgramTemplate.objects.get(slug="gluteal-tendinopathy"),
        context=runner_context(start_date=today - dt.timedelta(days=27)),
        weeks=8,
    )
    for days, pain in mornings:
        MorningCheckin.objects.create(
            runner=runner, date=today - dt.timedelta(days=days), pain=pain
        )
    if flare:
        FlareUp.objects.create(runner=runner, date=today - dt.timedelta(days=1), severity=5)
    return runner


def _sign_in(page, physio):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", physio.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("phone", ["en-GB", "nl-NL"], indirect=True)
def test_the_physio_filters_the_caseload(phone, browser, live_server, request):
    locale = request.node.callspec.params["phone"]
    language = locale[:2]
    text = TEXT[locale]
    content_load_directory()
    physio = UserFactory(
        role=Role.PHYSIO,
        email=f"filter.{language}@example.com",
        first_name="Fenna",
        language=language,
    )
    EmailAddress.objects.create(user=physio, email=physio.email, verified=True, primary=True)
    _runner(
        physio,
        f"ann.{language}@r.test",
        "Ann",
        "Stijger",
        mornings=((20, 1), (13, 2), (6, 4), (1, 5)),
    )
    _runner(physio, f"bert.{language}@r.test", "Bert", "Bos", mornings=((3, 2), (2, 2)), flare=True)
    _runner(physio, f"cor.{language}@r.test", "Cor", "Claes", mornings=((9, 3), (2, 1)))

    _sign_in(phone, physio)
    assert phone.url.endswith("/physio/")
    phone.shot("caseload")
    rows = phone.locator("table.caseload tbody tr")
    assert rows.count() == 3

    # the rising-pain filter from the form
    phone.get_by_label(text["trend"]).select_option("rising")
    phone.get_by_role("button", name=text["show"]).click()
    phone.wait_for_load_state()
    phone.shot("rising")
    assert rows.count() == 1
    assert "Ann S." in rows.first.inner_text()
    assert "trend=rising" in phone.url

    # the count at the top leads to its filter: who needs attention
    phone.get_by_role("link", name=text["clear"]).click()
    phone.wait_for_load_state()
    phone.locator(".caseload-counts a").first.click()
    phone.wait_for_load_state()
    phone.shot("attention")
    names = rows.all_inner_texts()
    assert len(names) == 2
    assert any("Bert B." in n for n in names)
    assert any("Ann S." in n for n in names)

    # search by email, on a laptop-sized screen
    laptop = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale=locale, base_url=live_server.url
    ).new_page()
    _sign_in(laptop, physio)
    laptop.fill("input[name=q]", f"cor.{language}")
    laptop.get_by_role("button", name=text["show"]).click()
    laptop.wait_for_load_state()
    laptop_rows = laptop.locator("table.caseload tbody tr")
    assert laptop_rows.count() == 1
    assert "Cor C." in laptop_rows.first.inner_text()
    width = laptop.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366
    laptop.context.close()
    assert phone.console_errors == []
