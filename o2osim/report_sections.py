"""The words of a layout comparison's report: markdown sections built from the numbers.

:mod:`o2osim.layout_report` computes the design, the statistics and the best layout
per condition; this module turns them into ``report.md`` sections: what is held fixed
and what differs, runs flagged unstable, a table per demand level with paired
differences against the baseline layout, the best layout per demand level, profit and
break-even demand, and the answer in two sentences. Every sentence is generated from
the experiment's own files and numbers, never boilerplate. It reads and writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .chartkit import duration_unit, fmt_duration
from .layout_report import TABLE, Choice, Comparison, Design, paired_between


def markdown_table(frame: pd.DataFrame) -> str:
    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "---|" * len(frame.columns)
    lines = ["| " + " | ".join(map(str, row)) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *lines])


def prose(layout: str) -> str:
    """A layout's name as a sentence says it: ``direct_mail`` -> direct mail."""
    return layout.replace("_", " ")


def number(value: float, kind: str) -> str:
    """One value as the report writes it: durations in min/h/d, shares in %, money."""
    if not np.isfinite(value):
        return "–" if np.isnan(value) else ("∞" if value > 0 else "-∞")
    if kind == "duration":
        return fmt_duration(value)
    if kind == "share":
        return f"{value:.1%}"
    if kind == "factor":
        return f"{value:.2f}"
    return f"{value:,.0f}" if abs(value) >= 1000 or kind == "count" else f"{value:,.1f}"


def cell(mean: float, half: float, kind: str) -> str:
    """``mean ± CI half-width`` in the mean's unit."""
    if not (np.isfinite(mean) and np.isfinite(half)):
        return number(mean, kind)
    if kind == "duration":
        scale, unit = duration_unit(mean)
        return f"{_digits(mean / scale)} ± {half / scale:.2g} {unit}"
    if kind == "share":
        return f"{mean:.1%} ± {100 * half:.1f}"
    return f"{number(mean, kind)} ± {number(half, kind)}"


def _digits(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"


def diff_cell(values: tuple[float, float, float], kind: str) -> str:
    """A paired difference (mean, CI low, CI high): percentage points for shares, a
    ratio ``×r (low–high)`` for durations, money as CNY."""
    mean, low, high = values
    if not np.isfinite(mean):
        return "–"
    if kind == "ratio":
        return f"×{mean:.3g} ({low:.3g}–{high:.3g})"
    scale, suffix = (100.0, " pp") if kind == "share" else (1.0, "")
    if kind == "share":
        texts = [f"{scale * v:+.1f}" for v in values]
    else:
        texts = [f"{v:+,.0f}" if abs(v) >= 1000 else f"{v:+,.1f}" for v in values]
    return f"{texts[0]}{suffix} ({texts[1]} to {texts[2]})"


# ------------------------------------------------------------------ held fixed


def markets_of(spec: dict) -> list[str]:
    """The experiment's markets as named in its file (``market`` or ``markets``)."""
    return list(spec.get("markets") or ([spec["market"]] if spec.get("market") else []))


def same_market(design: Design, spec: dict) -> bool:
    """Do the variants share one market (so replication r brings the same customers)?
    True for one market crossed with networks; a list of scenario files may not."""
    return design.axis is not None and bool(spec.get("networks")) and len(markets_of(spec)) == 1


def held_fixed(
    design: Design,
    spec: dict,
    info: dict,
    calendars: set[tuple[float, float]],
    placed: pd.DataFrame,
) -> list[str]:
    """What the experiment holds fixed and what differs, read from the experiment."""
    fixed, loose = [], []
    if same_market(design, spec):
        market = Path(markets_of(spec)[0]).stem
        fixed.append(
            f"the market `{market}`: the city, the customer segments and their demand "
            "profiles, the catalogue and prices, the choice tastes and patience"
        )
    elif design.axis is not None and len(markets_of(spec)) > 1:
        loose.append("the market: the variants cross several markets")
    elif design.axis is not None:
        loose.append(
            "the market: each variant is its own scenario file (`experiment.scenarios`) "
            "with its own city, customers, catalogue and prices, so a difference between "
            "them mixes the layout with the market; it is not a layout effect"
        )
    seeds = (
        f"the seeds: replication r uses the same seed in every variant "
        f"({info.get('replications', '?')} replications); arrivals, baskets, order values and "
        "homes come from random streams named by purpose"
    )
    if same_market(design, spec):
        seeds += ", so replication r brings the same customers to every layout"
    fixed.append(seeds + _placed_note(design, placed, same_market(design, spec)))
    if len(calendars) == 1:
        horizon, warmup = next(iter(calendars))
        fixed.append(
            f"the calendar: orders arrive for {fmt_duration(horizon)}, the first "
            f"{fmt_duration(warmup)} being a warm-up (statistics count orders placed after "
            "it); then the run drains the orders already placed"
        )
    elif calendars:
        spans = ", ".join(f"{fmt_duration(h)}/{fmt_duration(w)}" for h, w in sorted(calendars))
        loose.append(f"the calendar: horizons/warm-ups {spans}; set `experiment.horizon`")
    differs = []
    if design.axis is not None:
        differs.append(
            ("the network (layout): " if spec.get("networks") else "the scenario (layout): ")
            + ", ".join(f"`{x}`" for x in design.layouts)
            + "; each sets its facilities, channels and routes, staffing, fleets, stock "
            "policy, promises and its own costs"
        )
    for column in design.conditions:
        levels = ", ".join(dict.fromkeys(design.condition_of[v] for v in design.order))
        differs.append(f"`{column}`: {levels}; layouts are compared within a level")
    if design.axis is None:
        differs.append("the factors of the variants table below")
    lines = ["## What is held fixed and what differs", "", "**Held fixed** in every variant:"]
    lines += ["", *(f"- {x};" for x in fixed), ""]
    if loose:
        lines += ["**Not held fixed:**", "", *(f"- {x};" for x in loose), ""]
    lines += ["**What differs:**", "", *(f"- {x};" for x in differs), ""]
    baseline = design.layout_of.get(design.baseline, design.baseline)
    lines += [
        f"Each variant is compared with `{baseline}` under the same conditions, replication "
        "r against replication r (a *paired* difference). A paired 95% CI that excludes 0 "
        "says the two differ by more than replication noise *with everything listed under "
        "Held fixed kept equal*; it measures everything else the two differ in, and the "
        "network files' numbers are partly assumptions.",
        "",
    ]
    return lines


def _placed_note(design: Design, placed: pd.DataFrame, same: bool) -> str:
    """Whether orders placed per replication agree across the layouts of a condition."""
    if placed.empty or design.axis is None:
        return ""
    spread = 0.0
    for condition in design.condition_names:
        members = [v for v in design.order if design.condition_of[v] == condition]
        table = placed[placed.columns.intersection(members)]
        if table.shape[1] < 2:
            continue
        low, high = table.min(axis=1), table.max(axis=1)
        spread = max(spread, float(((high - low) / high.where(high > 0)).max()))
    if spread == 0:
        return " (orders placed per replication are identical across the layouts)"
    why = (
        "the scenarios' markets differ"
        if not same
        else "layouts differ in which customers they serve: segments without a channel, "
        "distance limits, visitors who leave"
    )
    return f" (orders placed per replication differ between layouts by up to {spread:.0%}: {why})"


# ------------------------------------------------------------------ tables


def condition_sections(comparison: Comparison) -> list[str]:
    """Per condition: the comparison table and the paired differences to the baseline."""
    design, lines = comparison.design, []
    for condition in design.condition_names:
        members = [v for v in design.order if design.condition_of[v] == condition]
        title = f"## Layouts at {condition}" if condition else "## The layouts compared"
        lines += [title, "", "Mean ± 95% CI half-width over replications:", ""]
        rows = []
        for v in members:
            row = {"layout": design.layout_of[v]}
            for kpi, heading, kind in TABLE:
                row[heading] = cell(*comparison.stat(v, kpi), kind)
            flags = []
            if v == design.pairs.get(v, design.baseline) or v == design.baseline:
                flags.append("baseline")
            if comparison.unstable.get(v):
                flags.append(f"⚠ unstable ({comparison.unstable[v]})")
            row["note"] = ", ".join(flags)
            rows.append(row)
        lines += [markdown_table(pd.DataFrame(rows)), ""]
        base = design.layout_of[design.pairs[members[0]]] if members else ""
        diff_rows = []
        for v in (v for v in members if design.pairs.get(v) != v):
            row = {"layout": design.layout_of[v]}
            for kpi, heading, kind in TABLE:
                paired = comparison.ratio if kind == "duration" else comparison.diff
                row[heading] = diff_cell(paired(v, kpi), "ratio" if kind == "duration" else kind)
            diff_rows.append(row)
        if diff_rows:
            lines += [
                f"Paired against `{base}` (same replications; mean and 95% CI of the "
                "difference; lead times as a ratio, geometric mean; shares in points):",
                "",
                markdown_table(pd.DataFrame(diff_rows)),
                "",
            ]
    return lines


def best_section(
    comparison: Comparison, choices: Sequence[Choice], runs: pd.DataFrame, target: float
) -> list[str]:
    design = comparison.design
    lines = [
        "## Best layout per demand level" if design.demand else "## Best layout",
        "",
        f"Criterion: the highest mean profit per day among the layouts whose on-time rate "
        f"has a 95% CI lower bound of at least {target:.0%} and none of whose runs is "
        "flagged unstable; the margin over the runner-up is a paired difference (same "
        "replications).",
        "",
    ]
    rows = []
    for choice in choices:
        if choice.best is None:
            rows.append({"condition": choice.condition or "–", "best": f"none ({choice.reason})"})
            continue
        best = choice.best
        row = {
            "condition": choice.condition or "–",
            "best": design.layout_of[best],
            "profit / day": cell(*comparison.stat(best, "profit_per_day"), "CNY"),
            "on time": cell(*comparison.stat(best, "on_time_rate"), "share"),
            "lead time p50": cell(*comparison.stat(best, "lead_time_p50"), "duration"),
        }
        if choice.runner_up is not None:
            margin = paired_between(runs, design, best, choice.runner_up, "profit_per_day")
            row["runner-up"] = design.layout_of[choice.runner_up]
            row["margin / day (paired CI)"] = diff_cell(margin, "CNY")
        if design.pairs.get(best, best) != best:
            row["vs baseline / day (paired CI)"] = diff_cell(
                comparison.diff(best, "profit_per_day"), "CNY"
            )
        rows.append(row)
    lines += [markdown_table(pd.DataFrame(rows).fillna("–")), ""]
    return lines


def profit_section(comparison: Comparison) -> list[str]:
    """Profit per day per layout at each demand level, and its break-even demand."""
    design = comparison.design
    lines = ["## Profit and break-even demand", ""]
    rows = []
    for layout in design.layouts:
        row = {"layout": layout}
        for condition in design.condition_names:
            v = design.variant(layout, condition)
            heading = f"profit / day at {condition}" if condition else "profit / day"
            row[heading] = cell(*comparison.stat(v, "profit_per_day"), "CNY") if v else "–"
        base = design.base_variant(layout)
        if base is not None:
            row["break-even orders / day"] = cell(
                *comparison.stat(base, "break_even_orders_per_day"), "count"
            )
            if design.demand_of:
                row["break-even demand"] = (
                    cell(*comparison.stat(base, "break_even_demand"), "factor") + "×"
                )
        rows.append(row)
    where = f" (computed at {design.base_condition})" if design.demand_of and design.layouts else ""
    lines += [
        "Profit per day is the profit over the counted days (after the warm-up), every "
        "cost included. Break-even orders per day: the completed orders a day whose "
        "contribution (revenue less direct costs) covers the layout's period costs (rent, "
        "labour, storage); break-even demand: that as a multiple of the market's base "
        f"demand, the cost and contribution per order held at the level's{where}.",
        "",
        markdown_table(pd.DataFrame(rows)),
        "",
    ]
    return lines


# ------------------------------------------------------------------ the answer


def answer(
    comparison: Comparison,
    choices: Sequence[Choice],
    runs: pd.DataFrame,
    same: bool,
    target: float,
) -> list[str]:
    """The answer in two sentences, generated from the numbers; ``same``: the layouts
    share one market (the same customers)."""
    design = comparison.design
    main = next((c for c in choices if c.condition == design.base_condition), choices[0])
    where = f"At {main.condition}" if main.condition else "In this experiment"
    stat = comparison.stat
    if main.best is None:
        members = [v for v in design.order if design.condition_of[v] == main.condition]
        top = max(members, key=lambda v: np.nan_to_num(stat(v, "on_time_rate")[0], nan=-1.0))
        punctual = stat(top, "on_time_rate")[0]
        first = f"{where}, no layout qualifies as best ({main.reason})" + (
            f"; the most punctual is {prose(design.layout_of[top])} "
            f"({number(punctual, 'share')} on time)."
            if np.isfinite(punctual)
            else "; these runs have no on-time figures."
        )
    else:
        best = main.best
        first = (
            f"{where}{', with the same customers,' if same else ''} "
            f"{prose(design.layout_of[best])} is the best layout (the most profit among "
            f"those keeping {target:.0%} of orders on time): "
            f"{number(stat(best, 'profit_per_day')[0], 'CNY')} CNY a day"
        )
        if main.runner_up is not None:
            low_high = paired_between(runs, design, best, main.runner_up, "profit_per_day")
            mean, low, high = (number(x, "CNY") for x in low_high)
            other = prose(design.layout_of[main.runner_up])
            first += f", {mean} more than {other} (95% CI {low} to {high}" + (
                ", within replication noise)" if low_high[1] <= 0 else ")"
            )
        first += (
            f", with {number(stat(best, 'on_time_rate')[0], 'share')} of its orders on time "
            f"and a median lead time of {number(stat(best, 'lead_time_p50')[0], 'duration')}."
        )
        if not same:
            first += " The variants do not share a market, so this is not a layout effect."
    return ["## The answer", "", first + " " + _second(comparison, choices, main, target), ""]


def _second(comparison: Comparison, choices: Sequence[Choice], main: Choice, target: float) -> str:
    design = comparison.design
    others = [c for c in choices if c is not main]
    parts = []
    if others:
        best = design.layout_of.get(main.best or "")
        same = [c.condition for c in others if c.best and design.layout_of[c.best] == best]
        if same:
            parts.append(f"it is also the best at {' and '.join(same)}")
        for c in (c for c in others if c.condition not in same):
            if c.best is None:
                parts.append(f"at {c.condition} no layout qualifies")
            elif c.runner_up is None:
                parts.append(
                    f"at {c.condition} only {prose(design.layout_of[c.best])} keeps "
                    f"{target:.0%} of its orders on time"
                )
            else:
                parts.append(f"at {c.condition} the best is {prose(design.layout_of[c.best])}")
    members = [v for v in design.order if design.condition_of[v] == main.condition]
    p50 = {v: comparison.stat(v, "lead_time_p50")[0] for v in members}
    known = [v for v in members if np.isfinite(p50[v])]
    if len(known) >= 2:
        slow, fast = max(known, key=p50.__getitem__), min(known, key=p50.__getitem__)
        parts.append(
            f"{prose(design.layout_of[slow])} is the slowest (median lead time "
            f"{number(p50[slow], 'duration')} against {number(p50[fast], 'duration')} for "
            f"{prose(design.layout_of[fast])})"
        )
    if not parts:
        return ""
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."
