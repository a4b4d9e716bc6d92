"""Forward kinematics: a pose's joint angles -> the points of every body part in the frame."""

from __future__ import annotations

import math

from programs.engine.figures.model import LENGTHS, SIDE_JOINTS, SIDES, Pose, SideAngles

Point = tuple[float, float]


def _dir(theta: float) -> Point:
    """Unit vector; theta 0 points down the screen, 90 right, 180 up."""
    rad = math.radians(theta)
    return (math.sin(rad), math.cos(rad))


def _step(p: Point, theta: float, length: float) -> Point:
    dx, dy = _dir(theta)
    return (p[0] + dx * length, p[1] + dy * length)


def _cos(angle: float) -> float:
    return math.cos(math.radians(angle))


def joints(pose: Pose, view: str) -> dict[str, Point]:
    """Every joint of the pose, placed so that `pose.anchor` lands on `pose.at`."""
    pts = _joints_at_origin(pose, view)
    if pose.anchor not in pts:
        raise KeyError(pose.anchor)
    ax, ay = pts[pose.anchor]
    dx, dy = pose.at[0] - ax, pose.at[1] - ay
    return {name: (x + dx, y + dy) for name, (x, y) in pts.items()}


def joint_names(view: str) -> tuple[str, ...]:
    return tuple(_joints_at_origin(Pose(), view))


def _joints_at_origin(pose: Pose, view: str) -> dict[str, Point]:
    if view == "front":
        return _front(pose)
    return _side(pose)


def _side(pose: Pose) -> dict[str, Point]:
    tilt = pose.tilt
    pelvis: Point = (0.0, 0.0)
    trunk_theta = 180.0 - tilt - pose.trunk
    neck = _step(pelvis, trunk_theta, LENGTHS["trunk"])
    neck_theta = trunk_theta - pose.neck
    head_base = _step(neck, neck_theta, LENGTHS["neck"])
    pts: dict[str, Point] = {
        "pelvis": pelvis,
        "neck": neck,
        "head_base": head_base,
        "head": _step(head_base, neck_theta, LENGTHS["head"]),
    }
    for side in SIDES:
        a = pose.left if side == "left" else pose.right
        thigh = -tilt + a.hip
        knee = _step(pelvis, thigh, LENGTHS["thigh"])
        shank = thigh - a.knee
        ankle = _step(knee, shank, LENGTHS["shank"])
        toe = _step(ankle, shank + 90.0 + a.ankle, LENGTHS["foot"])
        arm = -tilt - pose.trunk + a.shoulder
        elbow = _step(neck, arm, LENGTHS["upper_arm"])
        hand = _step(elbow, arm + a.elbow, LENGTHS["forearm"])
        pts.update(
            {
                f"{side}_hip": pelvis,
                f"{side}_knee": knee,
                f"{side}_ankle": ankle,
                f"{side}_toe": toe,
                f"{side}_shoulder": neck,
                f"{side}_elbow": elbow,
                f"{side}_hand": hand,
            }
        )
    return pts


def _front(pose: Pose) -> dict[str, Point]:
    tilt = pose.tilt
    pelvis: Point = (0.0, 0.0)
    trunk_theta = 180.0 - tilt - pose.trunk_side
    neck = _step(pelvis, trunk_theta, LENGTHS["trunk"] * _cos(pose.trunk))
    head_base = _step(neck, trunk_theta, LENGTHS["neck"])
    pts: dict[str, Point] = {
        "pelvis": pelvis,
        "neck": neck,
        "head_base": head_base,
        "head": _step(head_base, trunk_theta, LENGTHS["head"]),
    }
    for side, sign in (("left", 1.0), ("right", -1.0)):
        a = pose.left if side == "left" else pose.right
        hip = _step(pelvis, sign * 90.0 - tilt, LENGTHS["pelvis"])
        thigh = -tilt + sign * a.hip_abd
        knee = _step(hip, thigh, LENGTHS["thigh"] * _cos(a.hip))
        shank = thigh - sign * a.hip_rot * math.sin(math.radians(a.knee))
        ankle = _step(knee, shank, LENGTHS["shank"] * _cos(a.hip - a.knee))
        toe = _step(ankle, shank + sign * 75.0, LENGTHS["foot"] * 0.5)
        shoulder = _step(neck, trunk_theta - sign * 90.0, LENGTHS["shoulders"])
        arm = trunk_theta - 180.0 + sign * a.shoulder_abd
        elbow = _step(shoulder, arm, LENGTHS["upper_arm"] * _cos(a.shoulder))
        hand = _step(elbow, arm, LENGTHS["forearm"] * _cos(a.shoulder + a.elbow))
        pts.update(
            {
                f"{side}_hip": hip,
                f"{side}_knee": knee,
                f"{side}_ankle": ankle,
                f"{side}_toe": toe,
                f"{side}_shoulder": shoulder,
                f"{side}_elbow": elbow,
                f"{side}_hand": hand,
            }
        )
    return pts


def _mix_side(a: SideAngles, b: SideAngles, t: float) -> SideAngles:
    return SideAngles(**{name: _mix(getattr(a, name), getattr(b, name), t) for name in SIDE_JOINTS})


def _mix(x: float, y: float, t: float) -> float:
    return x + (y - x) * t


def interpolate(a: Pose, b: Pose, t: float, view: str) -> Pose:
    """The pose a fraction t (0..1) of the way from a to b, joint angle by joint angle.

    The intermediate pose keeps a's anchor joint, moved along the straight line between
    where that joint is in a and where it is in b (so the poses may use different anchors).
    """
    if t <= 0.0:
        return a
    if t >= 1.0:
        return b
    x0, y0 = joints(a, view)[a.anchor]
    x1, y1 = joints(b, view)[a.anchor]
    return Pose(
        anchor=a.anchor,
        at=(_mix(x0, x1, t), _mix(y0, y1, t)),
        tilt=_mix(a.tilt, b.tilt, t),
        trunk=_mix(a.trunk, b.trunk, t),
        trunk_side=_mix(a.trunk_side, b.trunk_side, t),
        neck=_mix(a.neck, b.neck, t),
        left=_mix_side(a.left, b.left, t),
        right=_mix_side(a.right, b.right, t),
    )
