"""axe-core on every page of the runner and the physiotherapist, in English and Dutch,
and on the content admin's pages, at a 390 px phone viewport: no critical and no serious
violation anywhere.

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
from tests.browser.conftest import PHONE
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
    user: User


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


def _not_a_page(user, path: str) -> str | None:
    client = Client()
    client.force_login(user)
    response = client.get(path)
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
    assert not wrong, (
        "these routes are not HTML pages the axe walk can check: give the page the state it "
        f"needs in _extra_state, or name the route in EXEMPT with the reason: {wrong}"
    )


@pytest.fixture
def axe_page(request, live_server):
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
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        timezone_id="Europe/Amsterdam",
        base_url=live_server.url,
        bypass_csp=True,  # the injected axe script is inline as far as the page can tell
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.live_url = live_server.url
    yield page
    context.close()


def _sign_in(page, user) -> None:
    client = Client()
    client.force_login(user)
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


def _axe(page, path: str, clock: dict[str, float]) -> list[dict]:
    started = time.perf_counter()
    response = page.goto(path)
    clock["load"] += time.perf_counter() - started
    assert response is not None, path
    assert response.status == 200, f"{path}: {response.status}"
    assert page.url.removeprefix(page.live_url) == path, f"{path} redirected to {page.url}"
    started = time.perf_counter()
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(_RUN_AXE)
    clock["axe"] += time.perf_counter() - started
    return violations


def _walk(page, pages: list[Page], languages) -> tuple[int, dict[str, list[dict]]]:
    """Run axe on every page in every language; (pages walked, failing violations by page)."""
    walked, failing = 0, {}
    clock = {"load": 0.0, "axe": 0.0}
    for language in languages:
        signed_in = None
        for p in sorted(pages, key=lambda p: p.user.pk):
            if signed_in != p.user.pk:
                User.objects.filter(pk=p.user.pk).update(language=language)
                _sign_in(page, p.user)
                signed_in = p.user.pk
            found = _axe(page, p.path, clock)
            violations = [v for v in found if v["impact"] in FAILING_IMPACTS]
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
def test_content_admin_pages_have_no_serious_axe_violations(axe_page, site_cast, make_plan):  # noqa: F811
    _surface, admin = _pages(site_cast, make_plan)

    walked, failing = _walk(axe_page, admin, LANGUAGES)

    assert walked == len(admin) * len(LANGUAGES)
    assert not failing, f"{_summary(failing)}\n{_report(failing)}"
