import pytest
from django.db import IntegrityError, transaction

from rehab.accounts.models import AccessLog, CareLink, Role
from rehab.accounts.selectors import can_access_runner, physios_of, runners_of
from rehab.accounts.services import access_log_record, carelink_activate, carelink_end
from rehab.core.errors import ApplicationError
from tests.factories import UserFactory


@pytest.mark.django_db
def test_physio_sees_only_runners_linked_with_consent(physio, runner, other_runner):
    pending = CareLink.objects.create(physio=physio, runner=other_runner)

    assert list(runners_of(physio)) == [runner]
    assert can_access_runner(physio, runner)
    assert not can_access_runner(physio, other_runner)

    carelink_activate(link=pending)
    assert set(runners_of(physio)) == {runner, other_runner}


@pytest.mark.django_db
def test_ending_a_link_removes_access_at_once(physio, runner):
    link = CareLink.objects.get(physio=physio, runner=runner)

    carelink_end(link=link)

    assert not can_access_runner(physio, runner)
    assert list(physios_of(runner)) == []
    with pytest.raises(ApplicationError):
        carelink_activate(link=link)


@pytest.mark.django_db
def test_runner_and_unlinked_users_have_no_access_to_others(runner, other_runner, other_physio):
    assert can_access_runner(runner, runner)
    assert not can_access_runner(runner, other_runner)
    assert not can_access_runner(other_physio, runner)
    assert list(runners_of(runner)) == []


@pytest.mark.django_db
def test_active_link_without_consent_is_refused_by_the_database(other_physio, runner):
    with pytest.raises(IntegrityError), transaction.atomic():
        CareLink.objects.create(physio=other_physio, runner=runner, status="active")


@pytest.mark.django_db
def test_only_one_open_link_per_pair(physio, runner):
    with pytest.raises(IntegrityError), transaction.atomic():
        CareLink.objects.create(physio=physio, runner=runner)


@pytest.mark.django_db
def test_physio_reads_are_audited_and_own_reads_are_not(physio, runner):
    access_log_record(
        actor=physio, runner=runner, object_type="plan", object_id="7", path="/api/v1/plans/7/"
    )
    access_log_record(actor=runner, runner=runner, object_type="plan", object_id="7")

    entries = list(AccessLog.objects.values_list("actor__email", "object_type", "object_id"))
    assert entries == [(physio.email, "plan", "7")]


@pytest.mark.django_db
def test_role_choices_are_enforced_by_the_database():
    user = UserFactory(role=Role.RUNNER)
    with pytest.raises(IntegrityError), transaction.atomic():
        type(user).objects.filter(pk=user.pk).update(role="admin")
