"""The ``[marketing]`` table refuses what the model cannot mean, with a key path.

Spend and cost are CNY per day >= 0; p in [0, 1) (p = 1 would buy for ever); the
response curve's lift a in [0, 100] and saturation s > 0; trust and repeat gains are
shares; campaigns and programmes name segments and channels that exist. The response
curve itself is 0 at no spend, rises with spend, never passes a, and each extra CNY
buys less (concave).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scenarios import campaign, marketed

from o2osim.scenario import ScenarioError
from o2osim.scenario.marketing import Marketing, response_lift

FINITE = st.floats(allow_nan=False, allow_infinity=False, width=64)


def _build(**keys):
    return marketed(0.01, "1d", {"campaigns": [campaign(**keys)]})


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from(["spend_cny_per_day", "repeat_probability", "lift", "saturation_cny_per_day"]),
    FINITE,
)
def test_campaign_numbers_are_checked_with_their_key(key, value):
    allowed = {
        "spend_cny_per_day": 0.0 <= value <= 1e9,
        "repeat_probability": 0.0 <= value < 1.0,
        "lift": 0.0 <= value <= 100.0,
        "saturation_cny_per_day": 0.0 < value <= 1e9,
    }[key]
    if allowed:
        _build(**{key: value})
        return
    with pytest.raises(ScenarioError, match=f"marketing.campaigns\\[0\\].{key}"):
        _build(**{key: value})


@pytest.mark.parametrize(
    ("keys", "where"),
    [
        ({"segment": "nobody"}, "campaigns[0].segment"),
        ({"channel": "nowhere"}, "campaigns[0].channel"),
    ],
)
def test_campaigns_name_what_exists(keys, where):
    with pytest.raises(ScenarioError, match=where.replace("[", r"\[").replace("]", r"\]")):
        _build(**keys)


def test_a_segment_with_memory_is_refused():
    remembering = {"population": 100, "memory": {}}
    with pytest.raises(ScenarioError, match="memory"):
        marketed(0.01, "1d", {"campaigns": [campaign()]}, customers=remembering)


def test_trust_gain_needs_a_segment_that_chooses_on_trust():
    programme = {"name": "club", "segments": ["poisson"], "cost_cny_per_day": 10.0}
    marketed(0.01, "1d", {"programmes": [{**programme, "repeat_gain": 0.2}]})
    with pytest.raises(ScenarioError, match="trust_gain"):
        marketed(0.01, "1d", {"programmes": [{**programme, "trust_gain": 0.2}]})
    with pytest.raises(ScenarioError, match="repeat_gain"):
        marketed(0.01, "1d", {"programmes": [{**programme, "repeat_gain": 1.0}]})


@given(
    st.floats(0.0, 1e6),
    st.floats(0.0, 1e6),
    st.floats(0.0, 100.0),
    st.floats(1.0, 1e6),
)
def test_the_response_is_concave_rising_and_bounded(x, y, a, s):
    low, high = sorted((x, y))
    assert 0.0 <= response_lift(low, a, s) <= response_lift(high, a, s) <= a
    # Concave: the lift of the midpoint is at least the mean of the lifts.
    mid = response_lift((low + high) / 2, a, s)
    assert mid >= (response_lift(low, a, s) + response_lift(high, a, s)) / 2 - 1e-9
    assert response_lift(0.0, a, s) == 0.0
    assert response_lift(s, a, s) == pytest.approx(a * (1 - math.exp(-1)))


@given(st.floats(0.0, 0.99), st.floats(0.0, 0.99), st.floats(0.0, 0.99))
def test_programmes_raise_repeat_probability_but_keep_it_below_one(p, g1, g2):
    marketing = Marketing.model_validate(
        {
            "campaigns": [campaign(repeat_probability=p)],
            "programmes": [
                {"name": "a", "segments": ["poisson"], "cost_cny_per_day": 1, "repeat_gain": g1},
                {"name": "b", "segments": ["poisson"], "cost_cny_per_day": 1, "repeat_gain": g2},
            ],
        }
    )
    raised = marketing.repeat_probability(marketing.campaigns[0])
    assert p - 1e-12 <= raised < 1.0
    assert 1.0 - raised == pytest.approx((1 - p) * (1 - g1) * (1 - g2))
