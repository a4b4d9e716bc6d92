import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from rehab.accounts.models import CareLink, Invitation
from rehab.accounts.selectors import can_access_runner
from rehab.accounts.services import invitation_accept, invitation_create, invitation_find
from rehab.core.errors import ApplicationError


def token_from_mail() -> str:
    body = mail.outbox[-1].body
    return body.split("/invite/")[1].split("/")[0]


@pytest.mark.django_db
def test_invitation_email_carries_a_link_and_only_a_hash_is_stored(
    physio, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invitation_create(physio=physio, email="New.Runner@Example.com")

    assert invitation.email == "new.runner@example.com"
    assert token not in invitation.token_hash
    assert token_from_mail() == token
    assert mail.outbox[0].to == ["new.runner@example.com"]


@pytest.mark.django_db
def test_accepting_links_the_runner_with_consent(physio, other_runner):
    _invitation, token = invitation_create(physio=physio, email=other_runner.email)

    link = invitation_accept(token=token, runner=other_runner)

    assert link.status == CareLink.Status.ACTIVE
    assert link.consent_given_at is not None
    assert can_access_runner(physio, other_runner)
    with pytest.raises(ApplicationError):
        invitation_accept(token=token, runner=other_runner)


@pytest.mark.django_db
def test_expired_or_unknown_tokens_are_refused(physio, other_runner):
    invitation, token = invitation_create(physio=physio, email=other_runner.email)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )

    assert invitation_find(token=token) is None
    assert invitation_find(token="not-a-token") is None
    with pytest.raises(ApplicationError):
        invitation_accept(token=token, runner=other_runner)
    assert not can_access_runner(physio, other_runner)


@pytest.mark.django_db
def test_only_physios_invite_and_not_already_linked_runners(physio, runner, other_physio):
    with pytest.raises(ApplicationError):
        invitation_create(physio=runner, email="x@example.com")
    with pytest.raises(ApplicationError):
        invitation_create(physio=physio, email=runner.email)  # already linked
    with pytest.raises(ApplicationError):
        invitation_create(physio=physio, email=other_physio.email)


@pytest.mark.django_db
def test_invitation_page_asks_for_consent_before_linking(client, physio, other_runner):
    _invitation, token = invitation_create(physio=physio, email=other_runner.email)
    client.force_login(other_runner)

    page = client.get(f"/invite/{token}/")
    refused = client.post(f"/invite/{token}/", {})

    assert page.status_code == 200
    assert "I agree to share" in page.content.decode()
    assert refused.status_code == 400
    assert not can_access_runner(physio, other_runner)

    accepted = client.post(f"/invite/{token}/", {"consent": "yes"})
    assert accepted.status_code == 302
    assert can_access_runner(physio, other_runner)


@pytest.mark.django_db
def test_invitation_page_for_visitors_offers_sign_up_and_sign_in(client, physio):
    _invitation, token = invitation_create(physio=physio, email="someone@example.com")

    html = client.get(f"/invite/{token}/").content.decode()

    assert f"/accounts/signup/?next=/invite/{token}/" in html
    assert client.get("/invite/unknown-token/").status_code == 404


@pytest.mark.django_db
def test_invitations_api_for_physios(api_client, physio, runner, other_runner, other_physio):
    api_client.force_authenticate(physio)
    created = api_client.post("/api/v1/invitations/", {"email": other_runner.email})
    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "open"

    duplicate = api_client.post("/api/v1/invitations/", {"email": runner.email})
    assert duplicate.status_code == 400
    assert "email" in duplicate.json()["error"]["fields"]
    assert api_client.post("/api/v1/invitations/", {"email": "nope"}).status_code == 400

    listed = api_client.get("/api/v1/invitations/").json()["results"]
    assert [i["email"] for i in listed] == [other_runner.email]

    invitation_id = created.json()["id"]
    api_client.force_authenticate(other_physio)
    assert api_client.get("/api/v1/invitations/").json()["results"] == []
    assert api_client.delete(f"/api/v1/invitations/{invitation_id}/").status_code == 404

    api_client.force_authenticate(runner)
    assert api_client.post("/api/v1/invitations/", {"email": "a@example.com"}).status_code == 403

    api_client.force_authenticate(physio)
    assert api_client.delete(f"/api/v1/invitations/{invitation_id}/").status_code == 204
    assert Invitation.objects.get(pk=invitation_id).revoked_at is not None


@pytest.mark.django_db
def test_runner_accepts_through_the_api(api_client, physio, other_runner):
    _invitation, token = invitation_create(physio=physio, email=other_runner.email)
    api_client.force_authenticate(other_runner)

    no_consent = api_client.post("/api/v1/invitations/accept/", {"token": token, "consent": False})
    accepted = api_client.post("/api/v1/invitations/accept/", {"token": token, "consent": True})

    assert no_consent.status_code == 400
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "active"
    assert can_access_runner(physio, other_runner)
