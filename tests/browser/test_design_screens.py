"""The design system in a real browser: screenshots of the main pages on a 390 px phone and
a 1280 px laptop, in the light and the dark scheme (artifacts in var/artifacts/screens/),
the runner's tab bar fixed to the bottom of the phone and in the header on the laptop,
every control at least 44 px tall, nothing wider than the phone, no console errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.test import Client

from programs.content.loader import content_load_directory
from rehab.accounts.models import Role
from tests.browser.conftest import assert_fits_phone, runner_waiting_for_approval
from tests.factories import UserFactory

SCREENS = Path(settings.BASE_DIR) / "var" / "artifacts" / "screens"
SIZES = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1280, "height": 800}}

# every control a finger or a pointer aims at; inline links inside text are exempt (WCAG 2.5.8)
_TARGETS = """() => {
  const sel = ".tab, button, .button, select, summary, .subnav a, .brand, .header-extra a, " +
    "input:not([type=hidden]):not([type=checkbox]):not([type=radio])";
  const small = [];
  for (const el of document.querySelectorAll(sel)) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === "hidden") continue;
    if (el.closest(".sg-example")) continue;
    if (box.height < 44 - 0.5 || box.width < 44 - 0.5) {
      small.push(`${el.tagName.toLowerCase()}.${el.className} "${(el.textContent || el.name || "").trim().slice(0, 30)}" ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return small;
}"""

_TABBAR = """() => {
  const bar = document.querySelector("nav.tabbar");
  if (!bar) return null;
  const box = bar.getBoundingClientRect();
  return {position: getComputedStyle(bar).position, top: box.top, bottom: box.bottom,
          height: box.height, inHeader: !!bar.closest("header"),
          current: [...bar.querySelectorAll("[aria-current=page]")].map(a => a.getAttribute("href"))};
}"""


def _sign_in(context, user, base_url: str) -> None:
    client = Client()
    client.force_login(user)
    context.clear_cookies()
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", ["phone", "laptop"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_main_pages_on_phone_and_laptop_in_light_and_dark(
    browser, live_server, settings, size, scheme
):
    content_load_directory()
    physio = UserFactory(role=Role.PHYSIO, email="design.physio@example.com", first_name="Fenna")
    plan = runner_waiting_for_approval(physio, "en")
    runner = plan.runner
    for user in (runner, physio):
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    context = browser.new_context(
        viewport=SIZES[size],
        device_scale_factor=1,
        is_mobile=size == "phone",
        has_touch=size == "phone",
        locale="en-GB",
        timezone_id="Europe/Amsterdam",
        base_url=live_server.url,
        color_scheme=scheme,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.emulate_media(color_scheme=scheme)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    folder = SCREENS / f"{size}-{scheme}"
    folder.mkdir(parents=True, exist_ok=True)

    def visit(name: str, path: str) -> dict | None:
        page.goto(path)
        page.wait_for_load_state()
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (
            scheme == "dark"
        )
        page.screenshot(path=str(folder / f"{name}.png"))  # what the screen shows
        page.screenshot(path=str(folder / f"{name}-full.png"), full_page=True)
        if size == "phone":
            assert_fits_phone(page)
        small = page.evaluate(_TARGETS)
        assert not small, f"{path}: touch targets under 44 px: {small}"
        return page.evaluate(_TABBAR)

    anonymous = {"home": "/", "sign-in": "/accounts/login/", "sign-up": "/accounts/signup/"}
    for name, path in anonymous.items():
        assert visit(name, path) is None  # no tab bar for visitors
    assert page.locator("footer select[name=language]").is_visible()
    settings.DEBUG = True  # the style guide exists only in DEBUG
    visit("styleguide", "/styleguide/")
    assert page.locator("main .tabbar [aria-current=page]").count() == 1
    settings.DEBUG = False

    _sign_in(context, runner, live_server.url)
    runner_pages = {
        "today": ("/week/", "/week/"),
        "plan": ("/plan/changes/", "/plan/changes/"),
        "progress": ("/progress/", "/progress/"),
        "learn": ("/learn/", "/learn/"),
        "me": ("/me/", "/me/"),
        "me-training": ("/me/training/", "/me/"),
    }
    for name, (path, active) in runner_pages.items():
        bar = visit(name, path)
        assert bar is not None, path
        assert bar["current"] == [active], (path, bar)
        if size == "phone":
            assert bar["position"] == "fixed"
            assert abs(bar["bottom"] - SIZES["phone"]["height"]) <= 1, bar
            assert bar["height"] >= 44
        else:
            assert bar["position"] == "static", bar
            assert bar["inHeader"], bar
            assert bar["top"] < 80, bar
    if size == "phone":  # still there after scrolling to the end of a long page
        page.goto("/me/")
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        bar = page.evaluate(_TABBAR)
        assert abs(bar["bottom"] - SIZES["phone"]["height"]) <= 1, bar
        assert page.locator("nav.tabbar").is_visible()
        # the last thing on the page is not hidden behind the bar
        footer = page.locator("footer.site-footer").bounding_box()
        assert footer["y"] + footer["height"] <= bar["top"] + 1

    _sign_in(context, physio, live_server.url)
    for name, path in {"caseload": "/physio/", "runner": f"/physio/runners/{runner.pk}/"}.items():
        bar = visit(f"physio-{name}", path)
        assert bar is not None, path
        assert bar["position"] == "static", bar
        assert bar["inHeader"], bar
    assert not errors, errors
    context.close()
