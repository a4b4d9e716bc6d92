"""The caseload's numbers read as the template filter floatformat:1 would write them."""

import pytest
from django.template.defaultfilters import floatformat
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from programs.ui.numbers import one_decimal, series

# A weekly mean is a total of 0-10 readings over their count.
DASH = "\N{EN DASH}"

pain = st.integers(min_value=1, max_value=60).flatmap(
    lambda count: st.integers(min_value=0, max_value=10 * count).map(lambda total: total / count)
)


@pytest.mark.parametrize("language", ["en", "nl"])
@given(value=pain)
def test_one_decimal_writes_what_floatformat_writes(language, value):
    with translation.override(language):
        assert one_decimal(value) == floatformat(value, 1)


@pytest.mark.parametrize(
    ("language", "values", "expected"),
    [
        ("en", (2.25, None, 1.0, 0.04), f"2.3 → {DASH} → 1.0 → 0.0"),
        ("nl", (2.25, None, 1.0, 0.04), f"2,3 → {DASH} → 1,0 → 0,0"),
        ("en", (None, None), f"{DASH} → {DASH}"),
    ],
)
def test_series_rounds_half_up_in_the_language_with_a_dash_for_a_missing_week(
    language, values, expected
):
    with translation.override(language):
        assert series(values) == expected
