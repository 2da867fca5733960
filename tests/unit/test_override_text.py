"""An experiment factor's value becomes one ``key=value`` override line and reads back
as the same value (tables inline), whatever the nesting."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from o2osim.scenario.overrides import override_text, parse_override_value

scalars = (
    st.integers(-(10**9), 10**9)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.booleans()
    | st.text(max_size=8)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@given(values)
def test_a_value_reads_back_from_its_one_line(value: object) -> None:
    line = override_text(value)
    assert "\n" not in line
    assert parse_override_value(line) == value


def test_a_distribution_factor_is_an_inline_table() -> None:
    text = override_text({"dist": "exponential", "mean": "10min"})
    assert text == '{dist = "exponential", mean = "10min"}'
