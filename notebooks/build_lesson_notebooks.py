"""Regenerate the teaching notebooks from this script (keeps them reviewable as Python).

Run: python notebooks/build_lesson_notebooks.py

The notebooks use the public API only (``o2osim``, ``o2osim.lessons``,
``o2osim.theory``, ``o2osim.dashboard``) and assert their key answers, so
``tests/cli/test_notebooks.py`` fails if a key stops agreeing with theory.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from build_notebooks import _notebook  # the same stable cell ids and kernel
from nbformat.v4 import new_code_cell, new_markdown_cell

HERE = Path(__file__).resolve().parent


def lesson_airport_counters() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell(
            "# Lesson: how many pickup counters does the airport need?\n\n"
            "The teacher's notebook for `airport_counters`: the handout, the decisions in "
            "plain terms, the Erlang C formula by hand, the key computed by the model, and "
            "the dashboard inside the notebook. Times are **minutes** unless a label says "
            "otherwise."
        ),
        new_code_cell(
            "from IPython.display import Markdown, display\n"
            "import o2osim\n"
            "from o2osim.lessons import get_lesson, handout_markdown, lesson_scenario, "
            "make_key, key_markdown\n"
            "from o2osim.theory import erlang_c, mmc_mean_wait\n\n"
            "lesson = get_lesson('airport_counters')\n"
            "display(Markdown(handout_markdown(lesson)))"
        ),
        new_markdown_cell(
            "## Decisions in plain terms\n\n"
            "One number, *counters open at the peak*, becomes twelve entries of the "
            "24-value staffing list:"
        ),
        new_code_cell(
            "scenario = lesson_scenario(lesson, {'peak_counters': 5, 'quiet_counters': 2})\n"
            "print(scenario.airport.staffing)\n"
            "assert scenario.airport.staffing == [2] * 8 + [5] * 12 + [2] * 4"
        ),
        new_markdown_cell(
            "## Erlang C by hand\n\n"
            "At the peak 2.4 passengers arrive a minute and a hand-over takes 1.5 minutes "
            "on average: the offered load is a = 3.6 Erlangs, so at least 4 counters."
        ),
        new_code_cell(
            "rate, service = 2.4, 1.5\n"
            "for c in range(4, 8):\n"
            "    print(c, 'counters: P(wait) =', round(erlang_c(c, rate * service), 3),\n"
            "          ' mean wait =', round(mmc_mean_wait(rate, service, c), 3), 'min')"
        ),
        new_markdown_cell(
            "## The key, computed now\n\n"
            "Eight replications of the peak held all day (where Erlang C is exact) and of "
            "the real day with its quiet hours. Each answer with a formula must have it "
            "inside the model's 99% confidence interval."
        ),
        new_code_cell(
            "key = make_key(lesson, {'peak_counters': 5}, replications=8)\n"
            "display(Markdown(key_markdown(lesson, key)))\n"
            "for answer in key.answers:\n"
            "    assert answer.agrees is not False, answer\n"
            "peak = key.answer('Peak held all day: wait')\n"
            "assert abs(peak.theory - mmc_mean_wait(2.4, 1.5, 5)) < 1e-12\n"
            "print(f'{key.seconds:.1f} s')"
        ),
        new_markdown_cell(
            "## The dashboard in this notebook\n\n"
            "The same Panel dashboard that `o2osim dashboard` serves (needs the `[class]` "
            "extra). Move the sliders and press **Run**."
        ),
        new_code_cell(
            "try:\n"
            "    from o2osim.dashboard import build_app\n"
            "    app = build_app()\n"
            "except ImportError:\n"
            "    app = 'pip install -e \".[class]\" to show the dashboard here'\n"
            "app"
        ),
    ]
    return _notebook(cells)


def lesson_one_stock_pool() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell(
            "# Lesson: one stock pool for every channel\n\n"
            "The teacher's notebook for `one_stock_pool`: the handout, the Poisson base-stock "
            "fill rate by hand for one pool and for a pool per channel (risk pooling), and "
            "the key computed by the model. Demand is in **units per SKU per day**, lead "
            "time in **days**."
        ),
        new_code_cell(
            "from IPython.display import Markdown, display\n"
            "from o2osim.lessons import get_lesson, handout_markdown, make_key, key_markdown\n"
            "from o2osim.theory import poisson_fill_rate\n\n"
            "lesson = get_lesson('one_stock_pool')\n"
            "display(Markdown(handout_markdown(lesson)))"
        ),
        new_markdown_cell(
            "## The Poisson formula by hand\n\n"
            "Each channel sells 5 units a day and the lead time is 1 day. One pool of 14 "
            "units sees Poisson(10) lead-time demand; two pools of 7 each see Poisson(5)."
        ),
        new_code_cell(
            "pooled, split = poisson_fill_rate(10.0, 14), poisson_fill_rate(5.0, 7)\n"
            "print(f'one pool: {pooled:.4f}   a pool per channel: {split:.4f}')\n"
            "assert pooled > split  # risk pooling: the same stock serves more demand"
        ),
        new_markdown_cell(
            "## The key, computed now\n\n"
            "Eight replications of each design; the formula must lie inside the model's "
            "99% confidence interval."
        ),
        new_code_cell(
            "key = make_key(lesson, {}, replications=8)\n"
            "display(Markdown(key_markdown(lesson, key)))\n"
            "for answer in key.answers:\n"
            "    assert answer.agrees is not False, answer\n"
            "one = key.answer('One pool for both channels: fill rate')\n"
            "assert abs(one.theory - pooled) < 1e-12\n"
            "print(f'{key.seconds:.1f} s')"
        ),
    ]
    return _notebook(cells)


if __name__ == "__main__":
    nbformat.write(lesson_airport_counters(), HERE / "lesson_airport_counters.ipynb")
    nbformat.write(lesson_one_stock_pool(), HERE / "lesson_one_stock_pool.ipynb")
