"""A physiotherapist signs in, sees the caseload, opens a runner whose changes wait for
approval, and approves one, in English and Dutch, with no console errors."""

import datetime as dt

import pytest
from allauth.account.models import EmailAddress

from programs.exercises.content_loader import content_load_directory
from programs.logbook.models import Screening
from programs.plans.models import ProgramTemplate
from programs.plans.plan_models import Decision
from programs.plans.services import plan_generate, progression_evaluate
from programs.plans.specs import Policy
from rehab.accounts.models import CareLink, Role
from rehab.core.timeutils import local_today
from tests.factories import UserFactory
from tests.programs.conftest import runner_context
from tests.programs.plans.test_plan_services import log_week_green, week_window

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


def runner_waiting_for_approval(physio, language):
    """A linked runner whose first, finished week produced changes that wait for the physio."""
    runner = UserFactory(
        email=f"robin.{language}@example.com", first_name="Robin", last_name="Runner"
    )
    CareLink.objects.create(
        physio=physio,
        runner=runner,
        status=CareLink.Status.ACTIVE,
        consent_given_at=runner.date_joined,
    )
    Screening.objects.create(
        runner=runner, answers={}, outcome="ok", condition="gluteal_tendinopathy", baseline_pain=3
    )
    start = local_today(runner.timezone) - dt.timedelta(days=14)  # week 1 is over
    plan = plan_generate(
        runner=runner,
        template=ProgramTemplate.objects.get(slug="gluteal-tendinopathy"),
        context=runner_context(start_date=start),
        policy=Policy(require_approval=True),
        weeks=12,
    )
    log_week_green(plan, 1)
    progression_evaluate(plan=plan, window=week_window(plan, 1))
    return plan


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
    phone.fill("input[name=login]", physio.email)
    phone.fill("input[name=password]", PASSWORD)
    phone.locator("main form button[type=submit]").last.click()
    phone.wait_for_load_state()
    assert phone.url.endswith("/physio/")
    assert phone.locator("h1").inner_text() == text["caseload"]
    phone.shot("caseload")

    phone.locator("table.caseload a", has_text="Robin Runner").click()
    phone.wait_for_load_state()
    phone.shot("runner")
    phone.get_by_role("button", name=text["approve"]).first.click()
    phone.wait_for_load_state()
    phone.shot("approved")

    assert text["applied"] in phone.locator(".messages").inner_text()
    assert plan.decisions.filter(status=Decision.Status.PENDING).count() == waiting - 1
    assert plan.decisions.filter(status=Decision.Status.APPLIED).count() == 1
    assert phone.console_errors == []
