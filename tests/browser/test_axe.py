"""axe-core on every page of the runner and the physiotherapist, in English and Dutch,
on the pages around them (home, sign-in, sign-up, password, e-mail and two-factor pages,
settings, invitation and unsubscribe landings, the style guide) and on the content
admin's pages, at a 390 px phone viewport: no critical and no serious violation anywhere.

The pages come from the URL configuration (tests/url_walk.py) filled with the objects of
tests/site_cast.py, so a page added later is walked without editing this file; a route
that is not an HTML page (a feed, a PDF, a POST-only action) must be named in EXEMPT with
its reason. Pages that need a state the cast does not have (a runner without a plan, a
due questionnaire) get their own user in `_extra_state`.

axe-core comes from the npm registry, pinned in package.json / package-lock.json and
installed into node_modules/ by `make node` (which `make test` and .ci/run call). It is
injected from that file, never from a CDN. Without it these tests fail, they do not skip.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from programs.logbook.models import Screening
from rehab.accounts.models import CareLink, Role, User
from tests.browser.conftest import _FIT_SCRIPT, PHONE
from tests.factories import UserFactory
from tests.site_cast import (  # noqa: F401  (fixtures)
    content,
    ended_physio,
    make_plan,
    practices,
    screened_runner,
    site_cast,
    world,
)
from tests.url_walk import Route, fill, routes

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# A full-page screenshot of every walked page, per viewport and language: what each page
# looks like on a phone (and on a laptop), kept by CI as artifacts.
SCREENS = Path(settings.BASE_DIR) / "var" / "artifacts" / "screens" / "walk"
LAPTOP = {"width": 1280, "height": 800}
FAILING_IMPACTS = {"critical", "serious"}
LANGUAGES = ("en", "nl")

# Routes of the walked namespaces that are not an HTML page to check, with the reason.
EXEMPT = {
    "runner:calendar": "iCalendar feed (.ics), not HTML",
    "runner:plan_pdf": "PDF download, not HTML (its HTML twin runner:plan_print is walked)",
    "physio:plan_pdf": "PDF download, not HTML (its HTML twin physio:plan_print is walked)",
    "runner:plan_resume": "POST-only action; redirects to the week page, which is walked",
    "runner:calendar_reset": "POST-only action; redirects to the training settings (walked)",
    "physio:invite": "POST-only action from the caseload page, which is walked",
    "physio:colleague_invite": "POST-only action from the caseload page, which is walked",
    "physio:invitation_withdraw": "POST-only action from the caseload page, which is walked",
    "physio:policy": "POST-only action from the runner page, which is walked",
    "physio:status": "POST-only action from the runner page, which is walked",
    "physio:undo": "POST-only action from the runner page, which is walked",
    "physio:referral_clear": "POST-only action from the runner page, which is walked",
    "physio:decisions_bulk": "POST-only action from the runner page, which is walked",
    "physio:decide": "POST-only action from the runner page, which is walked",
    "physio:editor_step": "POST-only step of the plan editor; the editor page is walked",
    "runner:week_offline": "JSON list of this week's pages for the service worker, not HTML",
    "runner:setup": "redirects to the first unanswered step (runner:setup_step, walked)",
    "runner:run_import": "POST-only upload from the run-log page (runner:run_new, walked)",
    "runner:run_delete": "POST-only action from the run's page (runner:run_edit, walked)",
    "runner:run_answers": "asks pain for imported runs; with none waiting it redirects to the "
    "run history (runner:runs, walked); tests/browser/test_run_import.py covers it filled",
}
# The pages outside the runner's and the physio's namespaces (accounts, settings, landings):
# who opens each. "physio_mfa" is a physiotherapist with an authenticator app set up.
ACCOUNT_PAGES = {
    "home": "anonymous",
    "invitation": "anonymous",
    "reminder_unsubscribe": "anonymous",
    "account_login": "anonymous",
    "account_signup": "anonymous",
    "account_inactive": "anonymous",
    "account_email_verification_sent": "anonymous",
    "account_confirm_email": "anonymous",
    "account_reset_password": "anonymous",
    "account_reset_password_done": "anonymous",
    "account_reset_password_from_key": "anonymous",
    "account_reset_password_from_key_done": "anonymous",
    "settings": "runner",
    "reminder_channels": "runner",
    "erase_account": "runner",
    "account_logout": "runner",
    "account_email": "runner",
    "account_change_password": "runner",
    "account_reauthenticate": "runner",
    "mfa_index": "physio",
    "mfa_activate_totp": "physio",
    "mfa_reauthenticate": "physio_mfa",
    "mfa_deactivate_totp": "physio_mfa",
    "mfa_view_recovery_codes": "physio_mfa",
    "mfa_generate_recovery_codes": "physio_mfa",
}
# allauth answers a reset link by moving its key into the session and redirecting to a
# page without it: the walk opens the link and checks the page it lands on.
LANDS_ELSEWHERE = {"account_reset_password_from_key"}
ACCOUNT_EXEMPT = {
    "healthz": "JSON health check for the load balancer",
    "metrics": "Prometheus text for the scraper",
    "manifest": "web app manifest (JSON)",
    "service_worker": "JavaScript",
    "set_language": "POST-only action of the language switcher (on every walked page)",
    "settings_moved": "redirects to /me/ (walked)",
    "settings_moved_rest": "redirects to /me/ (walked)",
    "carelink_end": "POST-only action from the settings page (walked)",
    "device_revoke": "POST-only action from the settings page (walked)",
    "sign_out_everywhere": "POST-only action from the settings page (walked)",
    "data_export": "JSON or CSV download",
    "account_set_password": "for accounts without a password; every account here has one, "
    "so allauth redirects to the change-password page (walked)",
    "account_confirm_login_code": "sign-in by emailed code is switched off",
    "mfa_authenticate": "reached only in the middle of a sign-in; "
    "tests/rehab/accounts/test_physio_mfa.py signs in through it",
    "mfa_download_recovery_codes": "a text file of the recovery codes",
    "content:figure": "SVG image (the exercise figure)",
    "styleguide": "only while DEBUG is on (404 otherwise); its components are on the walked pages",
}
ACCOUNT_SKIPPED_PREFIXES = ("/admin/", "/api/", "/anymail/")

# Content admin pages that are Django's own, not ours: not part of this walk.
ADMIN_STOCK_SUFFIXES = {
    "history/": "Django's stock object history page, not customised",
    "delete/": "Django's stock delete confirmation, not customised",
    "figure-preview/": "the figure editor's preview endpoint (SVG or problems for its script)",
}


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    user: User | None  # None: signed out
    lands_on: str | None = None  # the page a redirecting link lands on, when it redirects


def _walked_routes() -> tuple[list[Route], list[Route]]:
    """(runner and physio routes, content admin routes) that the axe walk visits."""
    surface, admin = [], []
    for route in routes():
        if route.name.startswith(("runner:", "physio:")):
            if route.name not in EXEMPT:
                surface.append(route)
        elif route.route.startswith("/admin/content/"):
            if not route.name:
                continue  # /<object_id>/ only redirects to the change form (walked)
            if not any(route.route.endswith(suffix) for suffix in ADMIN_STOCK_SUFFIXES):
                admin.append(route)
    return surface, admin


def _account_routes() -> list[Route]:
    """The routes outside the walked namespaces, the API, the admin and the mail webhooks."""
    return [
        route
        for route in routes()
        if not route.name.startswith(("runner:", "physio:", "v1:", "anymail:"))
        and not route.route.startswith(ACCOUNT_SKIPPED_PREFIXES)
    ]


def _account_pages(cast) -> list[Page]:
    from tests.rehab.accounts.test_physio_mfa import enable_totp

    guarded = UserFactory(
        email="axe.guarded@example.com",
        first_name="Gus",
        role=Role.PHYSIO,
        password="a-Long-pass-9",
    )
    enable_totp(guarded)
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    RecoveryCodes.activate(guarded)
    # A reset link stops working once its user signs in (the key hashes the last sign-in):
    # the link belongs to a runner whom the walk never signs in.
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    forgetful = UserFactory(email="axe.forgetful@example.com", first_name="Flo")
    reset_key = {
        "uidb36": user_pk_to_url_str(forgetful),
        "key": default_token_generator.make_token(forgetful),
    }

    def value_for(route: Route, param: str, converter: str) -> str | None:
        if route.name == "account_reset_password_from_key":
            return reset_key[param]
        return cast.value_for(route, param, converter)

    users = {"anonymous": None, "runner": cast.runner, "physio": cast.physio, "physio_mfa": guarded}
    pages = []
    for route in _account_routes():
        if route.name not in ACCOUNT_PAGES:
            continue
        path = fill(route, value_for)
        lands_on = None
        if route.name in LANDS_ELSEWHERE:
            answer = Client().get(path)
            assert answer.status_code == 302, f"{path} answered {answer.status_code}"
            lands_on = answer["Location"]
        pages.append(Page(route.name, path, users[ACCOUNT_PAGES[route.name]], lands_on))
    return pages


def _extra_state(cast, make_plan):  # noqa: F811
    """Users for the pages whose state the cast's runner does not have."""
    from tests.api.conftest import NOW

    newcomer = UserFactory(email="axe.newcomer@example.com", first_name="Noa")
    Screening.objects.create(
        runner=newcomer, answers={}, outcome="ok", condition="gluteal_tendinopathy", baseline_pain=3
    )
    CareLink.objects.create(
        physio=cast.physio,
        runner=newcomer,
        status=CareLink.Status.ACTIVE,
        consent_given_at=newcomer.date_joined,
    )
    veteran = UserFactory(email="axe.veteran@example.com", first_name="Vera")
    Screening.objects.create(
        runner=veteran, answers={}, outcome="ok", condition="gluteal_tendinopathy", baseline_pain=3
    )
    # Five weeks into the plan: the week-4 follow-up questionnaire is due.
    make_plan(runner=veteran, start_date=NOW.date() - dt.timedelta(days=35))
    # Every set-up step answered: the review page shows week 1 before confirming.
    from programs.logbook.services import setup_draft_save
    from programs.runner.forms import SETUP_PAGES
    from tests.programs.runner.pages_support import setup_data, setup_page_data

    reviewer = UserFactory(email="axe.reviewer@example.com", first_name="Rik")
    Screening.objects.create(
        runner=reviewer, answers={}, outcome="ok", condition="gluteal_tendinopathy", baseline_pain=3
    )
    answers = setup_data(start_date=(NOW.date() + dt.timedelta(days=1)).isoformat())
    for setup_page in SETUP_PAGES:
        setup_draft_save(
            runner=reviewer, step=setup_page.key, answers=setup_page_data(setup_page.key, answers)
        )
    return {
        # name: (user, {param: value})
        "runner:setup_step": (newcomer, {"key": "programme"}),  # screened, without a plan
        "runner:setup_review": (reviewer, {}),
        "physio:plan_start": (cast.physio, {"runner_id": str(newcomer.pk)}),
        "runner:follow_up": (veteran, {}),
    }


def _pages(cast, make_plan) -> tuple[list[Page], list[Page]]:  # noqa: F811
    extra = _extra_state(cast, make_plan)
    surface_routes, admin_routes = _walked_routes()

    def page(route: Route, default_user) -> Page:
        user, values = extra.get(route.name, (default_user, {}))

        def value_for(route: Route, param: str, converter: str) -> str | None:
            return values.get(param) or cast.value_for(route, param, converter)

        return Page(route.name, fill(route, value_for), user)

    surface = [
        page(route, cast.runner if route.name.startswith("runner:") else cast.physio)
        for route in surface_routes
    ]
    admin = [Page("admin:index", "/admin/", cast.staff)]
    admin += [page(route, cast.staff) for route in admin_routes]
    return surface, admin


def _just_typed_password(client: Client, user) -> None:
    """Record in the client's session, as allauth does at sign-in, that `user` has just
    typed their password: the two-factor pages ask for that (reauthentication)."""
    from allauth.account.internal.flows.login import record_authentication
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.session = client.session
    record_authentication(request, user, "password", email=user.email, reauthenticated=True)
    request.session.save()


def _not_a_page(user, path: str, lands_on: str | None = None, *, fresh=False) -> str | None:
    client = Client()
    if user is not None:
        client.force_login(user)
        if fresh:
            _just_typed_password(client, user)
    response = client.get(path)
    if lands_on and response.status_code == 302 and response["Location"] == lands_on:
        response = client.get(lands_on)
    kind = response.get("Content-Type", "")
    if response.status_code != 200 or not kind.startswith("text/html"):
        return f"{response.status_code} {kind} {response.get('Location', '')}".strip()
    return None


@pytest.mark.django_db
def test_every_runner_and_physio_route_is_walked_or_exempt(site_cast, make_plan):  # noqa: F811
    known = {route.name for route in routes()}
    assert not set(EXEMPT) - known, "EXEMPT names routes that no longer exist"
    surface, admin = _pages(site_cast, make_plan)
    assert len(surface) >= 20
    assert len(admin) >= 25
    # Every walked route answers its user with an HTML page of its own (no redirect, no
    # error): a new JSON/PDF/POST-only route fails here until it is exempted with a reason.
    wrong = {p.path: answer for p in surface + admin if (answer := _not_a_page(p.user, p.path))}
    accounts = _account_pages(site_cast)
    wrong |= {
        p.path: answer
        for p in accounts
        if (answer := _not_a_page(p.user, p.path, p.lands_on, fresh=True))
    }
    assert not wrong, (
        "these routes are not HTML pages the axe walk can check: give the page the state it "
        f"needs in _extra_state, or name the route in EXEMPT with the reason: {wrong}"
    )


@pytest.mark.django_db
def test_every_page_around_the_surfaces_is_walked_or_exempt(site_cast):  # noqa: F811
    names = {route.name for route in _account_routes()}
    both = set(ACCOUNT_PAGES) & set(ACCOUNT_EXEMPT)
    assert not both, f"both walked and exempt: {both}"
    assert not (set(ACCOUNT_PAGES) | set(ACCOUNT_EXEMPT)) - names, "names no longer routed"
    unplaced = names - set(ACCOUNT_PAGES) - set(ACCOUNT_EXEMPT)
    assert not unplaced, (
        f"new pages {sorted(unplaced)}: walk them (ACCOUNT_PAGES, with who opens them) or "
        "exempt them (ACCOUNT_EXEMPT, with the reason)"
    )
    pages = _account_pages(site_cast)
    assert {p.name for p in pages} == set(ACCOUNT_PAGES)
    assert {None, site_cast.runner, site_cast.physio} <= {p.user for p in pages}


def _browser_page(request, live_server, *, phone: bool):
    # Checked before the browser fixture, which skips when Chromium is missing: a missing
    # axe-core is a failure, never a skip.
    if not AXE.exists():
        pytest.fail(
            f"axe-core is missing ({AXE}): run `make node` (npm ci from package-lock.json; "
            "needs Node.js and npm)",
            pytrace=False,
        )
    browser = request.getfixturevalue("browser")
    context = browser.new_context(
        viewport=PHONE if phone else LAPTOP,
        is_mobile=phone,
        has_touch=phone,
        timezone_id="Europe/Amsterdam",
        base_url=live_server.url,
        bypass_csp=True,  # the injected axe script is inline as far as the page can tell
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.live_url = live_server.url
    return context, page


@pytest.fixture
def axe_page(request, live_server):
    context, page = _browser_page(request, live_server, phone=True)
    yield page
    context.close()


@pytest.fixture
def laptop_page(request, live_server):
    context, page = _browser_page(request, live_server, phone=False)
    yield page
    context.close()


def _sign_in(page, user, *, fresh: bool = False) -> None:
    """Sign the browser in as `user`; `fresh`: as if they had just typed their password,
    which the two-factor pages ask for (allauth's reauthentication)."""
    client = Client()
    client.force_login(user)
    if fresh:
        _just_typed_password(client, user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": page.live_url,
            }
        ]
    )


_RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html.slice(0, 200),
                                summary: n.failureSummary})),
  }));
}"""


def _sign_out(page, language: str) -> None:
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": page.live_url}]
    )


def _axe(page, path: str, clock: dict[str, float], lands_on: str | None = None) -> list[dict]:
    started = time.perf_counter()
    response = page.goto(path)
    clock["load"] += time.perf_counter() - started
    assert response is not None, path
    assert response.status == 200, f"{path}: {response.status}"
    expected = lands_on or path
    assert page.url.removeprefix(page.live_url) == expected, f"{path} redirected to {page.url}"
    started = time.perf_counter()
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(_RUN_AXE)
    clock["axe"] += time.perf_counter() - started
    return violations


def _screen(page, p: Page, language: str) -> str | None:
    """Save the page's full-page screenshot; what is wider than the screen, if anything."""
    width = page.viewport_size["width"]
    folder = SCREENS / f"{width}px"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{language}-{p.name.replace(':', '-')}.png"), full_page=True)
    found = page.evaluate(_FIT_SCRIPT, width)
    if found["scrollWidth"] > found["width"] or found["wide"]:
        return f"{found['scrollWidth']} px wide: {found['wide']}"
    return None


def _walk(
    page, pages: list[Page], languages, *, fresh: bool = False
) -> tuple[int, dict[str, list[dict]]]:
    """Run axe on every page in every language, screenshot it and check that it fits the
    screen; (pages walked, failing violations or overflows by page)."""
    walked, failing = 0, {}
    clock = {"load": 0.0, "axe": 0.0}
    for language in languages:
        signed_in: int | None = -1
        for p in sorted(pages, key=lambda p: p.user.pk if p.user else 0):
            if p.user is None:
                _sign_out(page, language)  # every time: a page may sign in or set cookies
                signed_in = -1
            elif signed_in != p.user.pk:
                User.objects.filter(pk=p.user.pk).update(language=language)
                _sign_in(page, p.user, fresh=fresh)
                signed_in = p.user.pk
            found = _axe(page, p.path, clock, p.lands_on)
            violations = [v for v in found if v["impact"] in FAILING_IMPACTS]
            wide = _screen(page, p, language)
            if wide:
                violations.append(
                    {
                        "id": "wider-than-the-screen",
                        "impact": "serious",
                        "help": wide,
                        "helpUrl": "",
                        "nodes": [],
                    }
                )
            walked += 1
            if violations:
                failing[f"[{language}] {p.path} ({p.name})"] = violations
    # Shown with -s: where the walk's time goes (loading the pages, or axe itself).
    print(f"axe walk: {walked} pages, {clock['load']:.1f} s loading, {clock['axe']:.1f} s in axe")
    return walked, failing


def _report(failing: dict[str, list[dict]]) -> str:
    lines = []
    for where, violations in failing.items():
        lines.append(where)
        for v in violations:
            lines.append(f"  {v['impact']} {v['id']}: {v['help']} ({v['helpUrl']})")
            for node in v["nodes"][:5]:
                lines.append(f"    {node['target']}: {node['html']}")
                summary = (node["summary"] or "").replace("\n", " ")
                lines.append(f"      {summary[:300]}")
            if len(v["nodes"]) > 5:
                lines.append(f"    ... and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


def _summary(failing) -> str:
    return json.dumps({where: sorted({v["id"] for v in vs}) for where, vs in failing.items()})


@pytest.mark.django_db(transaction=True)
def test_runner_and_physio_pages_have_no_serious_axe_violations(axe_page, site_cast, make_plan):  # noqa: F811
    surface, _admin = _pages(site_cast, make_plan)
    assert {p.user.role for p in surface} == {Role.RUNNER, Role.PHYSIO}

    walked, failing = _walk(axe_page, surface, LANGUAGES)

    assert walked == len(surface) * len(LANGUAGES)
    assert not failing, f"{_summary(failing)}\n{_report(failing)}"


@pytest.mark.django_db(transaction=True)
def test_account_and_landing_pages_have_no_serious_axe_violations(axe_page, site_cast):  # noqa: F811
    pages = _account_pages(site_cast)

    walked, failing = _walk(axe_page, pages, LANGUAGES, fresh=True)

    assert walked == len(pages) * len(LANGUAGES)
    assert not failing, f"{_summary(failing)}\n{_report(failing)}"


@pytest.mark.django_db(transaction=True)
def test_every_page_on_a_laptop_fits_and_has_no_serious_axe_violations(
    laptop_page,
    site_cast,  # noqa: F811
    make_plan,  # noqa: F811
):
    surface, _admin = _pages(site_cast, make_plan)
    pages = surface + _account_pages(site_cast)

    walked, failing = _walk(laptop_page, pages, ("en",), fresh=True)

    assert walked == len(pages)
    shots = {path.name for path in (SCREENS / f"{LAPTOP['width']}px").glob("en-*.png")}
    assert {f"en-{p.name.replace(':', '-')}.png" for p in pages} <= shots
    assert not failing, f"{_summary(failing)}\n{_report(failing)}"


@pytest.mark.django_db(transaction=True)
def test_content_admin_pages_have_no_serious_axe_violations(axe_page, site_cast, make_plan):  # noqa: F811
    _surface, admin = _pages(site_cast, make_plan)

    walked, failing = _walk(axe_page, admin, LANGUAGES)

    assert walked == len(admin) * len(LANGUAGES)
    assert not failing, f"{_summary(failing)}\n{_report(failing)}"
