"""Exercise figures in the content layer: the loader refuses bad or missing figures, every
active exercise draws, the SVG view (type, ETag, cache, dose, 404), the API's figure_url,
the template component, the admin preview and the media validators."""

from __future__ import annotations

import json
import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from programs.content import figures as content_figures
from programs.content.figures import figure_problems
from programs.content.loader import content_load_directory
from programs.content.models import Exercise
from programs.content.models.library import validate_photo, validate_video
from programs.content.reading import ContentError
from programs.engine import figures as engine_figures
from tests.conftest import api
from tests.programs.factories import by_key, copy_library, edit_kind

pytestmark = pytest.mark.django_db


def _duration(svg: str) -> float:
    return float(re.search(r"animation:\w+ ([\d.]+)s linear infinite", svg).group(1))


def _problems(folder) -> str:
    with pytest.raises(ContentError) as exc:
        content_load_directory(directory=folder)
    return "\n".join(str(p) for p in exc.value.problems)


def test_the_loader_refuses_a_figure_out_of_range_naming_the_exercise(tmp_path):
    folder = copy_library(tmp_path)

    def bend_too_far(records):
        figure = by_key(records, "clamshell")["figure"]
        figure["end"]["right"]["knee"] = 175

    edit_kind(folder, "exercises", bend_too_far)
    problems = _problems(folder)
    assert "exercise 'clamshell'" in problems
    assert "Figure: end: right knee 175 degrees is outside its range 0 to 150." in problems
    assert not Exercise.objects.exists()


def test_the_loader_refuses_an_exercise_without_a_figure_and_one_outside_the_frame(tmp_path):
    folder = copy_library(tmp_path)

    def change(records):
        del by_key(records, "side-stepping")["figure"]
        by_key(records, "double-leg-bridge")["figure"]["end"]["at"] = [230, 182.5]

    edit_kind(folder, "exercises", change)
    problems = _problems(folder)
    assert "exercise 'side-stepping'" in problems
    assert "An active exercise needs a figure" in problems
    assert re.search(r"exercise 'double-leg-bridge'.*outside the frame", problems)


def test_figure_problems_are_translated():
    with translation.override("nl"):
        assert figure_problems({}) == [
            "Een actieve oefening heeft een figuur nodig (aanzicht, begin- en eindhouding)."
        ]


def test_every_active_exercise_has_a_figure_that_draws(content):
    active = list(Exercise.objects.filter(is_active=True))
    assert len(active) >= 29
    for exercise in active:
        assert figure_problems(exercise.figure) == [], exercise.slug


def test_the_view_answers_an_animated_svg_with_an_etag(content):
    cache.clear()
    client = Client()
    url = reverse("content:figure", kwargs={"slug": "clamshell"})
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert response["Cache-Control"] == "public, max-age=86400"  # anonymous: nothing personal
    svg = response.content.decode()
    assert svg.startswith("<svg")
    assert "@keyframes" in svg
    assert "prefers-reduced-motion" in svg
    assert "<title" in svg
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_the_dose_in_the_query_changes_the_timing_and_the_etag(content):
    client = Client()
    url = reverse("content:figure", kwargs={"slug": "standing-isometric-abduction"})
    five = client.get(url, {"hold": 5, "tempo": "2-0-2"})
    ten = client.get(url, {"hold": 10, "tempo": "2-0-2"})
    assert _duration(ten.content.decode()) - _duration(five.content.decode()) == pytest.approx(5)
    assert five["ETag"] != ten["ETag"]
    bad = client.get(url, {"hold": "lots", "reps": "-3", "frame": "sideways"})
    assert bad.status_code == 200  # unreadable dose values fall back to the defaults


def test_a_still_frame_can_be_asked_for(content):
    url = reverse("content:figure", kwargs={"slug": "clamshell"})
    start = Client().get(url, {"frame": "start"}).content
    end = Client().get(url, {"frame": "end"}).content
    assert b"@keyframes" not in start
    assert start != end


def test_the_svg_is_cached_by_its_hash(content, monkeypatch):
    cache.clear()
    calls = []
    real = engine_figures.render_svg

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(content_figures.figures, "render_svg", counting)
    url = reverse("content:figure", kwargs={"slug": "clamshell"})
    first = Client().get(url, {"reps": 12})
    second = Client().get(url, {"reps": 12})
    assert first.content == second.content
    assert len(calls) == 1


def test_unknown_inactive_and_figureless_exercises_answer_404(content):
    client = Client()
    assert client.get("/exercises/no-such-exercise/figure.svg").status_code == 404
    Exercise.objects.filter(slug="clamshell").update(is_active=False)
    assert client.get("/exercises/clamshell/figure.svg").status_code == 404
    Exercise.objects.filter(slug="side-plank").update(figure={})
    assert client.get("/exercises/side-plank/figure.svg").status_code == 404


def test_the_signed_in_answer_stays_private(content, runner):
    client = Client()
    client.force_login(runner)
    response = client.get(reverse("content:figure", kwargs={"slug": "clamshell"}))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_the_exercise_api_gives_an_absolute_figure_url(content, runner):
    response = api(runner).get("/api/v1/exercises/")
    assert response.status_code == 200
    rows = response.json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    clam = next(r for r in rows if r["slug"] == "clamshell")
    assert clam["figure_url"] == "http://testserver/exercises/clamshell/figure.svg"


class Rx:
    def __init__(self, exercise, **dose):
        self.exercise = exercise
        self.tempo = dose.get("tempo", "")
        self.hold_seconds = dose.get("hold_seconds")
        self.reps = dose.get("reps")
        self.sets, self.rest_seconds = 3, 60


COMPONENT = Template('{% include "components/figure.html" with exercise=rx.exercise rx=rx %}')


def test_the_component_shows_the_figure_for_the_dose_in_the_readers_language(content):
    exercise = Exercise.objects.get(slug="clamshell")
    rx = Rx(exercise, tempo="3-1-1", reps=12)
    html = COMPONENT.render(Context({"rx": rx}))
    assert 'src="/exercises/clamshell/figure.svg?tempo=3-1-1&amp;reps=12"' in html
    assert "Animated figure demonstrating" in html
    assert "lift 1 s" in html
    with translation.override("nl"):
        dutch = COMPONENT.render(Context({"rx": rx}))
    assert "Bewegende figuur die" in dutch
    assert "optillen 1 s" in dutch
    assert "<video" not in html  # no video uploaded


def test_the_component_renders_nothing_without_a_figure(content):
    exercise = Exercise.objects.get(slug="clamshell")
    exercise.figure = {}
    assert COMPONENT.render(Context({"rx": Rx(exercise)})).strip() == ""


def test_the_admin_preview_draws_or_explains(content, admin_user, runner):
    url = reverse("admin:content_exercise_figure")
    figure = Exercise.objects.get(slug="clamshell").figure
    staff = Client()
    staff.force_login(admin_user)
    ok = staff.get(url, {"figure": json.dumps(figure)})
    assert ok.status_code == 200
    assert ok["Content-Type"].startswith("image/svg+xml")
    figure["start"]["right"]["hip"] = 200
    bad = staff.get(url, {"figure": json.dumps(figure)})
    assert bad.status_code == 400
    assert "right hip 200 degrees" in bad.content.decode()
    assert staff.get(url, {"figure": "{not json"}).status_code == 400
    other = Client()
    other.force_login(runner)
    assert other.get(url, {"figure": json.dumps(figure)}).status_code == 302  # to the login


def test_the_admin_change_page_has_the_preview(content, admin_user):
    client = Client()
    client.force_login(admin_user)
    pk = Exercise.objects.get(slug="clamshell").pk
    page = client.get(reverse("admin:content_exercise_change", args=[pk])).content.decode()
    assert "js/figure-preview.js" in page
    assert "data-figure-preview=" in page


def test_photos_and_videos_are_checked_by_their_content():
    png = SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20)
    validate_photo(png)
    with pytest.raises(ValidationError):
        validate_photo(SimpleUploadedFile("a.png", b"<svg onload=alert(1)>"))
    validate_video(SimpleUploadedFile("a.mp4", b"\x00\x00\x00\x18ftypmp42" + b"0" * 8))
    with pytest.raises(ValidationError):
        validate_video(SimpleUploadedFile("a.mp4", b"not a video at all"))
