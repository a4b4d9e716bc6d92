"""No email carries health data: no pain, flare-up, warning-sign, referral or trend words,
no condition names, no scores, in English or Dutch.

Every email template there is (templates/emails, our allauth overrides and allauth's own
account and MFA emails) is rendered in both languages twice: once with a sentinel in
every context variable (so every `{% if %}` takes its first branch, and a variable with
a health name such as `{{ pain_score }}` shows its name), once with every variable empty
(the other branches). A denylist of health words then finds any that slipped in.

The one allowed phrase is the product's name, "Hip Rehab": it is in every email and says
nothing about the person. Nothing else is exempt.
"""

from __future__ import annotations

from pathlib import Path

import allauth
import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.utils import translation

from tests.conftest import leaks

ROOT = Path(__file__).resolve().parents[3]


class Sentinels(dict):
    """A template context in which every variable exists and holds its own name
    (allauth's `user` is a user whose every text field holds a sentinel)."""

    def __init__(self):
        from rehab.accounts.models import User

        super().__init__(user=User(email="sentinel@example.com", first_name="[[first_name]]"))

    def __contains__(self, key) -> bool:
        return True

    def __missing__(self, key):
        return f"[[{key}]]"


class Empty(dict):
    """A template context in which every variable exists and is empty (but a user)."""

    def __init__(self):
        from rehab.accounts.models import User

        super().__init__(user=User(email="empty@example.com"))

    def __contains__(self, key) -> bool:
        return True

    def __missing__(self, key):
        return ""


def _names(folder: Path, pattern: str) -> list[str]:
    return sorted(p.name for p in folder.glob(pattern) if not p.name.startswith("_"))


def email_templates() -> list[str]:
    """Template names of every part of every email the product can send."""
    ours = [f"emails/{name}" for name in _names(ROOT / "templates" / "emails", "*")]
    ours.remove("emails/base.html")  # the layout, rendered through every .html email
    allauth_dir = Path(allauth.__file__).parent / "templates"
    theirs = set()
    for area in ("account/email", "mfa/email"):
        for folder in (allauth_dir / area, ROOT / "templates" / area):
            theirs.update(f"{area}/{n}" for n in _names(folder, "*") if "base_" not in n)
    return ours + sorted(theirs)


TEMPLATES = email_templates()


def test_the_collection_holds_every_email():
    ours = {n.split("/")[1].split(".")[0] for n in TEMPLATES if n.startswith("emails/")}
    assert {"flare_up", "plan_alert", "plan_referred", "screening_referral", "welcome"} <= ours
    assert {"signup_attempt", "retention_warning", "invitation", "reminder_checkin"} <= ours
    for name in ours:  # each email has a subject, a text and an HTML part
        for part in ("subject.txt", "txt", "html"):
            assert f"emails/{name}.{part}" in TEMPLATES
    assert "account/email/account_already_exists_message.txt" in TEMPLATES
    assert "account/email/password_reset_key_message.txt" in TEMPLATES


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("context", [Sentinels, Empty], ids=["sentinels", "empty"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_no_email_holds_a_health_word(template, context, language):
    with translation.override(language):
        text = render_to_string(template, context())

    assert text.strip() or context is Empty
    assert leaks(text) == []


@pytest.mark.parametrize("text", ["Pijnverloop", "a flare-up", "red flag", "GTPS", "heupsessie"])
def test_the_denylist_catches_what_it_should(text):
    assert leaks(text)


def test_the_denylist_lets_the_product_name_through():
    assert leaks("Welcome to Hip Rehab") == []
    assert leaks("[Hip Rehab] Confirm your email") == []


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize(
    "template",
    ["flare_up", "plan_referred", "screening_referral"],  # at once; the rest: digest
)
def test_a_physio_alert_says_only_that_a_runner_needs_attention(
    runner, physio, template, language, django_capture_on_commit_callbacks
):
    from rehab.accounts.services import physios_alert

    runner.first_name, runner.last_name = "Rosa", "Runner"
    runner.save()
    physio.language = language
    physio.save()
    with django_capture_on_commit_callbacks(execute=True):
        physios_alert(runner=runner, template=template, dedupe_key="event-1")

    (message,) = mail.outbox
    assert message.to == [physio.email]
    assert (
        message.subject
        == {
            "en": "A runner on your caseload needs your attention",
            "nl": "Een hardloper in je caseload vraagt je aandacht",
        }[language]
    )
    html = message.alternatives[0][0]
    assert f"/physio/runners/{runner.pk}/" in message.body
    assert f"/physio/runners/{runner.pk}/" in html
    for text in (message.subject, message.body, html):
        assert leaks(text) == []
        assert "Rosa" not in text
        assert runner.email not in text
