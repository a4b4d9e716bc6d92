"""A physiotherapist signs in, sees the caseload, opens a runner whose changes wait for
approval, and approves one, in English and Dutch, with no console errors. Every page is
checked to fit the 390 px phone (phone.shot -> assert_fits_phone)."""

import pytest
from allauth.account.models import EmailAddress

from programs.content.loader import content_load_directory
from programs.plans.models import Decision
from rehab.accounts.models import Role
from tests.browser.conftest import runner_waiting_for_approval
from tests.factories import UserFactory

TEXT = {
    "en-GB": {
        "caseload": "Your caseload",
        "approve": "Approve",
        "applied": "The change is applied.",
    },
    "nl-NL": {
        "caseload": "Je caseload",
        "approve": "Goedkeuren",
        "applied": "De wijziging is doorgevoerd.",
    },
}
PASSWORD = "correct-horse-battery"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("phone", ["en-GB", "nl-NL"], indirect=True)
def test_physio_reviews_the_caseload_and_approves_a_change(phone, request):
    locale = request.node.callspec.params["phone"]
    language = locale[:2]
    text = TEXT[locale]
    content_load_directory()
    physio = UserFactory(
        role=Role.PHYSIO,
        email=f"fenna.{language}@example.com",
        first_name="Fenna",
        last_name="Fysio",
        language=language,
    )
    EmailAddress.objects.create(user=physio, email=physio.email, verified=True, primary=True)
    plan = runner_waiting_for_approval(physio, language)
    waiting = plan.decisions.filter(status=Decision.Status.PENDING).count()
    assert waiting

    phone.goto("/accounts/login/")
    phone.shot("login")
    phone.fill("input[name=login]", physio.email)
    phone.fill("input[name=password]", PASSWORD)
    phone.locator("main form button[type=submit]").last.click()
    phone.wait_for_load_state()
    assert phone.url.endswith("/physio/")
    assert phone.locator("h1").inner_text() == text["caseload"]
    phone.shot("caseload")

    phone.locator("table.caseload a", has_text="Robin R.").click()
    phone.wait_for_load_state()
    phone.shot("runner")
    phone.get_by_role("button", name=text["approve"]).first.click()
    phone.wait_for_load_state()
    phone.shot("approved")

    assert text["applied"] in phone.locator(".messages").inner_text()
    assert plan.decisions.filter(status=Decision.Status.PENDING).count() == waiting - 1
    assert plan.decisions.filter(status=Decision.Status.APPLIED).count() == 1
    assert phone.console_errors == []
