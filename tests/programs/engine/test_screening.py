"""Pure screening rules (clinical-evidence §G, §A1, §A2, §A4)."""

from hypothesis import given
from hypothesis import strategies as st

from programs.engine.screening import (
    FEATURE_CODES,
    GT_FEATURES,
    HIP_JOINT_QUESTIONS,
    ITB_FEATURES,
    PAIN_LOCATIONS,
    RED_FLAGS,
    SNAPPING_CHOICES,
    ScreeningAnswers,
    irritability_from,
    reason_text,
    screen,
)
from programs.engine.specs import CONDITIONS, SOURCE_KEYS

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
        assert set(a.red_flags) <= set(result.reasons)
        assert set(result.reasons) - set(a.red_flags) <= {"hip_joint"}
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


# --- §A4 snapping hip, §G signs of the hip joint -------------------------------------------


def test_a4_painless_snapping_changes_nothing():
    plain = answers(pain_location="outer_thigh", features=frozenset({"fixed_distance_pain"}))
    snapping = answers(
        pain_location="outer_thigh",
        features=frozenset({"fixed_distance_pain"}),
        snapping="painless",
    )

    assert screen(snapping) == screen(plain)
    assert "painful_snapping" not in screen(snapping).features


def test_a4_painful_snapping_takes_the_gluteal_tendinopathy_pathway_and_records_the_feature():
    result = screen(
        answers(
            pain_location="outer_thigh",
            features=frozenset({"fixed_distance_pain", "downhill_hurts"}),
            snapping="painful",
            snapping_persistent=False,
        )
    )

    assert result.outcome == "ok"
    assert result.condition == "gluteal_tendinopathy"
    assert "painful_snapping" in result.features
    assert {"fixed_distance_pain", "downhill_hurts"} <= set(result.features)
    assert "grimaldi2015_review" in result.source_keys


def test_a4_persistent_painful_snapping_refers():
    result = screen(answers(snapping="painful", snapping_persistent=True))

    assert result.outcome == "refer"
    assert result.reasons == ("persistent_painful_snapping",)
    assert result.condition is None
    assert "weeks" in reason_text("persistent_painful_snapping")


def test_a4_persistence_without_pain_does_not_refer():
    assert screen(answers(snapping="painless", snapping_persistent=True)).outcome == "ok"


def test_g_a_stiff_or_restricted_hip_refers_for_assessment():
    result = screen(answers(hip_signs=frozenset({"hip_stiff_or_restricted"})))

    assert (result.outcome, result.reasons) == ("refer", ("hip_stiff_or_restricted",))
    assert "mellor2016_leap_protocol" in result.source_keys


def test_g_morning_stiffness_of_the_hip_refers_for_assessment():
    result = screen(answers(hip_signs=frozenset({"hip_morning_stiffness"})))

    assert (result.outcome, result.reasons) == ("refer", ("hip_morning_stiffness",))


def test_g_groin_pain_at_50_or_over_refers_for_assessment():
    result = screen(answers(hip_signs=frozenset({"groin_pain", "age_50_or_over"})))

    assert (result.outcome, result.reasons) == ("refer", ("groin_pain_age_50",))
    assert "hip joint" in reason_text("groin_pain_age_50")


def test_g_age_alone_or_a_side_complaint_of_groin_pain_under_50_does_not_refer():
    assert screen(answers(hip_signs=frozenset({"age_50_or_over"}))).outcome == "ok"
    assert screen(answers(hip_signs=frozenset({"groin_pain"}))).outcome == "ok"


def test_g_every_referral_reason_is_listed_with_its_sources():
    result = screen(
        answers(
            red_flags=frozenset({"rest_or_night_pain"}),
            pain_location="groin",
            hip_signs=frozenset({"hip_morning_stiffness", "age_50_or_over"}),
            snapping="painful",
            snapping_persistent=True,
        )
    )

    assert result.reasons == (
        "rest_or_night_pain",
        "hip_joint",
        "hip_morning_stiffness",
        "groin_pain_age_50",
        "persistent_painful_snapping",
    )
    assert all(reason_text(code) for code in result.reasons)
    assert set(result.source_keys) <= set(SOURCE_KEYS)
    assert {"robertson2017_fnsf", "mellor2016_leap_protocol", "grimaldi2015_review"} <= set(
        result.source_keys
    )


@given(
    st.builds(
        ScreeningAnswers,
        red_flags=st.frozensets(st.sampled_from(sorted(RED_FLAGS))),
        pain_location=st.sampled_from(sorted(PAIN_LOCATIONS)),
        features=st.frozensets(st.sampled_from(FEATURES)),
        baseline_pain=st.integers(0, 10),
        hip_signs=st.frozensets(st.sampled_from(sorted(HIP_JOINT_QUESTIONS))),
        snapping=st.sampled_from(sorted(SNAPPING_CHOICES)),
        snapping_persistent=st.booleans(),
    )
)
def test_g_a4_a_plan_is_suggested_only_without_any_referral_trigger(a):
    result = screen(a)
    joint = {"hip_stiff_or_restricted", "hip_morning_stiffness"} & a.hip_signs or (
        "age_50_or_over" in a.hip_signs
        and ("groin_pain" in a.hip_signs or a.pain_location == "groin")
    )
    triggered = (
        a.red_flags
        or a.pain_location == "groin"
        or joint
        or (a.snapping == "painful" and a.snapping_persistent)
    )
    assert (result.outcome == "refer") == bool(triggered)
    assert set(result.features) <= FEATURE_CODES
    assert ("painful_snapping" in result.features) == (a.snapping == "painful")
    assert set(result.source_keys) <= set(SOURCE_KEYS)
