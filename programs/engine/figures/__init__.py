"""Exercise figures: a small 2D body drawn from joint angles, animated as SVG.

Pure: no Django, no database. `parse_figure(data)` reads the library's figure mappings
and checks them (`validate_figure`); `render_svg(spec, dose=...)` draws one.
"""

from programs.engine.figures.dose import Dose, dose_from, parse_tempo
from programs.engine.figures.kinematics import interpolate, joints
from programs.engine.figures.model import (
    HEIGHT,
    MUSCLES,
    PROPS,
    RANGES,
    VIEWS,
    WIDTH,
    FigureSpec,
    Pose,
    Prop,
    SideAngles,
)
from programs.engine.figures.render import figure_key, render_svg, timeline
from programs.engine.figures.validation import (
    MESSAGES,
    FigureProblem,
    parse_figure,
    pose_bbox,
    validate_figure,
)

__all__ = [
    "HEIGHT",
    "MESSAGES",
    "MUSCLES",
    "PROPS",
    "RANGES",
    "VIEWS",
    "WIDTH",
    "Dose",
    "FigureProblem",
    "FigureSpec",
    "Pose",
    "Prop",
    "SideAngles",
    "dose_from",
    "figure_key",
    "interpolate",
    "joints",
    "parse_figure",
    "parse_tempo",
    "pose_bbox",
    "render_svg",
    "timeline",
    "validate_figure",
]
