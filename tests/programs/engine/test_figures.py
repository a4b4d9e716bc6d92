"""The figure engine: kinematics, the anatomical ranges, the frame, and the animated SVG."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from programs.engine import figures
from programs.engine.figures import (
    HEIGHT,
    RANGES,
    WIDTH,
    Dose,
    dose_from,
    joints,
    parse_figure,
    parse_tempo,
    pose_bbox,
    render_svg,
)
from programs.engine.figures.model import SIDE_JOINTS

LIBRARY = Path(__file__).resolve().parents[3] / "programs/content/library/exercises.yaml"

STANDING = {"anchor": "left_ankle", "at": [120, 186]}
LIFT = {**STANDING, "right": {"hip_abd": 30}}
SIMPLE = {"view": "front", "start": STANDING, "end": LIFT, "highlight": ["gluteus_medius"]}


def spec_of(data):
    spec, problems = parse_figure(data)
    assert problems == [], [p.message for p in problems]
    return spec


def test_standing_side_view_stacks_the_joints():
    kick = {**STANDING, "right": {"hip": 30}}
    pts = joints(spec_of({"view": "side", "start": STANDING, "end": kick}).start, "side")
    ankle, knee, hip, neck = pts["left_ankle"], pts["left_knee"], pts["pelvis"], pts["neck"]
    assert ankle == pytest.approx((120, 186))
    assert knee == pytest.approx((120, 143))  # shank 43 straight above the ankle
    assert hip == pytest.approx((120, 98))  # thigh 45
    assert neck == pytest.approx((120, 43))  # trunk 55
    assert pts["left_toe"] == pytest.approx((136, 186))  # the foot points forward


def test_hip_flexion_moves_the_knee_forward_and_abduction_outward():
    side = spec_of({"view": "side", "start": STANDING, "end": {**STANDING, "left": {"knee": 1}}})
    flexed = figures.Pose(anchor="pelvis", at=(100, 100), left=figures.SideAngles(hip=90))
    assert joints(flexed, "side")["left_knee"] == pytest.approx((145, 100))
    abducted = figures.Pose(anchor="pelvis", at=(100, 100), left=figures.SideAngles(hip_abd=90))
    knee = joints(abducted, "front")["left_knee"]
    assert knee[0] > 150
    assert knee[1] == pytest.approx(100)
    assert side.view == "side"


@pytest.mark.parametrize(
    ("joint", "value"),
    [("hip", 140), ("hip", -45), ("hip_abd", 70), ("knee", -10), ("knee", 170), ("ankle", 45)],
)
def test_angles_outside_their_range_are_refused(joint, value):
    data = {**SIMPLE, "end": {**LIFT, "left": {joint: value}}}
    _spec, problems = parse_figure(data)
    assert [p.code for p in problems] == ["angle_range"]
    assert f"left {joint} {value:g} degrees" in problems[0].message
    assert problems[0].params["where"] == "end"


def test_a_figure_outside_the_frame_is_refused():
    _spec, problems = parse_figure({**SIMPLE, "end": {**LIFT, "at": [120, 120]}})
    assert "outside_frame" in [p.code for p in problems]


def test_a_figure_passing_outside_the_frame_between_its_poses_is_refused():
    # Lying near the left edge, the top leg sweeps from pointing down-left to up-left:
    # both poses fit, the straight-left position on the way does not.
    lying = {"anchor": "pelvis", "at": [90, 100], "tilt": 90, "left": {"hip": 60}}
    start = {**lying, "right": {"hip_abd": -30}}
    end = {**lying, "right": {"hip_abd": 50}}
    spec, problems = parse_figure({"view": "front", "start": start, "end": end})
    assert not figures.validation.frame_problems(spec.start, "front", "start")
    assert not figures.validation.frame_problems(spec.end, "front", "end")
    assert [p.params["where"] for p in problems if p.code == "outside_frame"]
    assert {p.params["where"] for p in problems} == {"start -> end"}


def test_unknown_names_and_a_still_figure_are_refused():
    _spec, problems = parse_figure(
        {
            "view": "side",
            "start": {**STANDING, "left": {"elbw": 10}},
            "end": STANDING,
            "props": ["trampoline"],
            "highlight": ["biceps"],
            "colour": "red",
        }
    )
    codes = {p.code for p in problems}
    assert {"unknown_field", "unknown_prop", "unknown_muscle", "still"} <= codes
    assert parse_figure({"view": "top", "start": STANDING, "end": LIFT})[1][0].code == (
        "unknown_view"
    )
    assert parse_figure({"view": "side", "start": STANDING})[1][0].code == "missing"
    assert parse_figure({})[1][0].code == "not_mapping"


angles = {
    name: st.floats(min_value=RANGES[name][0], max_value=RANGES[name][1], allow_nan=False)
    for name in RANGES
}
side_angles = st.fixed_dictionaries({name: angles[name] for name in SIDE_JOINTS})


@settings(max_examples=60, deadline=None)
@given(
    view=st.sampled_from(["side", "front"]),
    left=side_angles,
    right=side_angles,
    trunk=angles["trunk"],
    trunk_side=angles["trunk_side"],
    tilt=angles["tilt"],
    x=st.floats(min_value=0, max_value=WIDTH),
    y=st.floats(min_value=0, max_value=HEIGHT),
)
def test_any_valid_pose_is_drawn_inside_the_frame_or_refused(
    view, left, right, trunk, trunk_side, tilt, x, y
):
    pose = {"anchor": "pelvis", "at": [x, y], "tilt": tilt, "trunk": trunk}
    pose |= {"trunk_side": trunk_side, "left": left, "right": right}
    data = {"view": view, "start": pose, "end": {**pose, "neck": 20}}
    spec, problems = parse_figure(data)
    assert "angle_range" not in {p.code for p in problems}
    x0, y0, x1, y1 = pose_bbox(spec.start, view)
    inside = x0 >= 0 and y0 >= 0 and x1 <= WIDTH and y1 <= HEIGHT
    if not problems:
        assert inside
        svg = render_svg(spec, frame="start")
        for px, py in re.findall(r"(-?\d+\.\d) (-?\d+\.\d)", svg):
            assert -0.1 <= float(px) <= WIDTH + 0.1
            assert -0.1 <= float(py) <= HEIGHT + 0.1
    elif not inside:
        assert "outside_frame" in {p.code for p in problems}


@settings(max_examples=40, deadline=None)
@given(
    joint=st.sampled_from(SIDE_JOINTS),
    beyond=st.floats(min_value=0.5, max_value=90),
    high=st.booleans(),
)
def test_any_angle_out_of_range_is_refused(joint, beyond, high):
    low, top = RANGES[joint]
    value = top + beyond if high else low - beyond
    _spec, problems = parse_figure({**SIMPLE, "start": {**STANDING, "right": {joint: value}}})
    assert any(p.code == "angle_range" and p.params["joint"] == f"right {joint}" for p in problems)


def test_tempo_reads_lowering_pause_lifting_and_the_library_phrases():
    assert parse_tempo("3-1-1") == (3.0, 1.0, 1.0, 0.0)
    assert parse_tempo("2 s up, 1 s hold, 2 s down") == (2.0, 0.0, 2.0, 1.0)
    assert parse_tempo("3 s down, 1-2 s up") == (3.0, 0.0, 1.5, 0.0)
    assert parse_tempo("steady") is None
    dose = dose_from(tempo="3-1-1", hold_seconds=10, reps=12)
    assert (dose.lower, dose.pause, dose.lift, dose.hold, dose.reps) == (3, 1, 1, 10, 12)


def _duration(svg: str) -> float:
    found = re.findall(r"animation:\w+ ([\d.]+)s linear infinite", svg)
    assert found
    assert len(set(found)) == 1
    return float(found[0])


def test_the_dose_sets_the_animation_timing():
    spec = spec_of(SIMPLE)
    five = render_svg(spec, dose=dose_from(tempo="2-0-2", hold_seconds=5))
    ten = render_svg(spec, dose=dose_from(tempo="2-0-2", hold_seconds=10))
    assert _duration(ten) - _duration(five) == pytest.approx(5, abs=0.02)
    slow = render_svg(spec, dose=dose_from(tempo="4-1-2"))
    assert _duration(slow) == pytest.approx(4 + 1 + 2, abs=0.02)
    assert 'data-end-ms="2000"' in slow  # the end pose is reached after the 2 s lift


def test_the_svg_is_accessible_and_stops_for_reduced_motion():
    svg = render_svg(spec_of(SIMPLE), title="Side step <demo>", desc="lift 2 s")
    assert svg.startswith("<svg")
    assert 'role="img"' in svg
    assert "<title" in svg
    assert "Side step &lt;demo&gt;" in svg
    assert "lift 2 s</desc>" in svg
    media = svg[svg.index("@media (prefers-reduced-motion:reduce)") :]
    assert ".live{display:none}" in media
    assert ".still{display:inline}" in media
    assert "animation:none" in media
    still = svg[svg.index('<g class="still">') :]
    assert still.count("translate(") == 2  # the start and end poses side by side
    assert "d:path(" in svg  # the joints move through keyframes
    assert "<script" not in svg


def test_the_highlight_follows_the_pose():
    spec = spec_of({**SIMPLE, "side": "right", "highlight": ["tfl"]})  # runs along the thigh
    start, end = render_svg(spec, frame="start"), render_svg(spec, frame="end")
    muscle = re.compile(r'class="m" d="([^"]+)"')
    assert muscle.search(start)
    assert muscle.search(start).group(1) != muscle.search(end).group(1)


def test_a_still_frame_has_no_animation():
    svg = render_svg(spec_of(SIMPLE), frame="end")
    assert "@keyframes" not in svg
    assert 'data-duration-ms="0"' in svg


def test_every_library_figure_is_valid_and_moves():
    exercises = yaml.safe_load(LIBRARY.read_text(encoding="utf-8"))["exercises"]
    assert len(exercises) >= 29
    for exercise in exercises:
        spec, problems = parse_figure(exercise.get("figure"))
        assert problems == [], (exercise["slug"], [p.message for p in problems])
        assert render_svg(spec, frame="start") != render_svg(spec, frame="end")
        assert render_svg(spec, dose=Dose()).count("@keyframes") >= 6


def test_a_hold_pose_is_reached_after_the_end_pose_and_held():
    hold = {**STANDING, "right": {"hip_abd": 35}}
    spec = spec_of({**SIMPLE, "hold": hold})
    frames, total, end_at = figures.timeline(spec, dose_from(tempo="2-0-2", hold_seconds=10))
    assert end_at == 2
    assert total == pytest.approx(2 + figures.render.HOLD_STEP + 10 + 2 + 0.4)
    held = [t for t, pose in frames if pose == spec.hold]
    assert held[-1] - held[0] == pytest.approx(10)
    assert render_svg(spec, frame="hold") != render_svg(spec, frame="end")
