"""Browser tests: Playwright driving Debian's Chromium against the live test server.

Screenshots of each step land in test-artifacts/screens/<test name>/.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from django.core import mail

from programs.content.models import ProgramTemplate
from programs.engine.specs import Policy
from programs.logbook.models import Screening
from programs.logbook.services import plan_start
from programs.plans.services.recording import progression_evaluate
from rehab.accounts.models import CareLink
from rehab.core.timeutils import local_today
from tests.factories import UserFactory
from tests.programs.conftest import log_week_green, runner_context, week_window

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens"
PHONE = {"width": 390, "height": 844}


class _RequestsInFlight:
    """The live server's WSGI application, counting the requests it is serving.

    A page left behind by a test may still be talking to the server (the service worker
    keeps this week's session pages, and a form page writes its submission token) after
    the browser context is closed. On SQLite in memory the server thread shares the test's
    connection, so a write landing inside the database flush that ends the test fails it
    with a foreign key error. The test waits for the server to be idle first.
    """

    def __init__(self, app):
        self.app = app
        self.busy = 0
        self.changed = threading.Condition()

    def __call__(self, environ, start_response):
        with self.changed:
            self.busy += 1
        try:
            return self.app(environ, start_response)
        finally:
            with self.changed:
                self.busy -= 1
                self.changed.notify_all()

    def wait_idle(self, timeout: float = 30.0) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: self.busy == 0, timeout=timeout)


@pytest.fixture(autouse=True)
def _live_server_idle_at_teardown(request):
    """After the test's pages are closed, wait for the live server to answer what they
    had already sent, before the database is emptied."""
    if "live_server" not in request.fixturenames:
        yield
        return
    server = request.getfixturevalue("live_server").thread.httpd
    counting = server.get_app()
    if not isinstance(counting, _RequestsInFlight):
        counting = _RequestsInFlight(counting)
        server.set_app(counting)
    yield
    assert counting.wait_idle(), "the live server was still serving a request after 30 s"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by
    # the test itself are synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(browser, live_server, request):
    """A phone-sized page; `phone.shot("step")` saves a screenshot artifact and asserts
    that nothing on the page is wider than the phone (assert_fits_phone)."""
    locale = getattr(request, "param", "en-GB")
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale=locale,
        timezone_id="Europe/Amsterdam",
        base_url=live_server.url,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    counter = {"n": 0}

    def shot(step: str) -> None:
        """Save a screenshot of the page and check that it fits the phone."""
        counter["n"] += 1
        page.screenshot(path=str(folder / f"{counter['n']:02d}-{step}.png"), full_page=True)
        assert_fits_phone(page)

    page.shot = shot
    page.console_errors = errors
    yield page
    context.close()


# Everything must fit a 390 px phone: no sideways scrolling of the page, and no visible
# element reaching past the right edge (an element inside its own scroll container, such
# as a wide table in .table-scroll, is that container's business, not the page's).
_FIT_SCRIPT = """(screen) => {
  // A mobile browser widens its layout viewport to fit wide content, so the phone's
  // screen width is the measure, not only window.innerWidth.
  const width = Math.min(window.innerWidth, screen);
  const inScroller = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const overflow = getComputedStyle(a).overflowX;
      if (overflow === "auto" || overflow === "scroll") return true;
    }
    return false;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (el.className && typeof el.className === "string"
       ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (getComputedStyle(el).visibility === "hidden") continue;
    const right = box.right + window.scrollX;
    if (right > width + 0.5 && !inScroller(el)) {
      wide.push(name(el) + " right edge at " + Math.round(right) + " px");
    }
  }
  return {width, scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 10)};
}"""


def assert_fits_phone(page) -> None:
    """Nothing on the page is wider than the viewport (call it on every page visited)."""
    found = page.evaluate(_FIT_SCRIPT, page.viewport_size["width"])
    where = page.url
    assert found["scrollWidth"] <= found["width"], (
        f"{where}: the page is {found['scrollWidth']} px wide on a {found['width']} px "
        f"screen: {found['wide']}"
    )
    assert not found["wide"], f"{where}: wider than the {found['width']} px screen: {found['wide']}"


def sign_up(phone, email, language):
    phone.goto("/accounts/signup/")
    phone.shot("signup")
    assert phone.locator("input[name=timezone]").input_value() == "Europe/Amsterdam"
    phone.fill("input[name=email]", email)
    phone.fill("input[name=password1]", "a-long-enough-password")
    phone.fill("input[name=password2]", "a-long-enough-password")
    phone.select_option("main select[name=language]", language)
    phone.check("input[name=health_data_consent]")
    phone.locator("main form button[type=submit]").last.click()
    phone.wait_for_load_state()
    phone.shot("verify-email-sent")


def verify_email(phone, email):
    message = next(m for m in mail.outbox if email in m.to and "confirm-email" in m.body)
    path = re.search(r"https?://[^/]+(/accounts/confirm-email/[^\s]+)", message.body).group(1)
    phone.goto(path)
    phone.shot("confirm-email")
    phone.locator("main form button[type=submit]").click()
    phone.wait_for_load_state()
    phone.shot("email-confirmed")


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
    plan = plan_start(
        runner=runner,
        template=ProgramTemplate.objects.get(slug="gluteal-tendinopathy"),
        context=runner_context(start_date=start),
        policy=Policy(require_approval=True),
        weeks=12,
    )
    log_week_green(plan, 1)
    progression_evaluate(plan=plan, window=week_window(plan, 1))
    return plan


def wizard_next(phone) -> None:
    """Press the set-up step's submit button and wait for the next page."""
    with phone.expect_navigation():
        phone.locator("main form.wizard-form button[type=submit]").click()
    phone.wait_for_load_state()


def set_up_plan_in_steps(phone, *, shots: bool = True) -> None:
    """Set a plan up through its steps from the page that links to the set-up: the
    suggested programme and today, not running, LEFS all 3, one PSFS activity, every
    weekday, a mat, the suggested reminders; the review, then "Make my plan"."""
    shot = phone.shot if shots else assert_fits_phone_of(phone)
    with phone.expect_navigation():
        phone.locator("main a[href='/plan/setup/']").first.click()
    phone.wait_for_load_state()
    assert phone.url.endswith("/plan/setup/programme/")
    shot("setup-programme")
    wizard_next(phone)
    shot("setup-running")
    wizard_next(phone)
    for part in range(4):
        for i in range(part * 5 + 1, part * 5 + 6):
            phone.locator(f"#q-lefs_{i} input[value='3']").check()
        shot(f"setup-questionnaire-{part + 1}")
        wizard_next(phone)
    phone.fill("input[name=psfs_activity_1]", "5 km")
    phone.fill("input[name=psfs_score_1]", "4")
    shot("setup-activities")
    wizard_next(phone)
    for day in range(7):
        phone.locator(f"#q-weekdays input[value='{day}']").check()
    shot("setup-days")
    wizard_next(phone)
    phone.locator("#q-equipment input[value=mat]").check()
    shot("setup-equipment")
    wizard_next(phone)
    shot("setup-reminders")
    wizard_next(phone)
    assert phone.url.endswith("/plan/setup/review/")
    assert phone.locator(".wizard-day").count() >= 1
    shot("setup-review")
    wizard_next(phone)


def assert_fits_phone_of(phone):
    return lambda _step: assert_fits_phone(phone)
