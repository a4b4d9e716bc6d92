"""Reading figure data (plain mappings, as in the YAML library) and checking it.

Problems are returned, never raised: each has a code, where it is, and parameters, plus
an English message; the content layer shows them translated (programs/content/checks.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from programs.engine.figures.kinematics import interpolate, joint_names, joints
from programs.engine.figures.model import (
    BODY_JOINTS,
    HEIGHT,
    LENGTHS,
    LIMB_WIDTH,
    MUSCLES,
    PROPS,
    RANGES,
    SIDE_JOINTS,
    SIDES,
    STATIC_PROPS,
    VIEWS,
    WIDTH,
    FigureSpec,
    Pose,
    Prop,
    SideAngles,
)

MESSAGES = {
    "not_mapping": "{where}: must be a mapping.",
    "unknown_field": "{where}: unknown field '{field}'.",
    "missing": "{where}: missing '{field}'.",
    "bad_number": "{where}: '{field}' must be a number.",
    "bad_point": "{where}: 'at' must be two numbers [x, y].",
    "unknown_view": "Unknown view '{value}' (side or front).",
    "unknown_side": "{where}: unknown side '{value}' (left or right).",
    "unknown_prop": "Unknown prop '{value}'.",
    "unknown_muscle": "Unknown muscle to highlight '{value}'.",
    "unknown_joint": "{where}: unknown joint '{value}'.",
    "angle_range": "{where}: {joint} {value} degrees is outside its range {low} to {high}.",
    "outside_frame": "{where}: the figure is drawn outside the frame (x {x0} to {x1}, "
    "y {y0} to {y1}; the frame is 0 to {width} by 0 to {height}).",
    "prop_outside_frame": "The {value} is drawn outside the frame.",
    "still": "The start and end poses are the same: the figure would not move.",
}

_FIGURE_FIELDS = ("view", "props", "start", "end", "hold", "highlight", "side", "near")
_POSE_FIELDS = ("anchor", "at", "both", "left", "right", *BODY_JOINTS)
_PROP_FIELDS = ("kind", "x", "y", "w", "h", "attach")
_SAMPLES = (0.25, 0.5, 0.75)


@dataclass(frozen=True)
class FigureProblem:
    code: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return MESSAGES[self.code].format(**self.params)

    def __str__(self) -> str:
        return self.message


def _num(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fmt(value: float) -> str:
    return f"{value:g}"


class _Reader:
    def __init__(self, view: str) -> None:
        self.view = view
        self.problems: list[FigureProblem] = []

    def add(self, code: str, **params: str) -> None:
        self.problems.append(FigureProblem(code, params))

    def fields(self, data: Mapping[str, object], allowed: tuple[str, ...], where: str) -> None:
        for name in data:
            if name not in allowed:
                self.add("unknown_field", where=where, field=str(name))

    def angles(self, data: object, where: str) -> dict[str, float]:
        if data is None:
            return {}
        if not isinstance(data, Mapping):
            self.add("not_mapping", where=where)
            return {}
        self.fields(data, SIDE_JOINTS, where)
        out = {}
        for name in SIDE_JOINTS:
            if name in data:
                value = data[name]
                if _num(value):
                    out[name] = float(value)
                else:
                    self.add("bad_number", where=where, field=name)
        return out

    def pose(self, data: object, where: str) -> Pose | None:
        if not isinstance(data, Mapping):
            self.add("not_mapping", where=where)
            return None
        self.fields(data, _POSE_FIELDS, where)
        both = self.angles(data.get("both"), f"{where}.both")
        sides = {
            side: SideAngles(**{**both, **self.angles(data.get(side), f"{where}.{side}")})
            for side in SIDES
        }
        body: dict[str, float] = {}
        for name in BODY_JOINTS:
            if name in data:
                if _num(data[name]):
                    body[name] = float(data[name])
                else:
                    self.add("bad_number", where=where, field=name)
        anchor = data.get("anchor", "pelvis")
        if not isinstance(anchor, str) or anchor not in joint_names(self.view):
            self.add("unknown_joint", where=where, value=str(anchor))
            anchor = "pelvis"
        at = data.get("at", (WIDTH / 2, HEIGHT / 2))
        if not (isinstance(at, list | tuple) and len(at) == 2 and all(_num(v) for v in at)):
            self.add("bad_point", where=where)
            at = (WIDTH / 2, HEIGHT / 2)
        return Pose(
            anchor=anchor,
            at=(float(at[0]), float(at[1])),
            left=sides["left"],
            right=sides["right"],
            **body,
        )

    def prop(self, data: object, where: str) -> Prop | None:
        if isinstance(data, str):
            data = {"kind": data}
        if not isinstance(data, Mapping):
            self.add("not_mapping", where=where)
            return None
        self.fields(data, _PROP_FIELDS, where)
        kind = data.get("kind")
        if kind not in PROPS:
            self.add("unknown_prop", value=str(kind))
            return None
        numbers = {}
        for name in ("x", "y", "w", "h"):
            if name in data:
                if _num(data[name]):
                    numbers[name] = float(data[name])
                else:
                    self.add("bad_number", where=where, field=name)
        attach = data.get("attach") or []
        if isinstance(attach, str):
            attach = [attach]
        names = joint_names(self.view)
        attach_ok = []
        for joint in attach if isinstance(attach, list) else [attach]:
            if joint in names:
                attach_ok.append(str(joint))
            else:
                self.add("unknown_joint", where=where, value=str(joint))
        return Prop(kind=str(kind), attach=tuple(attach_ok), **numbers)


def parse_figure(data: object) -> tuple[FigureSpec | None, list[FigureProblem]]:
    """The spec described by the mapping, and every problem with it (the spec is None when
    the data cannot describe a figure at all)."""
    if not isinstance(data, Mapping) or not data:
        return None, [FigureProblem("not_mapping", {"where": "figure"})]
    view = data.get("view", "side")
    if view not in VIEWS:
        return None, [FigureProblem("unknown_view", {"value": str(view)})]
    reader = _Reader(str(view))
    reader.fields(data, _FIGURE_FIELDS, "figure")
    poses: dict[str, Pose | None] = {}
    for name in ("start", "end", "hold"):
        if name in data and data[name] is not None:
            poses[name] = reader.pose(data[name], name)
        elif name != "hold":
            reader.add("missing", where="figure", field=name)
    props = []
    raw_props = data.get("props") or []
    for index, raw in enumerate(raw_props if isinstance(raw_props, list) else [raw_props]):
        prop = reader.prop(raw, f"props[{index + 1}]")
        if prop is not None:
            props.append(prop)
    highlight = data.get("highlight") or []
    if isinstance(highlight, str):
        highlight = [highlight]
    muscles = []
    for muscle in highlight if isinstance(highlight, list) else [highlight]:
        if muscle in MUSCLES:
            muscles.append(str(muscle))
        else:
            reader.add("unknown_muscle", value=str(muscle))
    sides = {}
    for name in ("side", "near"):
        value = data.get(name, "left")
        if value not in SIDES:
            reader.add("unknown_side", where=name, value=str(value))
            value = "left"
        sides[name] = str(value)
    start, end = poses.get("start"), poses.get("end")
    if start is None or end is None:
        return None, reader.problems
    spec = FigureSpec(
        view=str(view),
        start=start,
        end=end,
        hold=poses.get("hold"),
        props=tuple(props),
        highlight=tuple(muscles),
        side=sides["side"],
        near=sides["near"],
    )
    return spec, reader.problems + validate_figure(spec)


def angle_problems(pose: Pose, where: str) -> list[FigureProblem]:
    problems = []
    for name in BODY_JOINTS:
        problems += _range(name, pose.angle(name), where, name)
    for side in SIDES:
        for name in SIDE_JOINTS:
            problems += _range(name, pose.angle(name, side), where, f"{side} {name}")
    return problems


def _range(name: str, value: float, where: str, label: str) -> list[FigureProblem]:
    low, high = RANGES[name]
    if low <= value <= high:
        return []
    params = {"where": where, "joint": label, "value": _fmt(value)}
    return [FigureProblem("angle_range", {**params, "low": _fmt(low), "high": _fmt(high)})]


def pose_bbox(pose: Pose, view: str) -> tuple[float, float, float, float]:
    """The box (x0, y0, x1, y1) the drawn body covers, strokes and head included."""
    pts = joints(pose, view)
    pad = LIMB_WIDTH / 2
    head = LENGTHS["head"] + 1.5
    hx, hy = pts["head"]
    xs = [p[0] for name, p in pts.items() if name != "head"]
    ys = [p[1] for name, p in pts.items() if name != "head"]
    return (
        min(min(xs) - pad, hx - head),
        min(min(ys) - pad, hy - head),
        max(max(xs) + pad, hx + head),
        max(max(ys) + pad, hy + head),
    )


def frame_problems(pose: Pose, view: str, where: str) -> list[FigureProblem]:
    x0, y0, x1, y1 = pose_bbox(pose, view)
    if x0 >= 0 and y0 >= 0 and x1 <= WIDTH and y1 <= HEIGHT:
        return []
    params = {"x0": x0, "y0": y0, "x1": x1, "y1": y1, "width": WIDTH, "height": HEIGHT}
    return [
        FigureProblem(
            "outside_frame", {"where": where, **{k: f"{v:.0f}" for k, v in params.items()}}
        )
    ]


def prop_box(prop: Prop) -> tuple[float, float, float, float] | None:
    """The box of a static prop, with the defaults the renderer uses."""
    from programs.engine.figures.render import static_prop_box

    return static_prop_box(prop) if prop.kind in STATIC_PROPS else None


def validate_figure(spec: FigureSpec) -> list[FigureProblem]:
    """Angles within their anatomical ranges, everything inside the frame (at the poses
    and on the way between them), and a figure that moves."""
    problems: list[FigureProblem] = []
    poses = spec.poses()
    for name, pose in poses.items():
        problems += angle_problems(pose, name)
    if problems:
        return problems
    for name, pose in poses.items():
        problems += frame_problems(pose, spec.view, name)
    legs = [("start", "end", spec.start, spec.end)]
    if spec.hold is not None:
        legs.append(("end", "hold", spec.end, spec.hold))
    for a_name, b_name, a, b in legs:
        for t in _SAMPLES:
            between = interpolate(a, b, t, spec.view)
            problems += frame_problems(between, spec.view, f"{a_name} -> {b_name}")
    for prop in spec.props:
        box = prop_box(prop)
        if box and (box[0] < 0 or box[1] < 0 or box[2] > WIDTH or box[3] > HEIGHT):
            problems.append(FigureProblem("prop_outside_frame", {"value": prop.kind}))
    if joints(spec.start, spec.view) == joints(spec.end, spec.view):
        problems.append(FigureProblem("still"))
    return _unique(problems)


def _unique(problems: list[FigureProblem]) -> list[FigureProblem]:
    seen: set[str] = set()
    out = []
    for problem in problems:
        key = problem.code + repr(sorted(problem.params.items()))
        if key not in seen:
            seen.add(key)
            out.append(problem)
    return out
