"""rehab.core.db.unique_conflict: a unique violation is the domain's 409, nothing else is."""

import datetime as dt

import pytest
from django.db import IntegrityError

from programs.logbook.models import MorningCheckin
from rehab.core.db import unique_conflict
from rehab.core.errors import ConflictError

DAY = dt.date(2026, 12, 7)


@pytest.mark.django_db
def test_a_unique_violation_becomes_a_conflict_and_the_transaction_goes_on(runner):
    MorningCheckin.objects.create(runner=runner, date=DAY, pain=2)

    with pytest.raises(ConflictError) as raised, unique_conflict("Already there."):
        MorningCheckin.objects.create(runner=runner, date=DAY, pain=3)

    assert raised.value.status_code == 409
    assert raised.value.message == "Already there."
    assert MorningCheckin.objects.count() == 1  # the savepoint kept the transaction usable


@pytest.mark.django_db
def test_another_integrity_error_is_not_a_race_and_is_raised_as_it_is(runner):
    with pytest.raises(IntegrityError), unique_conflict("Already there."):
        MorningCheckin.objects.create(runner=runner, date=DAY, pain=11)  # check constraint
