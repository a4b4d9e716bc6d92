"""The design system and the navigation: titles, the tab bar, the Me area, the style
guide, the manifest and icons, and the contrast of the colour tokens."""

from __future__ import annotations

import html
import json
import re
import struct
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from tests.site_cast import (  # noqa: F401  (fixtures)
    content,
    ended_physio,
    make_plan,
    practices,
    screened_runner,
    site_cast,
    world,
)
from tests.url_walk import fill, routes

BASE = Path(settings.BASE_DIR)
CSS = (BASE / "static" / "css" / "app.css").read_text()
TITLE = re.compile(r"<title>(.*?)</title>", re.S)

# --- contrast of the colour tokens (WCAG 2.1 relative luminance) ---------------------------


def _tokens(block: str) -> dict[str, str]:
    return dict(re.findall(r"(--color-[\w-]+):\s*(#[0-9a-fA-F]{6})\s*;", block))


def _schemes() -> dict[str, dict[str, str]]:
    light_block = re.search(r"^:root\s*\{(.*?)^\}", CSS, re.S | re.M)[1]
    dark_block = re.search(
        r"@media \(prefers-color-scheme: dark\)\s*\{\s*:root\s*\{(.*?)\}", CSS, re.S
    )[1]
    light = _tokens(light_block)
    return {"light": light, "dark": {**light, **_tokens(dark_block)}}


def _luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# (foreground, background) token pairs the CSS puts together for text
TEXT_PAIRS = [
    (fg, bg)
    for fg in ("text", "muted", "link", "primary", "success", "warning", "danger")
    for bg in ("bg", "surface", "surface-raised")
] + [
    ("on-primary", "primary"),
    ("on-status", "success"),
    ("on-status", "warning"),
    ("on-status", "danger"),
    ("on-primary", "primary-hover"),
    *[
        (fg, bg)
        for fg in ("text", "link")
        for bg in ("info-bg", "success-bg", "warning-bg", "danger-bg")
    ],
    ("primary", "info-bg"),
    ("danger", "danger-bg"),
]
# non-text (WCAG 1.4.11): focus ring and control borders at least 3:1
UI_PAIRS = [("focus", "bg"), ("focus", "surface"), ("border-strong", "bg"), ("primary", "bg")]


def test_the_contrast_helper_matches_known_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_token_pair_reaches_aa_in_both_schemes(scheme):
    tokens = _schemes()[scheme]
    assert len(tokens) >= 20
    low = {
        f"{fg} on {bg}": round(contrast(tokens[f"--color-{fg}"], tokens[f"--color-{bg}"]), 2)
        for fg, bg in TEXT_PAIRS
        if contrast(tokens[f"--color-{fg}"], tokens[f"--color-{bg}"]) < 4.5
    }
    assert not low, low
    weak = {
        f"{fg} on {bg}"
        for fg, bg in UI_PAIRS
        if contrast(tokens[f"--color-{fg}"], tokens[f"--color-{bg}"]) < 3
    }
    assert not weak, weak


def test_the_dark_scheme_redefines_the_colours():
    schemes = _schemes()
    changed = [k for k in schemes["light"] if schemes["light"][k] != schemes["dark"][k]]
    assert {"--color-bg", "--color-text", "--color-primary", "--color-focus"} <= set(changed)
    assert _luminance(schemes["dark"]["--color-bg"]) < 0.05


def test_tokens_exist_for_type_spacing_radius_and_touch():
    for name in ("--text-base", "--text-xl", "--space-1", "--space-7", "--radius", "--tap"):
        assert re.search(rf"{name}:\s*[^;]+;", CSS), name
    assert re.search(r"--tap:\s*44px", CSS)
    assert ":focus-visible" in CSS


# --- titles ------------------------------------------------------------------------------


def _title(response) -> str:
    found = TITLE.search(response.content.decode())
    return html.unescape(" ".join(found[1].split())) if found else ""


def _user_for(route, cast):
    if route.route.startswith("/admin/"):
        return None
    if route.name.startswith("physio:"):
        return cast.physio
    return cast.runner


# Pages that are one page in two states (a form and its edit), sharing a title on purpose.
SAME_PAGE = [
    {"runner:checkin", "runner:checkin_edit"},
    # one printable plan, read by the runner or by their physio: "Training plan for <name>"
    {"runner:plan_print", "physio:plan_print"},
]


@pytest.mark.django_db
def test_every_page_has_its_own_title(site_cast):  # noqa: F811
    titles: dict[str, str] = {}
    for route in routes():
        user = _user_for(route, site_cast)
        if user is None or route.route.startswith(("/api/", "/healthz")) or not route.name:
            continue
        client = Client()
        client.force_login(user)
        response = client.get(fill(route, site_cast.value_for))
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        title = _title(response)
        if not title:
            continue  # a fragment or a print sheet without base.html
        titles[route.name] = title
    assert len(titles) > 25
    bad = {name: t for name, t in titles.items() if not re.fullmatch(r"\S.* · Hip Rehab", t)}
    assert not bad, bad
    assert "Hip Rehab · Hip Rehab" not in titles.values()
    by_title: dict[str, set[str]] = {}
    for name, title in titles.items():
        by_title.setdefault(title, set()).add(name)
    shared = {
        t: names for t, names in by_title.items() if len(names) > 1 and names not in SAME_PAGE
    }
    assert not shared, shared


@pytest.mark.django_db
def test_the_home_page_is_just_the_product_name(client):
    assert _title(client.get("/")) == "Hip Rehab"
    assert _title(client.get("/", HTTP_ACCEPT_LANGUAGE="nl")) == "Hip Rehab"
    assert _title(client.get(reverse("account_login"))).endswith(" · Hip Rehab")


# --- navigation --------------------------------------------------------------------------

TAB = re.compile(r'<a class="tab" href="([^"]+)"( aria-current="page")?>', re.S)


def _tabs(response) -> list[tuple[str, bool]]:
    return [(href, bool(current)) for href, current in TAB.findall(response.content.decode())]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "kwargs", "active"),
    [
        ("runner:week", {}, "runner:week"),
        ("runner:changes", {}, "runner:changes"),
        ("runner:progress", {}, "runner:progress"),
        ("runner:learn", {}, "runner:learn"),
        ("settings", {}, "settings"),
        ("runner:training_settings", {}, "settings"),
        ("runner:checkin", {}, "runner:week"),
    ],
)
def test_runners_get_five_tabs_with_the_current_one_marked(
    site_cast,  # noqa: F811
    url_name,
    kwargs,
    active,
):
    client = Client()
    client.force_login(site_cast.runner)
    response = client.get(reverse(url_name, kwargs=kwargs))
    assert response.status_code == 200
    tabs = _tabs(response)
    assert [href for href, _ in tabs] == [
        reverse(n)
        for n in ("runner:week", "runner:changes", "runner:progress", "runner:learn", "settings")
    ]
    assert [href for href, current in tabs if current] == [reverse(active)]
    page = response.content.decode()
    assert 'class="tabbar"' in page
    assert "has-tabbar" in page
    assert page.count('<symbol id="icon-') >= 10


@pytest.mark.django_db
def test_physios_get_a_top_bar_and_visitors_sign_in_links(site_cast, client):  # noqa: F811
    physio = Client()
    physio.force_login(site_cast.physio)
    page = physio.get(reverse("physio:caseload"))
    assert _tabs(page) == [(reverse("physio:caseload"), True), (reverse("settings"), False)]
    assert "tabbar tabbar-top" in page.content.decode()
    anonymous = client.get("/").content.decode()
    assert 'class="tab"' not in anonymous
    assert reverse("account_login") in anonymous
    assert reverse("account_signup") in anonymous
    footer = anonymous.split('<footer class="site-footer">')[1]
    assert reverse("set_language") in footer


@pytest.mark.django_db
def test_the_learn_tab_lists_the_education_topics(site_cast):  # noqa: F811
    from programs.content.models import EducationTopic

    client = Client()
    client.force_login(site_cast.runner)
    page = client.get(reverse("runner:learn")).content.decode()
    topics = EducationTopic.objects.active()
    assert topics.exists()
    for topic in topics:
        assert reverse("runner:topic", args=[topic.slug]) in page


# --- one settings area -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/settings/", "/me/"),
        ("/settings/training/", "/me/training/"),
        ("/settings/training/plan/print/", "/me/training/plan/print/"),
        ("/settings/export.json?x=1", "/me/export.json?x=1"),
    ],
)
def test_old_settings_addresses_redirect_for_good(site_cast, old, new):  # noqa: F811
    client = Client()
    client.force_login(site_cast.runner)
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new
    posted = client.post(old.split("?")[0], {})
    assert posted.status_code == 308  # a form sent to the old address keeps its method


@pytest.mark.django_db
def test_me_holds_every_setting_and_the_language_switch(site_cast):  # noqa: F811
    client = Client()
    client.force_login(site_cast.runner)
    me = client.get(reverse("settings")).content.decode()
    for piece in (
        reverse("set_language"),
        reverse("runner:training_settings"),
        reverse("mfa_index"),
        reverse("data_export", args=["json"]),
        reverse("erase_account"),
        'name="action" value="reminders"',
        reverse("account_logout"),
    ):
        assert piece in me, piece
    training = client.get(reverse("runner:training_settings")).content.decode()
    assert reverse("settings") in training
    assert 'aria-current="page">Training' in training


@pytest.mark.django_db
def test_the_language_switch_in_me_changes_the_language_and_the_profile(site_cast):  # noqa: F811
    runner = site_cast.runner
    client = Client()
    client.force_login(runner)
    response = client.post(reverse("set_language"), {"language": "nl", "next": "/me/"})
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    runner.refresh_from_db()
    assert runner.language == "nl"
    page = client.get("/me/").content.decode()
    assert '<html lang="nl">' in page
    assert ">Ik<" in page
    assert _title(client.get("/me/")).endswith(" · Hip Rehab")
    client.post(reverse("set_language"), {"language": "en", "next": "/me/"})
    runner.refresh_from_db()
    assert runner.language == "en"


# --- style guide, manifest, icons --------------------------------------------------------


@pytest.mark.django_db
def test_the_style_guide_is_only_there_in_debug(client):
    with override_settings(DEBUG=False):
        assert client.get("/styleguide/").status_code == 404
    with override_settings(DEBUG=True):
        english = client.get("/styleguide/")
        dutch = client.get("/styleguide/", HTTP_ACCEPT_LANGUAGE="nl")
    assert english.status_code == 200
    assert dutch.status_code == 200
    page = english.content.decode()
    for component in (
        "card",
        'class="secondary"',
        "danger",
        "field",
        "slider",
        "banner",
        "tabbar",
        "empty-state",
        "icon-today",
    ):
        assert component in page, component
    assert _title(english) == "Style guide · Hip Rehab"
    assert _title(dutch) == "Stijlgids · Hip Rehab"


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.django_db
def test_the_manifest_is_served_with_its_type_and_its_icons_exist(client):
    response = client.get(reverse("manifest"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    body = json.loads(response.content)
    assert body["name"] == "Hip Rehab"
    assert body["display"] == "standalone"
    sizes = {icon["sizes"] for icon in body["icons"]}
    assert {"192x192", "512x512", "any"} <= sizes
    for icon in body["icons"]:
        path = BASE / "static" / icon["src"].removeprefix(settings.STATIC_URL)
        assert path.exists(), path
        if icon["type"] == "image/png":
            w, h = icon["sizes"].split("x")
            assert _png_size(path) == (int(w), int(h))
    home = client.get("/").content.decode()
    assert reverse("manifest") in home
    assert "apple-touch-icon" in home
    assert _png_size(BASE / "static/img/apple-touch-icon.png") == (180, 180)
    assert _png_size(BASE / "static/img/favicon-32.png") == (32, 32)


def test_the_drawn_icon_matches_what_the_script_draws():
    from rehab.core.management.commands.draw_icons import png, render

    assert png(32, render(32)) == (BASE / "static/img/favicon-32.png").read_bytes()
