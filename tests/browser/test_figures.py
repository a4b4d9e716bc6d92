"""Every exercise figure in Chromium: the animation reaches the end pose, every frame stays
inside the SVG, and reduced motion shows the start and end poses instead.

The figure is opened as its own SVG document; the Web Animations API pauses its CSS
animations and seeks them to the start pose (0 ms) and to the end pose (the svg's
data-end-ms). PNGs of both frames land in var/artifacts/figures/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from programs.content.loader import content_load_directory
from programs.content.models import Exercise

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "artifacts" / "figures"

pytestmark = pytest.mark.django_db(transaction=True)

SEEK = """ms => {
  const animations = document.getAnimations();
  for (const a of animations) { a.pause(); a.currentTime = ms; }
  return animations.length;
}"""

BOXES = """() => {
  const out = [];
  for (const el of document.querySelectorAll('.live path, .live rect')) {
    const b = el.getBBox();
    out.push([b.x, b.y, b.x + b.width, b.y + b.height]);
  }
  return out;
}"""


def _inside(boxes, width=240, height=200):
    return [
        b for b in boxes if b[0] < -0.5 or b[1] < -0.5 or b[2] > width + 0.5 or b[3] > height + 0.5
    ]


def test_every_figure_moves_from_start_to_end_inside_its_frame(browser, live_server):
    content_load_directory()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 240, "height": 200})
    page = context.new_page()
    exercises = list(Exercise.objects.filter(is_active=True).order_by("slug"))
    assert len(exercises) >= 29
    problems = {}
    for exercise in exercises:
        response = page.goto(f"{live_server.url}/exercises/{exercise.slug}/figure.svg")
        assert response.status == 200
        assert response.headers["content-type"].startswith("image/svg+xml")
        svg = page.locator("svg")
        end_ms = int(svg.get_attribute("data-end-ms"))
        assert page.evaluate(SEEK, 0) > 0, exercise.slug  # CSS animations are running
        start_boxes = page.evaluate(BOXES)
        start = svg.screenshot(path=str(ARTIFACTS / f"{exercise.slug}-start.png"))
        page.evaluate(SEEK, end_ms)
        end_boxes = page.evaluate(BOXES)
        end = svg.screenshot(path=str(ARTIFACTS / f"{exercise.slug}-end.png"))
        if start == end:
            problems[exercise.slug] = "the start and end frames are the same"
        outside = _inside(start_boxes) + _inside(end_boxes)
        if outside:
            problems[exercise.slug] = f"drawn outside the frame: {outside[:3]}"
    context.close()
    assert problems == {}


def test_reduced_motion_shows_the_start_and_end_poses_side_by_side(browser, live_server):
    content_load_directory()
    context = browser.new_context(viewport={"width": 240, "height": 200}, reduced_motion="reduce")
    page = context.new_page()
    page.goto(f"{live_server.url}/exercises/clamshell/figure.svg")
    shown = page.evaluate(
        """() => [getComputedStyle(document.querySelector('.live')).display,
                  getComputedStyle(document.querySelector('.still')).display]"""
    )
    assert shown == ["none", "inline"]
    page.screenshot(path=str(ARTIFACTS / "clamshell-reduced-motion.png"))
    context.close()


def test_the_figure_animates_inside_an_img_too(browser, live_server):
    content_load_directory()
    context = browser.new_context(viewport={"width": 300, "height": 240})
    page = context.new_page()
    page.goto(f"{live_server.url}/healthz")
    url = f"{live_server.url}/exercises/side-lying-abduction/figure.svg?tempo=1-0-1"
    page.set_content(f'<img id="f" src="{url}" width="240" height="200">')
    page.wait_for_function("document.getElementById('f').complete")
    assert page.evaluate("document.getElementById('f').naturalWidth") == 240
    # The image's own animation clock cannot be seeked from the page: draw it into a
    # canvas until a frame differs from the first one (polled, no fixed wait).
    moved = page.wait_for_function(
        """() => {
          const img = document.getElementById('f');
          const canvas = window.__c || (window.__c = document.createElement('canvas'));
          canvas.width = 240; canvas.height = 200;
          const ctx = canvas.getContext('2d');
          ctx.clearRect(0, 0, 240, 200);
          ctx.drawImage(img, 0, 0);
          const frame = canvas.toDataURL();
          if (window.__first === undefined) { window.__first = frame; return false; }
          return frame !== window.__first;
        }""",
        polling=100,
        timeout=10_000,
    )
    assert moved.json_value() is True
    context.close()
