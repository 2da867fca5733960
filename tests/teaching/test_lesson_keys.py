"""Every lesson's key regenerates from the model, and agrees with theory where it exists.

Each answer with a closed form (Erlang C at the counters, at the riders and at the store
door; Little's law; the Poisson base-stock fill rate, pooled and split; the logit share;
showroom orders (1 - q) p) must have the exact value inside the model's 99% replication
CI. The layout comparison has no closed form: bonded must be faster than direct mail with
a paired CI that excludes 0. Keys are regenerated at run time, never read from a file.
"""

from __future__ import annotations

import pandas as pd
import pytest

from o2osim.cli import main
from o2osim.lessons import DEFAULT_REPLICATIONS, LESSONS, get_lesson, make_key

#: the network lessons have no closed form; their tests assert paired differences
THEORY_LESSONS = [n for n in LESSONS if n not in ("layout_comparison", "export_policy_shock")]


@pytest.mark.parametrize("name", THEORY_LESSONS)
def test_each_key_agrees_with_theory_inside_the_replication_ci(name):
    key = make_key(get_lesson(name), None, DEFAULT_REPLICATIONS)
    checked = [a for a in key.answers if a.theory is not None]
    assert checked, "a lesson with theory must check at least one answer against it"
    for a in checked:
        assert a.agrees, (
            f"{a.question}: {a.theory_name} {a.theory:.4g} outside [{a.low:.4g}, {a.high:.4g}]"
        )
    assert key.seconds < 60


def test_a_changed_decision_changes_the_theory_and_the_model_still_agrees():
    # Pooling at 30 units with a 2-day lead time: Poisson(20) lead-time demand.
    key = make_key(get_lesson("one_stock_pool"), {"total_stock": 30, "lead_time_days": 2}, 6)
    pooled = key.answer("One pool")
    assert pooled.theory == pytest.approx(0.97818, abs=1e-4)  # P(Poisson(20) <= 29)
    assert all(a.agrees for a in key.answers)


def test_bonded_front_store_is_faster_than_direct_mail_on_the_same_customers():
    key = make_key(get_lesson("layout_comparison"), None, 3)
    faster = key.answer("Bonded minus direct mail: lead time")
    assert faster.high < 0  # paired CI entirely below 0 hours
    assert key.answer("Direct mail: lead time").low > 24 * 7  # parcels take over a week


def test_the_cli_writes_the_handout_and_the_key(tmp_path):
    out = tmp_path / "key"
    assert main(["lesson", "key", "little_store", "--out", str(out), "--replications", "4"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["handout.md", "key.csv", "key.md"]
    table = pd.read_csv(out / "key.csv")
    assert table["agrees"].dropna().astype(bool).all()
    assert "Little" in (out / "key.md").read_text()
    # a key is never written over
    assert main(["lesson", "key", "little_store", "--out", str(out)]) == 2


def test_unknown_lessons_and_bad_decisions_are_one_line_errors(capsys):
    assert main(["lesson", "show", "airport"]) == 2
    assert "allowed: airport_counters" in capsys.readouterr().err
    assert (
        main(["lesson", "run", "airport_counters", "--set", "peak_counters=4.5", "--out", "x"]) == 2
    )
    assert "whole number" in capsys.readouterr().err
    assert main(["lesson", "run", "airport_counters", "--set", "counters", "--out", "x"]) == 2
    assert "DECISION=NUMBER" in capsys.readouterr().err


def test_the_export_lesson_shows_the_new_duty_when_its_scenario_is_here():
    if "export_policy_shock" not in LESSONS:
        pytest.skip("configs/wenzhou_shoes_eu.toml is not in this checkout")
    key = make_key(get_lesson("export_policy_shock"), None, 2)
    # A duty added on 1 July cannot lower the border charges of the same shoppers.
    assert key.answer("After minus before: border charges").model > 0
