"""Practices (#13): admins create physios (admin, `create_physio`) who set their own
password from an emailed link; a physio invites a colleague into the practice; a practice
shares no runner's data; invitations carry a suggested template and a note."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.test import APIClient

from rehab.accounts.models import CareLink, Invitation, Practice, Role, User
from rehab.accounts.practices import colleague_invite, physio_create
from rehab.core.errors import ApplicationError
from tests.factories import UserFactory
from tests.programs.conftest import content, screened_runner  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def link_from(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def test_create_physio_makes_an_account_without_a_password_and_emails_a_link(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "create_physio",
            "--email=Ann.Smit@Clinic.test",
            "--first-name=Ann",
            "--last-name=Smit",
            "--practice=Fysio Centrum",
            "--language=nl",
        )
    physio = User.objects.get(email="ann.smit@clinic.test")
    assert physio.role == Role.PHYSIO
    assert physio.practice == Practice.objects.get(name="Fysio Centrum")
    assert not physio.has_usable_password()
    assert EmailAddress.objects.get(user=physio).verified
    (message,) = mail.outbox
    assert message.to == [physio.email]
    assert "Fysio Centrum" in message.body
    path = link_from(message)
    assert path.startswith("/accounts/password/reset/key/")
    page = Client().get(path, follow=True)
    assert page.status_code == 200
    assert b"password1" in page.content  # the set-password form
    # a second physio goes into the same practice; an existing address is refused
    call_command(
        "create_physio", "--email=bo@clinic.test", "--first-name=Bo", "--practice=fysio centrum"
    )
    assert Practice.objects.count() == 1
    with pytest.raises(CommandError, match="already"):
        call_command("create_physio", "--email=bo@clinic.test", "--first-name=Bo", "--practice=X")


def test_the_command_takes_no_password():
    with pytest.raises(CommandError):
        call_command(
            "create_physio",
            "--email=c@clinic.test",
            "--first-name=C",
            "--practice=P",
            "--password=secret-secret",
        )
    assert not User.objects.filter(email="c@clinic.test").exists()


def test_the_admin_adds_a_physio_who_gets_the_link(admin_user, django_capture_on_commit_callbacks):
    practice = Practice.objects.create(name="Fysio Centrum")
    client = Client()
    client.force_login(admin_user)
    assert client.get("/admin/accounts/physio/add/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/accounts/physio/add/",
            {
                "email": "new.physio@clinic.test",
                "first_name": "Nina",
                "last_name": "Nieuw",
                "practice": practice.pk,
                "language": "en",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    physio = User.objects.get(email="new.physio@clinic.test")
    assert (physio.role, physio.practice, physio.has_usable_password()) == (
        Role.PHYSIO,
        practice,
        False,
    )
    assert [m.to for m in mail.outbox] == [[physio.email]]
    taken = client.post(
        "/admin/accounts/physio/add/",
        {"email": physio.email, "first_name": "N", "practice": practice.pk, "language": "en"},
    )
    assert taken.status_code == 200
    assert "already has an account" in taken.content.decode()


def test_a_physio_invites_a_colleague_into_the_practice(
    physio, runner, django_capture_on_commit_callbacks
):
    practice = Practice.objects.create(name="Fysio Centrum")
    physio.practice = practice
    physio.save()
    client = Client()
    client.force_login(physio)
    page = client.get("/physio/").content.decode()
    assert "Invite a colleague" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/physio/colleagues/invite/",
            {"email": "colleague@clinic.test", "first_name": "Cas", "last_name": "Collega"},
        )
    assert response.status_code == 302
    colleague = User.objects.get(email="colleague@clinic.test")
    assert (colleague.role, colleague.practice) == (Role.PHYSIO, practice)
    assert [m.to for m in mail.outbox] == [[colleague.email]]
    assert physio.get_full_name() in mail.outbox[0].body or physio.email in mail.outbox[0].body
    # the colleague sees none of the physio's runners
    other = Client()
    other.force_login(colleague)
    assert f"/physio/runners/{runner.pk}/" not in other.get("/physio/").content.decode()
    assert other.get(f"/physio/runners/{runner.pk}/").status_code == 404
    token = APIClient()
    token.force_authenticate(colleague)
    assert token.get("/api/v1/patients/").json()["count"] == 0
    # a bad address is a form error, and so is an address with an account
    assert (
        client.post("/physio/colleagues/invite/", {"email": "x", "first_name": "X"}).status_code
        == 400
    )
    again = client.post(
        "/physio/colleagues/invite/", {"email": colleague.email, "first_name": "Cas"}
    )
    assert again.status_code == 400
    assert "already has an account" in again.content.decode()


def test_a_physio_without_a_practice_cannot_invite_colleagues(physio):
    with pytest.raises(ApplicationError):
        colleague_invite(physio=physio, email="c@clinic.test", first_name="C")
    client = Client()
    client.force_login(physio)
    response = client.post(
        "/physio/colleagues/invite/", {"email": "c@clinic.test", "first_name": "C"}
    )
    assert response.status_code == 400
    assert not User.objects.filter(email="c@clinic.test").exists()


def test_a_runner_cannot_invite_colleagues(runner):
    with pytest.raises(ApplicationError):
        colleague_invite(physio=runner, email="c@clinic.test", first_name="C")


def test_physio_create_refuses_a_taken_address(physio):
    with pytest.raises(ApplicationError):
        physio_create(email=physio.email, first_name="X", practice=None)


# --- Invitations with a suggested template and a note --------------------------------------


def test_an_invitation_carries_a_template_and_a_note_the_runner_sees(
    physio,
    content,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    client = Client()
    client.force_login(physio)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/physio/invite/",
            {
                "email": "newbie@runners.test",
                "suggested_template": "proximal-itbs",
                "note": "Start gently; we speak on Friday.",
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    invitation = Invitation.objects.get(email="newbie@runners.test")
    assert (invitation.suggested_template, invitation.note) == (
        "proximal-itbs",
        "Start gently; we speak on Friday.",
    )
    (message,) = mail.outbox
    assert "Friday" not in message.body  # the note is not in the email
    token = message.body.split("/invite/")[1].split("/")[0]
    runner = UserFactory(role=Role.RUNNER, email="newbie@runners.test")
    landing = Client()
    landing.force_login(runner)
    page = landing.get(f"/invite/{token}/").content.decode()
    assert "Start gently; we speak on Friday." in page
    assert "Suggested programme" in page
    from programs.content.models import ProgramTemplate

    assert ProgramTemplate.objects.get(slug="proximal-itbs").name in page


def test_an_unknown_template_or_a_long_note_is_refused(physio, content):  # noqa: F811
    client = Client()
    client.force_login(physio)
    bad = client.post("/physio/invite/", {"email": "a@r.test", "suggested_template": "nope"})
    assert bad.status_code == 400
    api = APIClient()
    api.force_authenticate(physio)
    response = api.post(
        "/api/v1/invitations/",
        {"email": "a@r.test", "suggested_template": "nope"},
        format="json",
    )
    assert response.status_code == 400
    assert "suggested_template" in response.json()["error"]["fields"]
    long = api.post(
        "/api/v1/invitations/", {"email": "a@r.test", "note": "x" * 1001}, format="json"
    )
    assert long.status_code == 400
    assert "note" in long.json()["error"]["fields"]
    ok = api.post(
        "/api/v1/invitations/",
        {"email": "a@r.test", "suggested_template": "proximal-itbs", "note": "Hi"},
        format="json",
    )
    assert ok.status_code == 201
    assert (ok.json()["suggested_template"], ok.json()["note"]) == ("proximal-itbs", "Hi")
    assert not Invitation.objects.filter(suggested_template="nope").exists()


def test_the_suggested_template_is_preselected_at_set_up(physio, content, screened_runner):  # noqa: F811
    from rehab.accounts.services import invitation_accept, invitation_create

    CareLink.objects.filter(runner=screened_runner).delete()
    _invitation, token = invitation_create(
        physio=physio, email=screened_runner.email, suggested_template="proximal-itbs"
    )
    invitation_accept(token=token, runner=screened_runner)
    client = Client()
    client.force_login(screened_runner)
    page = client.get("/plan/setup/programme/")
    html = page.content.decode()
    assert page.status_code == 200
    from programs.content.models import ProgramTemplate

    itb = ProgramTemplate.objects.get(slug="proximal-itbs")
    chosen = re.findall(r'<input type="radio" name="template" value="(\d+)"[^>]*checked', html)
    assert chosen == [str(itb.pk)]
    assert "Your physiotherapist suggests" in html
