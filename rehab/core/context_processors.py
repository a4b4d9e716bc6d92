"""The main navigation, built once per request for base.html.

Runners get five tabs (a bottom tab bar on a phone, a top bar on a wide screen);
physiotherapists get a top bar with their caseload and Me; anonymous visitors none
(base.html shows sign in / create account). The active tab carries aria-current.
URL names only: this platform app imports nothing from the surfaces.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

# view name (or namespace prefix ending in ":") -> section; the first match wins
SECTIONS: tuple[tuple[str, str], ...] = (
    ("runner:progress", "progress"),
    ("runner:learn", "learn"),
    ("runner:topic", "learn"),
    ("runner:changes", "plan"),
    ("runner:setup", "plan"),
    ("runner:plan_resume", "plan"),
    ("runner:screening", "plan"),
    ("runner:screening_result", "plan"),
    ("runner:referrals", "plan"),
    ("runner:referral_clear", "plan"),
    ("runner:follow_up", "plan"),
    ("runner:training_settings", "me"),
    ("runner:plan_print", "me"),
    ("runner:", "today"),
    ("physio:", "caseload"),
    ("settings", "me"),
    ("erase_account", "me"),
    ("account_", "me"),
    ("mfa_", "me"),
)


def section_of(view_name: str) -> str:
    for key, section in SECTIONS:
        if view_name == key or (key.endswith((":", "_")) and view_name.startswith(key)):
            return section
    return ""


def _tabs(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"tabs": [], "top_only": False, "section": ""}
    match = getattr(request, "resolver_match", None)
    current = section_of(match.view_name if match else "")
    if getattr(user, "is_runner", False):
        items = [
            ("today", reverse("runner:week"), _("Today")),
            ("plan", reverse("runner:changes"), _("Plan")),
            ("progress", reverse("runner:progress"), _("Progress")),
            ("learn", reverse("runner:learn"), _("Learn")),
            ("me", reverse("settings"), _("Me")),
        ]
        top_only = False
    elif getattr(user, "is_physio", False):
        items = [
            ("caseload", reverse("physio:caseload"), _("Caseload")),
            ("me", reverse("settings"), _("Me")),
        ]
        top_only = True
    else:
        items = [("me", reverse("settings"), _("Me"))]
        top_only = True
    tabs = [
        {"icon": key, "href": href, "label": label, "active": key == current}
        for key, href, label in items
    ]
    return {"tabs": tabs, "top_only": top_only, "section": current}


def navigation(request: HttpRequest) -> dict:
    return {"nav": SimpleLazyObject(lambda: _tabs(request))}
