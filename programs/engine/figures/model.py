"""The data of a figure: the view, the props, the poses (joint angles) and the muscles shown.

All angles are in degrees. The body is drawn in one plane: the side view (sagittal plane,
the figure faces right) or the front view (frontal plane, the figure faces the viewer, so
its left side is on the viewer's right). `tilt` turns the whole body clockwise on screen:
0 is upright, 90 lying with the head to the right.

Per side (`left`, `right`):
  hip         flexion (+) / extension (-), sagittal
  hip_abd     abduction (+) / adduction (-), frontal
  hip_rot     external (+) / internal (-) rotation: in the front view it swings a bent
              knee's shank towards the midline (the clamshell)
  knee        flexion (0 = straight)
  ankle       dorsiflexion (+) / plantarflexion (-), sagittal
  shoulder    flexion (+) / extension (-), sagittal
  shoulder_abd abduction (+), frontal
  elbow       flexion (0 = straight)
Whole body: trunk (flexion + / extension -), trunk_side (lateral flexion towards the
figure's left +), neck (flexion +), tilt.
"""

from __future__ import annotations

from dataclasses import dataclass, field

VIEWS = ("side", "front")
SIDES = ("left", "right")
SIDE_JOINTS = ("hip", "hip_abd", "hip_rot", "knee", "ankle", "shoulder", "shoulder_abd", "elbow")
BODY_JOINTS = ("trunk", "trunk_side", "neck", "tilt")

# Anatomical ranges (degrees, inclusive) for an adult doing rehabilitation exercise; the
# active ranges usually quoted in clinical tables, rounded a little outwards.
RANGES: dict[str, tuple[float, float]] = {
    "hip": (-30.0, 130.0),  # extension 30, flexion 120-130
    "hip_abd": (-30.0, 50.0),  # adduction 30, abduction 45-50
    "hip_rot": (-40.0, 50.0),  # internal 35-40, external 45-50
    "knee": (0.0, 150.0),  # full extension to deep flexion
    "ankle": (-50.0, 30.0),  # plantarflexion 50, dorsiflexion 20-30
    "shoulder": (-60.0, 180.0),  # extension 60, flexion 180
    "shoulder_abd": (-10.0, 180.0),
    "elbow": (0.0, 150.0),
    "trunk": (-30.0, 90.0),  # thoracolumbar extension 30, flexion to 90 (with the hips)
    "trunk_side": (-40.0, 40.0),  # lateral flexion 35-40 each way
    "neck": (-60.0, 70.0),
    "tilt": (-180.0, 180.0),  # the whole body's orientation, not a joint
}

# Props: static ones are drawn from x, y, w, h; band and belt join two attach points (a
# joint name, or the prop's own x, y when only one joint is named); a weight sits on its
# attach joint.
PROPS = ("mat", "wall", "step", "box", "bench", "chair", "band", "belt", "weight")
STATIC_PROPS = ("mat", "wall", "step", "box", "bench", "chair")
MUSCLES = (
    "gluteus_medius",
    "gluteus_minimus",
    "gluteus_maximus",
    "tfl",
    "quadriceps",
    "hamstrings",
    "trunk",
)

# The frame (SVG user units) and the floor line.
WIDTH = 240.0
HEIGHT = 200.0
FLOOR = 190.0

# Segment lengths (SVG units; a standing figure is about 170 tall).
LENGTHS = {
    "trunk": 55.0,
    "neck": 7.0,
    "head": 10.0,  # radius
    "pelvis": 14.0,  # half width (front view)
    "shoulders": 19.0,  # half width (front view)
    "thigh": 45.0,
    "shank": 43.0,
    "foot": 16.0,
    "upper_arm": 29.0,
    "forearm": 27.0,
}
LIMB_WIDTH = 7.0


@dataclass(frozen=True)
class SideAngles:
    hip: float = 0.0
    hip_abd: float = 0.0
    hip_rot: float = 0.0
    knee: float = 0.0
    ankle: float = 0.0
    shoulder: float = 0.0
    shoulder_abd: float = 0.0
    elbow: float = 0.0


@dataclass(frozen=True)
class Pose:
    """One pose: the joint `anchor` (for example `left_ankle`) is placed at `at`."""

    anchor: str = "pelvis"
    at: tuple[float, float] = (120.0, 100.0)
    tilt: float = 0.0
    trunk: float = 0.0
    trunk_side: float = 0.0
    neck: float = 0.0
    left: SideAngles = field(default_factory=SideAngles)
    right: SideAngles = field(default_factory=SideAngles)

    def angle(self, name: str, side: str | None = None) -> float:
        if side is None:
            return float(getattr(self, name))
        return float(getattr(self.left if side == "left" else self.right, name))


@dataclass(frozen=True)
class Prop:
    kind: str
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0
    attach: tuple[str, ...] = ()


@dataclass(frozen=True)
class FigureSpec:
    view: str
    start: Pose
    end: Pose
    hold: Pose | None = None
    props: tuple[Prop, ...] = ()
    highlight: tuple[str, ...] = ()
    side: str = "left"  # the working side: where the highlight is drawn
    near: str = "left"  # side view: the side nearest the viewer (drawn darker, on top)

    def poses(self) -> dict[str, Pose]:
        out = {"start": self.start, "end": self.end}
        if self.hold is not None:
            out["hold"] = self.hold
        return out
