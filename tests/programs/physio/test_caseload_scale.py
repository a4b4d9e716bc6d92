"""The caseload at clinic scale (#13): filters, search, sort, pages and counts on the page
and on GET /api/v1/patients/, in a number of queries that does not grow with the caseload,
and weekly pain means that are the engine's own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from rest_framework.test import APIClient

from programs.engine import progression
from programs.logbook.caseload import TREND_WEEKS, caseload
from programs.logbook.models import ExerciseLog, FlareUp, MorningCheckin, SessionLog
from programs.logbook.windows import build_windows
from programs.plans.models import Decision, PlanSession
from rehab.accounts.models import AccessLog, Role
from tests.factories import UserFactory
from tests.programs.physio.test_caseload_flags import NOW, TODAY, linked_runner

pytestmark = pytest.mark.django_db


@pytest.fixture
def physio_user(content):
    return UserFactory(role=Role.PHYSIO, email="physio.scale@hospital.test")


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def names(physio, query: str = "") -> list[str]:
    body = api(physio).get(f"/api/v1/patients/?{query}").json()
    return [row["email"] for row in body["results"]]


def log_session(runner, day, *, pain_after=None, during=(1,)):
    session = PlanSession.objects.filter(plan__runner=runner, date__lte=day, log__isnull=True)
    session = session.order_by("-date").first()
    log = SessionLog.objects.create(
        runner=runner, session=session, date=session.date, pain_after=pain_after
    )
    rx = session.prescriptions.first()
    for pain in during:
        ExerciseLog.objects.create(
            session_log=log,
            prescription=rx,
            slot_key=rx.slot_key,
            exercise_id=rx.exercise_id,
            sets_done=1,
            pain_during=pain,
        )
    return log


@pytest.fixture
def clinic(physio_user, time_machine):
    """Five runners: rising pain, a flare-up, a change waiting for approval, silent, and one
    without a plan."""
    time_machine.move_to(NOW, tick=False)
    start = TODAY - dt.timedelta(days=27)
    rising = linked_runner(physio_user, "ann@r.test", first="Ann", last="Zeeman", started=start)
    for days, pain in ((20, 1), (13, 2), (6, 4), (1, 5)):
        MorningCheckin.objects.create(
            runner=rising, date=TODAY - dt.timedelta(days=days), pain=pain
        )
    flared = linked_runner(physio_user, "bert@r.test", first="Bert", last="Bos", started=start)
    FlareUp.objects.create(runner=flared, date=TODAY - dt.timedelta(days=2), severity=6)
    for days in (1, 3, 5):
        MorningCheckin.objects.create(runner=flared, date=TODAY - dt.timedelta(days=days), pain=2)
    waiting = linked_runner(physio_user, "cor@r.test", first="Cor", last="Claes", started=start)
    Decision.objects.create(
        plan=waiting.plans.get(),
        fingerprint="x",
        kind="progress",
        rule="test",
        window_ends_on=TODAY,
        effective_from=TODAY,
        status=Decision.Status.PENDING,
    )
    log_session(waiting, TODAY - dt.timedelta(days=1), pain_after=1)
    silent = linked_runner(physio_user, "dirk@r.test", first="Dirk", last="Dam", started=start)
    planless = linked_runner(physio_user, "eva.search@r.test", first="Eva", last="Ende")
    return {
        "rising": rising,
        "flared": flared,
        "waiting": waiting,
        "silent": silent,
        "none": planless,
    }


def test_filters_sort_and_search_on_the_api(physio_user, clinic):
    assert names(physio_user) == [
        "bert@r.test",
        "cor@r.test",
        "dirk@r.test",
        "eva.search@r.test",
        "ann@r.test",
    ]  # by last name by default
    assert names(physio_user, "trend=rising") == ["ann@r.test"]
    assert names(physio_user, "flag=recent_flare_up") == ["bert@r.test"]
    assert names(physio_user, "flag=pending_approval") == ["cor@r.test"]
    assert names(physio_user, "flag=no_log_7_days") == ["dirk@r.test"]
    assert set(names(physio_user, "flag=attention")) == {"ann@r.test", "bert@r.test"}
    assert names(physio_user, "flag=none") == ["eva.search@r.test"]
    assert names(physio_user, "last_log=never") == ["dirk@r.test", "eva.search@r.test"]
    assert set(names(physio_user, "last_log=week")) == {"ann@r.test", "bert@r.test", "cor@r.test"}
    assert names(physio_user, "adherence=none") == ["eva.search@r.test"]
    assert names(physio_user, "q=SEARCH") == ["eva.search@r.test"]
    assert names(physio_user, "q=bert bos") == ["bert@r.test"]
    assert names(physio_user, "q=nobody") == []
    assert names(physio_user, "sort=trend")[0] == "ann@r.test"
    assert names(physio_user, "sort=attention")[:2] == ["bert@r.test", "cor@r.test"]
    assert names(physio_user, "sort=-last_log")[-2:] == ["dirk@r.test", "eva.search@r.test"]
    rows = api(physio_user).get("/api/v1/patients/?q=ann").json()["results"]
    phase = rows[0]["phase"]
    assert phase["key"]
    assert phase["name"]
    phases = {
        row["phase"]["key"]
        for row in api(physio_user).get("/api/v1/patients/").json()["results"]
        if row["phase"]
    }
    key = phases.pop()
    assert len(names(physio_user, f"phase={key}")) == 4  # every runner with a plan
    assert names(physio_user, "phase=no-such-phase") == []


def test_pages_of_the_api_and_the_audit_follow_the_filter(physio_user, clinic):
    body = api(physio_user).get("/api/v1/patients/?sort=name&limit=2&offset=2").json()
    assert body["count"] == 5
    assert [row["email"] for row in body["results"]] == ["dirk@r.test", "eva.search@r.test"]
    audited = set(
        AccessLog.objects.filter(actor=physio_user).values_list("runner__email", flat=True)
    )
    assert audited == {"dirk@r.test", "eva.search@r.test"}  # the rows returned, no more


@pytest.mark.parametrize(
    "query",
    [
        "flag=bogus",
        "trend=up",
        "adherence=70",
        "last_log=yesterday",
        "sort=email",
        "phase=a b",
        "q=" + "x" * 101,
    ],
)
def test_bad_filters_are_a_400_with_field_messages(physio_user, clinic, query):
    response = api(physio_user).get(f"/api/v1/patients/?{query}")
    assert response.status_code == 400
    field = query.split("=")[0]
    assert field in response.json()["error"]["fields"]
    page = web(physio_user).get(f"/physio/?{query}")
    assert page.status_code == 400
    assert 'class="errorlist' in page.content.decode()


def test_the_page_counts_filters_and_pages(physio_user, clinic):
    client = web(physio_user)
    html = client.get("/physio/").content.decode()
    assert '<a href="?flag=attention"><strong>2</strong>' in html
    assert '<a href="?flag=pending_approval"><strong>1</strong>' in html
    assert '<a href="?flag=no_log_7_days"><strong>1</strong>' in html
    assert html.index("Bert B.") < html.index("Ann Z.")  # the flare-up first
    filtered = client.get("/physio/?trend=rising").content.decode()
    assert "Ann Z." in filtered
    assert "Bert B." not in filtered
    assert "<strong>2</strong>" in filtered  # the counts stay those of the whole caseload
    assert "No runner matches these filters." in client.get("/physio/?q=nobody").content.decode()


def test_the_api_counts_the_whole_caseload_like_the_page(physio_user, clinic, runner):
    logged = AccessLog.objects.count()
    counts = api(physio_user).get("/api/v1/patients/counts/")
    assert counts.status_code == 200
    assert counts.json() == {"total": 5, "attention": 2, "pending_approval": 1, "inactive": 1}
    assert AccessLog.objects.count() == logged  # numbers only: no runner's data read out
    assert api(runner).get("/api/v1/patients/counts/").status_code == 403
    assert APIClient().get("/api/v1/patients/counts/").status_code in (401, 403)


def test_the_page_pages_by_25(physio_user, time_machine):
    time_machine.move_to(NOW, tick=False)
    for n in range(27):
        linked_runner(physio_user, f"r{n:02d}@r.test", first=f"R{n:02d}", last="Many")
    client = web(physio_user)
    first = client.get("/physio/?sort=name").content.decode()
    assert "R00 M." in first
    assert "R26 M." not in first
    assert "Page 1 of 2" in first
    assert 'href="?sort=name&amp;page=2"' in first
    second = client.get("/physio/?sort=name&page=2").content.decode()
    assert "R26 M." in second
    assert "R00 M." not in second
    assert AccessLog.objects.filter(actor=physio_user).count() == 25 + 2


def _grow(physio, count, start):
    for n in range(count):
        runner = linked_runner(
            physio, f"grow{start + n}@r.test", started=TODAY - dt.timedelta(days=20)
        )
        for days in range(1, 15, 2):
            MorningCheckin.objects.create(
                runner=runner, date=TODAY - dt.timedelta(days=days), pain=2
            )
        log_session(runner, TODAY - dt.timedelta(days=2), pain_after=None, during=(1, 3))


def test_queries_do_not_grow_with_the_caseload(
    physio_user, time_machine, django_assert_max_num_queries
):
    """The caseload page and the API at 3 and at 12 runners, every filter on: the same
    bound (the page adds the session, the user, the invitations and the access-log insert)."""
    time_machine.move_to(NOW, tick=False)
    client, token = web(physio_user), api(physio_user)
    # the day's first request marks the user seen (one write a day)
    client.get("/physio/")
    token.get("/api/v1/patients/")
    counts = {}
    for size, grow_by in ((3, 3), (12, 9)):
        _grow(physio_user, grow_by, size)
        for label, call in (
            ("page", lambda: client.get("/physio/?trend=stable&sort=pain&q=grow")),
            ("api", lambda: token.get("/api/v1/patients/?trend=stable&sort=pain&q=grow")),
        ):
            with django_assert_max_num_queries(30) as captured:
                assert call().status_code == 200
            counts[(label, size)] = len(captured.captured_queries)
    assert counts[("page", 3)] == counts[("page", 12)]
    assert counts[("api", 3)] == counts[("api", 12)]


def test_the_weekly_means_are_the_engines(physio_user, time_machine):
    """The caseload reads pain as plain rows; the means are those progression.weekly_pain_mean
    finds in the full evaluation window (mornings, else pain after, else pain during)."""
    time_machine.move_to(NOW, tick=False)
    runner = linked_runner(physio_user, "means@r.test", started=TODAY - dt.timedelta(days=27))
    MorningCheckin.objects.create(runner=runner, date=TODAY - dt.timedelta(days=22), pain=4)
    log_session(runner, TODAY - dt.timedelta(days=15), pain_after=3, during=(5,))
    log_session(runner, TODAY - dt.timedelta(days=3), pain_after=None, during=(2, 5, 6))
    (row,) = caseload(physio_user)
    plan = runner.plans.get()
    first = TODAY - dt.timedelta(days=7 * TREND_WEEKS - 1)
    windows = build_windows(
        [
            (plan, first + dt.timedelta(days=7 * i), first + dt.timedelta(days=7 * i + 6), (), None)
            for i in range(1)
        ]
    )
    expected = []
    for i in range(TREND_WEEKS):
        starts = first + dt.timedelta(days=7 * i)
        window = build_windows([(plan, starts, starts + dt.timedelta(days=6), (), None)])[plan.pk]
        expected.append(progression.weekly_pain_mean(window))
    assert windows  # the reader the weekly evaluation uses
    assert list(row.pain.weekly_means) == expected
    assert sum(m is not None for m in expected) >= 2
