"""The Content-Security-Policy allows no inline style; no page of the product needs one.

Chromium reports every blocked style or script as a `securitypolicyviolation` event. A
listener installed before any page script collects them on the runner's and the
physiotherapist's main pages, the admin and the Swagger UI, which must still work.
"""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.test import Client

from programs.content.loader import content_load_directory
from programs.logbook.models import FlareUp, MorningCheckin
from programs.plans.models import PlanSession
from rehab.accounts.models import Role
from tests.browser.conftest import runner_waiting_for_approval
from tests.factories import UserFactory

COLLECT = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(
    `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


def sign_in(page, user, base_url: str) -> None:
    """Start the browser on the user's own session (made by Django's test client)."""
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )


def violations_on(page, path: str, *, ready: str = "main") -> list[str]:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    page.locator(ready).first.wait_for()
    return page.evaluate("window.__violations")


@pytest.mark.django_db(transaction=True)
def test_main_pages_raise_no_csp_violations(phone, live_server):
    content_load_directory()
    physio = UserFactory(role=Role.PHYSIO, email="csp.physio@example.com", first_name="Fenna")
    plan = runner_waiting_for_approval(physio, "en")
    runner = plan.runner
    staff = UserFactory(
        role=Role.PHYSIO, email="csp.admin@example.com", is_staff=True, is_superuser=True
    )
    for user in (runner, physio, staff):
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    session = PlanSession.objects.filter(plan=plan).order_by("date").first()
    MorningCheckin.objects.create(runner=runner, date=plan.start_date, pain=2)
    flare = FlareUp.objects.create(runner=runner, date=plan.start_date)
    phone.add_init_script(COLLECT)

    pages = {
        None: ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"],
        runner: [
            "/week/",
            f"/sessions/{session.pk}/",
            "/checkin/",
            "/runs/new/",
            "/progress/",
            "/plan/changes/",
            f"/flare-up/{flare.pk}/",
            "/screening/",
            "/me/",
            "/me/training/",
            "/accounts/email/",
            "/accounts/password/change/",
        ],
        physio: ["/physio/", f"/physio/runners/{runner.pk}/", "/me/", "/accounts/2fa/"],
        staff: [
            ("/admin/", "#content"),
            ("/admin/accounts/user/", "#changelist"),
            (f"/admin/accounts/user/{runner.pk}/change/", "#user_form"),
            ("/admin/content/programtemplate/", "#changelist"),
            ("/api/docs/", ".swagger-ui .opblock"),  # the UI built the operations list
        ],
    }
    found = {}
    for user, paths in pages.items():
        if user is None:
            phone.context.clear_cookies()
        else:
            sign_in(phone, user, live_server.url)
        for entry in paths:
            path, ready = entry if isinstance(entry, tuple) else (entry, "main")
            seen = violations_on(phone, path, ready=ready)
            if seen:
                found[f"{user.email if user else 'anonymous'} {path}"] = seen
        phone.shot(user.email.split("@")[0] if user else "anonymous")

    assert not found, found
    assert [e for e in phone.console_errors if "Content Security Policy" in e] == []
