"""Draw a figure as SVG: the body in every keyframe of one repetition, animated with CSS.

Each body part is one <path>; a CSS @keyframes rule per part animates its `d` through the
poses computed by forward kinematics at small steps of joint-angle interpolation (so limbs
keep their length while they turn). CSS animations run in an SVG shown through <img> as
well as inline. Under `prefers-reduced-motion: reduce` the animated group is hidden and
the start and end poses are shown side by side instead.
"""

from __future__ import annotations

import hashlib
import math
from html import escape

from programs.engine.figures.dose import Dose
from programs.engine.figures.kinematics import Point, interpolate, joints
from programs.engine.figures.model import (
    FLOOR,
    HEIGHT,
    LENGTHS,
    LIMB_WIDTH,
    WIDTH,
    FigureSpec,
    Pose,
    Prop,
)

STEPS = 4  # keyframes per movement (plus its end)
HOLD_STEP = 0.6  # seconds to move from the end pose into a distinct hold pose

_CSS = (
    "path{{fill:none;stroke-linecap:round;stroke-linejoin:round}}"
    ".b{{stroke:#1e3a5f;stroke-width:{w}}}.f{{stroke:#7b8fa8;stroke-width:{w}}}"
    ".h{{fill:#1e3a5f;stroke:#1e3a5f;stroke-width:2}}"
    ".m{{stroke:#e4572e;stroke-width:11;opacity:.75}}"
    ".pr{{fill:#d5dde6;stroke:#8795a5;stroke-width:1}}.fl{{stroke:#8795a5;stroke-width:1.5}}"
    ".bd{{stroke:#2a9d5c;stroke-width:2.5}}.bt{{stroke:#7a4b1e;stroke-width:3.5}}"
    ".wt{{fill:#4a4a4a;stroke:#4a4a4a;stroke-width:1}}"
    ".still{{display:none}}"
    "@media (prefers-reduced-motion:reduce){{.live{{display:none}}.still{{display:inline}}"
    ".live *{{animation:none!important}}}}"
)


def _p(pt: Point) -> str:
    return f"{pt[0]:.1f} {pt[1]:.1f}"


def _line(*pts: Point) -> str:
    return "M" + "L".join(_p(p) for p in pts)


def _circle(c: Point, r: float) -> str:
    x, y = c
    return (
        f"M{x - r:.1f} {y:.1f}A{r:g} {r:g} 0 1 0 {x + r:.1f} {y:.1f}"
        f"A{r:g} {r:g} 0 1 0 {x - r:.1f} {y:.1f}Z"
    )


def _rect(c: Point, w: float, h: float) -> str:
    x, y = c
    return (
        f"M{x - w / 2:.1f} {y - h / 2:.1f}L{x + w / 2:.1f} {y - h / 2:.1f}"
        f"L{x + w / 2:.1f} {y + h / 2:.1f}L{x - w / 2:.1f} {y + h / 2:.1f}Z"
    )


def _dir(theta: float) -> Point:
    rad = math.radians(theta)
    return (math.sin(rad), math.cos(rad))


def _off(p: Point, *moves: tuple[Point, float]) -> Point:
    x, y = p
    for (dx, dy), length in moves:
        x += dx * length
        y += dy * length
    return (x, y)


def _along(a: Point, b: Point, t: float, side: float = 0.0) -> Point:
    vx, vy = b[0] - a[0], b[1] - a[1]
    norm = math.hypot(vx, vy) or 1.0
    return (a[0] + vx * t - vy / norm * side, a[1] + vy * t + vx / norm * side)


def _muscle(name: str, spec: FigureSpec, pose: Pose, pts: dict[str, Point]) -> str:
    """A short thick stroke over the muscle on the working side."""
    s = spec.side
    hip, knee, pelvis = pts[f"{s}_hip"], pts[f"{s}_knee"], pts["pelvis"]
    up, down = _dir(180 - pose.tilt), _dir(-pose.tilt)
    if spec.view == "side":
        back, fwd = _dir(-90 - pose.tilt), _dir(90 - pose.tilt)
        shapes = {
            "gluteus_maximus": (_off(hip, (back, 7), (up, 5)), _off(hip, (back, 8), (down, 8))),
            "gluteus_medius": (_off(hip, (up, 15), (back, 2)), _off(hip, (up, 5))),
            "gluteus_minimus": (_off(hip, (up, 11), (fwd, 2)), _off(hip, (up, 3), (fwd, 2))),
            "tfl": (_off(hip, (fwd, 4), (up, 6)), _along(hip, knee, 0.3, -4)),
        }
    else:
        lat = _along(pelvis, hip, 1.0)
        vx, vy = hip[0] - pelvis[0], hip[1] - pelvis[1]
        n = math.hypot(vx, vy) or 1.0
        u = (vx / n, vy / n)
        shapes = {
            "gluteus_maximus": (_off(lat, (u, -3), (down, 3)), _off(lat, (u, 1), (down, 10))),
            "gluteus_medius": (_off(lat, (u, 4), (up, 14)), _off(lat, (u, 5), (up, 3))),
            "gluteus_minimus": (_off(lat, (u, 2), (up, 9)), _off(lat, (u, 3), (up, 1))),
            "tfl": (_off(lat, (u, 5)), _along(hip, knee, 0.35, 0)),
        }
    shapes["quadriceps"] = (_along(hip, knee, 0.2, -2), _along(hip, knee, 0.8, -2))
    shapes["hamstrings"] = (_along(hip, knee, 0.2, 2.5), _along(hip, knee, 0.8, 2.5))
    shapes["trunk"] = (_along(pelvis, pts["neck"], 0.2), _along(pelvis, pts["neck"], 0.75))
    a, b = shapes[name]
    return _line(a, b)


def _parts(spec: FigureSpec, pose: Pose) -> list[tuple[str, str]]:
    """(css class, path data) of every moving part, back to front; the same list shape for
    every pose of one spec, so keyframes match part for part."""
    pts = joints(pose, spec.view)
    far, near = ("right", "left") if spec.near == "left" else ("left", "right")
    far_cls = "f" if spec.view == "side" else "b"

    def leg(side: str) -> str:
        return _line(*(pts[f"{side}_{j}"] for j in ("hip", "knee", "ankle", "toe")))

    def arm(side: str) -> str:
        return _line(*(pts[f"{side}_{j}"] for j in ("shoulder", "elbow", "hand")))

    body = _line(pts["pelvis"], pts["neck"], pts["head_base"])
    if spec.view == "front":
        body += _line(pts["right_hip"], pts["left_hip"])
        body += _line(pts["right_shoulder"], pts["left_shoulder"])
    parts = [
        (far_cls, arm(far)),
        (far_cls, leg(far)),
        ("b", body),
        ("h", _circle(pts["head"], LENGTHS["head"])),
    ]
    parts += [("m", _muscle(m, spec, pose, pts)) for m in spec.highlight]
    parts += [("b", leg(near)), ("b", arm(near))]
    for prop in spec.props:
        if prop.kind in ("band", "belt") and prop.attach:
            ends = [pts[j] for j in prop.attach[:2]]
            if len(ends) == 1:
                ends.append((prop.x, prop.y))
            parts.append(("bd" if prop.kind == "band" else "bt", _line(*ends)))
        elif prop.kind == "weight" and prop.attach:
            parts.append(("wt", _rect(pts[prop.attach[0]], prop.w or 12, prop.h or 7)))
    return parts


def static_prop_box(prop: Prop) -> tuple[float, float, float, float]:
    kind = prop.kind
    if kind == "mat":
        x, w = prop.x or 10, prop.w or 220
        return (x, FLOOR - (prop.h or 4), x + w, FLOOR)
    if kind == "wall":
        y = prop.y or 8
        return (prop.x, y, prop.x + (prop.w or 8), FLOOR)
    if kind == "chair":
        w = prop.w or 40
        return (prop.x, prop.y - (prop.h or 45), prop.x + w, FLOOR)
    y = prop.y or FLOOR - 20
    return (prop.x, y, prop.x + (prop.w or 40), y + (prop.h or FLOOR - y))


def _static_props(spec: FigureSpec) -> str:
    out = [f'<path class="fl" d="M4 {FLOOR:g}L{WIDTH - 4:g} {FLOOR:g}"/>']
    for prop in spec.props:
        if prop.kind in ("band", "belt", "weight"):
            continue
        x0, y0, x1, y1 = static_prop_box(prop)
        if prop.kind == "chair":
            seat = prop.y
            out.append(
                f'<path class="pr" d="M{x0:.1f} {seat:.1f}L{x1:.1f} {seat:.1f}L{x1:.1f} '
                f'{seat + 5:.1f}L{x0:.1f} {seat + 5:.1f}Z"/>'
                f'<path class="fl" d="M{x0 + 2:.1f} {seat:.1f}L{x0 + 2:.1f} {y0:.1f}'
                f"M{x0 + 2:.1f} {seat + 5:.1f}L{x0 + 2:.1f} {FLOOR:g}"
                f'M{x1 - 2:.1f} {seat + 5:.1f}L{x1 - 2:.1f} {FLOOR:g}"/>'
            )
            continue
        out.append(
            f'<rect class="pr" x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" '
            f'height="{y1 - y0:.1f}"/>'
        )
    return "".join(out)


def _still(spec: FigureSpec, pose: Pose) -> str:
    return "".join(f'<path class="{c}" d="{d}"/>' for c, d in _parts(spec, pose))


def _smooth(t: float) -> float:
    return t * t * (3 - 2 * t)


def timeline(spec: FigureSpec, dose: Dose) -> tuple[list[tuple[float, Pose]], float, float]:
    """The keyframes of one repetition as (seconds, pose), its length, and the second at
    which the end pose is reached."""
    frames: list[tuple[float, Pose]] = [(0.0, spec.start)]

    def move(a: Pose, b: Pose, t0: float, length: float) -> float:
        for k in range(1, STEPS + 1):
            frames.append(
                (t0 + length * k / STEPS, interpolate(a, b, _smooth(k / STEPS), spec.view))
            )
        return t0 + length

    t = move(spec.start, spec.end, 0.0, dose.lift)
    end_at = t
    held = spec.end
    if spec.hold is not None:
        t = move(spec.end, spec.hold, t, HOLD_STEP)
        held = spec.hold
    if dose.hold > 0:
        t += dose.hold
        frames.append((t, held))
    t = move(held, spec.start, t, dose.lower)
    t += dose.pause
    frames.append((t, spec.start))
    return frames, t, end_at


def figure_key(spec: FigureSpec, dose: Dose | None, frame: str | None) -> str:
    return hashlib.sha1(repr((spec, dose, frame)).encode(), usedforsecurity=False).hexdigest()


def render_svg(
    spec: FigureSpec,
    *,
    dose: Dose | None = None,
    title: str = "",
    desc: str = "",
    frame: str | None = None,
    uid: str = "",
) -> str:
    """The SVG document. frame="start"/"end"/"hold" draws that pose still, without
    animation; `uid` prefixes the CSS names when several figures share one page."""
    dose = dose or Dose()
    u = uid or "x"
    css = [_CSS.format(w=LIMB_WIDTH)]
    if frame is not None:
        pose = spec.poses().get(frame, spec.start)
        live = _still(spec, pose)
        total = end_at = 0.0
    else:
        frames, total, end_at = timeline(spec, dose)
        drawn = [(t, _parts(spec, pose)) for t, pose in frames]
        base = drawn[0][1]
        live_parts = []
        for index, (cls, d) in enumerate(base):
            name = f"{u}{index}"
            steps = "".join(
                f'{t / total * 100:.2f}%{{d:path("{parts[index][1]}")}}' for t, parts in drawn
            )
            css.append(
                f"@keyframes {name}{{{steps}}}.{name}{{animation:{name} {total:.2f}s linear infinite}}"
            )
            live_parts.append(f'<path class="{cls} {name}" d="{d}"/>')
        live = "".join(live_parts)
    scale = 0.5
    still = (
        f'<g class="still"><g transform="translate(0 {HEIGHT / 4:g}) scale({scale})">'
        f"{_static_props(spec)}{_still(spec, spec.start)}</g>"
        f'<g transform="translate({WIDTH / 2:g} {HEIGHT / 4:g}) scale({scale})">'
        f"{_static_props(spec)}{_still(spec, spec.hold or spec.end)}</g></g>"
    )
    reps = f' data-reps="{dose.reps}"' if dose.reps else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH:g} {HEIGHT:g}" '
        f'width="{WIDTH:g}" height="{HEIGHT:g}" role="img" aria-labelledby="{u}t {u}d" '
        f'data-duration-ms="{total * 1000:.0f}" data-end-ms="{end_at * 1000:.0f}"{reps}>'
        f'<title id="{u}t">{escape(title)}</title><desc id="{u}d">{escape(desc)}</desc>'
        f"<style>{''.join(css)}</style>"
        f'<g class="live">{_static_props(spec)}{live}</g>{still}</svg>'
    )
