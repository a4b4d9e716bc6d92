"""Exercise figures: render time (uncached, pure engine) and SVG size for every library figure.

Target: under 5 ms per figure (median), animation with the default dose.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from bench.support import summary_ms, timed

LIBRARY = Path(__file__).resolve().parents[1] / "programs/content/library/exercises.yaml"


def run() -> list[tuple[str, str]]:
    import yaml

    from programs.engine.figures import dose_from, parse_figure, render_svg

    exercises = yaml.safe_load(LIBRARY.read_text(encoding="utf-8"))["exercises"]
    rows = []
    worst = 0.0
    for exercise in exercises:
        spec, problems = parse_figure(exercise["figure"])
        if spec is None or problems:
            rows.append((exercise["slug"], "invalid figure"))
            continue
        dose = dose_from(
            tempo=exercise.get("tempo"), hold_seconds=exercise.get("default_hold_seconds")
        )
        svg = render_svg(spec, dose=dose, title=exercise["slug"])
        samples = timed(partial(render_svg, spec, dose=dose), 100)
        worst = max(worst, sorted(samples)[len(samples) // 2])
        rows.append((exercise["slug"], f"{summary_ms(samples)}, {len(svg) / 1024:.1f} KiB"))
    parse = timed(lambda: [parse_figure(e["figure"]) for e in exercises], 20)
    rows.append(("slowest median render", f"{worst * 1000:.2f} ms"))
    rows.append((f"parse + validate all {len(exercises)} figures", summary_ms(parse)))
    return rows
