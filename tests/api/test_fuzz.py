"""T4: schemathesis against the generated OpenAPI schema, in-process (WSGI), as a runner and
as a physiotherapist: no server errors, every response conforms to the schema.

Two phases: every operation on its own (generated cases per operation), then the stateful
phase, which follows the schema's OpenAPI links from one answer to the next (plan list ->
plan -> its sessions -> log a session; a created invitation -> withdraw it; ...).

FUZZ_EXAMPLES sets the examples per operation and the stateful scenarios (default 5;
`make fuzz` runs more).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.checks import (
    ignored_auth,
    negative_data_rejection,
    positive_data_acceptance,
)

from rehab.accounts.services import api_token_create
from rehab.wsgi import application

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))


# Erasing the account or signing out everywhere would end the run; the accounts tests
# cover them.
schema = (
    schemathesis.openapi.from_wsgi("/api/schema/", application)
    .exclude(path="/api/v1/me/erase/")
    .exclude(path="/api/v1/auth/sign-out-everywhere/")
)

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
STATEFUL_SETTINGS = settings(
    FUZZ_SETTINGS,
    phases=[Phase.generate],
    stateful_step_count=8,
)


@pytest.fixture(autouse=True)
def keep_the_test_connection_open():
    """Calling the WSGI app directly fires request_started/finished, whose
    close_old_connections() would close the test's connection inside its transaction on
    PostgreSQL (SQLite's in-memory database is never closed). Django's test client
    switches it off the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(make_plan, physio):
    plan = make_plan()
    return {
        "runner": api_token_create(user=plan.runner, device="fuzz")[1],
        "physio": api_token_create(user=physio, device="fuzz")[1],
    }


# Valid shapes may still name rows that do not exist (positive_data_acceptance);
# ignored_auth swaps the session cookie while our token header stays valid.
# Anonymous access is asserted for every route by the access matrix instead.
# Lenient parsing of malformed optional parameters (an empty `to`, offset=null) is
# accepted on purpose (negative_data_rejection); a 5xx still fails the run.
EXCLUDED_CHECKS = [positive_data_acceptance, ignored_auth, negative_data_rejection]


def _call(case, token):
    case.call_and_validate(
        headers={"Authorization": f"Token {token}"}, excluded_checks=EXCLUDED_CHECKS
    )


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_runner(case, tokens):
    _call(case, tokens["runner"])


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_physio(case, tokens):
    _call(case, tokens["physio"])


# --- Stateful phase: follow the links --------------------------------------------------------


class Workflow(schema.as_state_machine()):
    """Scenarios of linked calls, with the role's token on every call."""

    token = ""

    def setup(self):
        """Every scenario starts from the same data: what one wrote is rolled back after it
        (a savepoint in the test's transaction), and the throttle counters are reset."""
        from django.core.cache import cache
        from django.db import transaction

        cache.clear()
        self._savepoint = transaction.savepoint()

    def teardown(self):
        from django.db import transaction

        transaction.savepoint_rollback(self._savepoint)

    def get_call_kwargs(self, case):
        return {"headers": {"Authorization": f"Token {self.token}"}}

    def validate_response(self, response, case, additional_checks=None, **kwargs):
        case.validate_response(
            response,
            additional_checks=additional_checks,
            excluded_checks=EXCLUDED_CHECKS,
            transport_kwargs=kwargs or None,
            recorder=self.recorder,
        )


def test_the_schema_has_links_for_the_stateful_phase():
    links = schema.statistic.transitions
    assert links.total >= 20


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["runner", "physio"])
def test_api_stateful(tokens, role):
    Workflow.token = tokens[role]
    Workflow.run(settings=STATEFUL_SETTINGS)
