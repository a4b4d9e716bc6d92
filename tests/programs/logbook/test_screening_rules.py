"""Pure screening rules (clinical-evidence §G, §A1, §A2)."""

from hypothesis import given
from hypothesis import strategies as st

from programs.logbook.screening import (
    GT_FEATURES,
    ITB_FEATURES,
    PAIN_LOCATIONS,
    RED_FLAGS,
    ScreeningAnswers,
    irritability_from,
    screen,
)
from programs.plans.specs import CONDITIONS, SOURCE_KEYS

FEATURES = sorted({*GT_FEATURES, *ITB_FEATURES})

answers_strategy = st.builds(
    ScreeningAnswers,
    red_flags=st.frozensets(st.sampled_from(sorted(RED_FLAGS))),
    pain_location=st.sampled_from(sorted(PAIN_LOCATIONS)),
    features=st.frozensets(st.sampled_from(FEATURES)),
    baseline_pain=st.integers(0, 10),
)


def answers(**kwargs):
    base = {
        "red_flags": frozenset(),
        "pain_location": "outer_hip",
        "features": frozenset(),
        "baseline_pain": 3,
    }
    return ScreeningAnswers(**{**base, **kwargs})


@given(answers_strategy)
def test_any_red_flag_refers_and_suggests_no_plan(a):
    result = screen(a)
    if a.red_flags:
        assert result.outcome == "refer"
        assert set(result.reasons) == set(a.red_flags)
        assert result.condition is None
        assert result.irritability is None


@given(answers_strategy)
def test_without_red_flags_outside_groin_a_pathway_is_suggested(a):
    result = screen(a)
    if not a.red_flags and a.pain_location != "groin":
        assert result.outcome == "ok"
        assert result.condition in CONDITIONS
        assert result.irritability in {"low", "moderate", "high"}
    assert set(result.source_keys) <= set(SOURCE_KEYS)
    assert result.source_keys


@given(answers_strategy)
def test_screening_is_deterministic(a):
    assert screen(a) == screen(a)


def test_groin_pain_as_main_complaint_refers_to_hip_assessment():
    result = screen(answers(pain_location="groin"))
    assert (result.outcome, result.reasons) == ("refer", ("hip_joint",))


def test_tendinopathy_features_suggest_gluteal_tendinopathy():
    result = screen(answers(features=frozenset({"lying_on_side_hurts", "crossing_legs_hurts"})))
    assert result.condition == "gluteal_tendinopathy"


def test_itb_features_suggest_proximal_itbs():
    result = screen(
        answers(
            pain_location="outer_thigh",
            features=frozenset({"fixed_distance_pain", "downhill_hurts"}),
        )
    )
    assert result.condition == "proximal_itbs"


def test_mixed_features_stay_on_the_general_cautious_pathway():
    result = screen(
        answers(
            pain_location="outer_hip",
            features=frozenset({"stairs_hurt", "downhill_hurts", "fixed_distance_pain"}),
        )
    )
    assert result.condition == "lateral_hip_pain"


def test_no_pain_is_prevention():
    result = screen(answers(pain_location="none", baseline_pain=0))
    assert result.condition == "prevention"


def test_irritability_bands():
    assert irritability_from(7, frozenset()) == "high"
    assert irritability_from(4, frozenset()) == "moderate"
    assert irritability_from(1, frozenset()) == "low"
    assert irritability_from(1, frozenset({"lying_on_side_hurts"})) == "moderate"
