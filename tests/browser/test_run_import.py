"""Runs from the watch (#15) on a 390 px phone: choose a GPX and a FIT file, import them,
answer only the pain and effort of each, and find them in the run history."""

from __future__ import annotations

import datetime as dt

import pytest

from programs.content.loader import content_load_directory
from programs.logbook.models import RunLog, Screening
from rehab.accounts.models import Role
from tests.browser.conftest import assert_fits_phone
from tests.browser.test_csp import sign_in
from tests.factories import UserFactory
from tests.programs.logbook.watch_files import fit_bytes, gpx_bytes


@pytest.mark.django_db(transaction=True)
def test_a_runner_imports_watch_files_on_a_phone(phone, live_server, tmp_path):
    content_load_directory()
    runner = UserFactory(role=Role.RUNNER, email="watch.runner@example.com")
    Screening.objects.create(
        runner=runner,
        answers={},
        outcome="ok",
        condition="gluteal_tendinopathy",
        irritability="moderate",
        baseline_pain=3,
    )
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    gpx = tmp_path / "evening.gpx"
    gpx.write_bytes(gpx_bytes(now - dt.timedelta(days=2), minutes=32, km=5.2, climb_m=120))
    fit = tmp_path / "morning.fit"
    fit.write_bytes(fit_bytes(now - dt.timedelta(days=1), minutes=25, km=4))
    sign_in(phone, runner, live_server.url)

    phone.goto("/runs/new/")
    phone.shot("run-page")
    picker = phone.locator("input[type=file][name=files]")
    assert picker.get_attribute("accept") == ".gpx,.tcx,.fit"
    label = phone.locator(f"label[for='{picker.get_attribute('id')}']")
    assert "GPX, TCX or FIT" in label.inner_text()  # the picker is named for screen readers
    picker.set_input_files([str(gpx), str(fit)])
    phone.locator("section.watch-import button[type=submit]").click()
    phone.wait_for_url("**/runs/answers/")
    phone.shot("answers")

    runs = list(RunLog.objects.filter(runner=runner).order_by("date"))
    assert [r.minutes for r in runs] == [32, 25]
    assert runs[0].hilly
    assert phone.locator("fieldset.imported-run").count() == 2
    assert phone.locator("fieldset.imported-run .tag-hilly").count() == 1
    # Only pain during, pain after and effort are asked; nothing the file gave.
    assert (
        phone.locator("main form input[name^='minutes'], main form input[type=date]").count() == 0
    )
    for index, run in enumerate(runs):
        fields = phone.locator("fieldset.imported-run").nth(index)
        fields.locator(f"#q-pain_during_{run.pk} input[value='{index + 1}']").check()
        fields.locator(f"#q-pain_after_{run.pk} input[value='2']").check()
        fields.locator(f"input[name='rpe_{run.pk}']").fill("4")
    assert_fits_phone(phone)
    phone.locator("main form button[type=submit]").click()
    phone.wait_for_url("**/runs/")
    phone.shot("history")

    assert [(r.pain_during, r.pain_after, r.rpe) for r in RunLog.objects.order_by("date")] == [
        (1, 2, 4),
        (2, 2, 4),
    ]
    history = phone.locator("main").inner_text()
    assert "57 min in 2 runs" in history
    assert phone.console_errors == []

    # The same file again: reported, not added; a wrong file: a clear message, nothing added.
    phone.goto("/runs/new/")
    bad = tmp_path / "notes.txt"
    bad.write_text("not a run")
    phone.locator("input[type=file][name=files]").set_input_files([str(fit), str(bad)])
    phone.locator("section.watch-import button[type=submit]").click()
    phone.wait_for_load_state()
    phone.shot("bad-file")
    alert = phone.locator("section.watch-import [role=alert]").all_inner_texts()
    alert = " ".join(alert)
    assert "notes.txt" in alert
    assert "Only GPX, TCX and FIT" in alert
    assert RunLog.objects.filter(runner=runner).count() == 2
