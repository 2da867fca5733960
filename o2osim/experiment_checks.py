"""Checks of an experiment file that name the key path at fault, for :mod:`o2osim.experiment`.

Every message is one line: the experiment file, the key path as the file
writes it (``factors."warehouse.pickers"``, ``experiment.horizon``), the value
and what is allowed. Scenario errors caused by a factor or by the experiment's
horizon and warm-up are blamed on that key of the experiment file, not on a
``--set`` the user never typed. It also turns the experiment's scenario sources
(``scenario``, ``scenarios``, or ``market``/``markets`` crossed with ``networks``) into
base scenarios, and applies the demand factor ``market.demand``. It must not run
anything nor write files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .bundled import bundled_names, resolve_scenario_path
from .scenario import (
    ABSENT,
    KeyPathError,
    Scenario,
    ScenarioError,
    compose_scenario,
    load_scenario,
    part_path,
    scale_demand,
    scenario_from_dict,
    scenario_to_dict,
    with_overrides,
)
from .units import format_duration, parse_duration

#: The factor that multiplies every segment's demand (arrivals a day; travellers' pre-order
#: share), in any experiment: a market's demand level.
DEMAND = "market.demand"

#: Scenario keys an experiment sets itself: a factor on one would be ignored or fight it.
OWN_KEYS = {"scenario.seed": "experiment.seed"}
#: What a value of the wrong type should have been, by pydantic error type.
_WANTED = {
    "list_type": "give a list",
    "dict_type": "give a table (a [header] and its keys)",
    "model_type": "give a table (a [header] and its keys)",
    "string_type": "give a string in quotes",
}


def factor_path(key: str) -> str:
    """A factor's key path as the experiment file spells it: ``factors."warehouse.pickers"``."""
    return "factors." + (key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key))


def short(value: Any) -> str:
    """A value as a message shows it: one line, never a whole table."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def describe_error(exc: ValidationError, path: Path, meta_keys: Iterable[str]) -> str:
    """One line for the first problem: file, key path, value, what is allowed."""
    first = exc.errors(include_url=False)[0]
    cause = first.get("ctx", {}).get("error")
    if isinstance(cause, KeyPathError):
        shown = "" if cause.value is ABSENT else f" = {short(cause.value)}"
        return f"{path}: {cause.path}{shown}: {cause.message}"
    loc = [str(p) for p in first["loc"]]
    if loc[:1] == ["factors"] and len(loc) > 1:
        where = factor_path(loc[1]) + "".join(f"[{p}]" for p in loc[2:])
    else:
        where = ".".join(loc) or "(top level)"
    message = first["msg"].removeprefix("Value error, ")
    shown = f" = {short(first['input'])}"
    if first["type"] == "missing":
        shown = ""
        message = "missing" + (
            "; an experiment file starts with an [experiment] table"
            if where == "experiment"
            else ""
        )
    elif first["type"] == "extra_forbidden":
        in_meta = where.startswith("experiment.")
        allowed = meta_keys if in_meta else ("experiment", "factors", "selection")
        if where.startswith("selection."):
            allowed = ("kpi", "direction", "alpha", "delta", "max_replications")
        message = "unknown key (allowed: " + ", ".join(allowed) + ")"
        if where == "experiment.factors":
            message += (
                "; keys after the [experiment] header belong to it: put the "
                "factors under their own [factors] header"
            )
        shown = ""
    elif loc[:1] == ["factors"] and isinstance(first["input"], dict) and len(loc) == 2:
        message = (
            f"a table, not a list of values; quote a dotted key so it stays one "
            f'factor: "{loc[1]}.KEY" = [value, ...]'
        )
    elif loc[:1] == ["factors"] and len(loc) == 2:
        message = "give a list of the values to try, e.g. [8, 12, 16]"
    elif where == "experiment.report_kpis" and first["type"] == "list_type":
        message = 'give a list of "group/name/kpi" strings, e.g. ["overall/all/on_time_rate"]'
    elif first["type"] in _WANTED:
        message = _WANTED[first["type"]]
    return f"{path}: {where}{shown}: {message}"


def apply_overrides(scenario: Scenario, overrides: list[str], origin: str) -> Scenario:
    """``with_overrides`` naming where the overrides came from (``origin``) in its errors."""
    return with_overrides(scenario, overrides, origin=origin)


def reason(message: str, item: str) -> str:
    """The part of a scenario error after the override it names (the key path and why)."""
    at = message.find(f"{item}: ")
    return message[at + len(item) + 2 :] if at >= 0 else message


def scenario_path(where: str, file: str, source: Path) -> Path:
    """A scenario file relative to the experiment file, or a bundled scenario's name."""
    path = resolve_scenario_path(file, base=source.parent)
    if path.is_file():
        return path.resolve()
    names = ", ".join(bundled_names()) or "none installed"
    problem = "is a folder" if path.is_dir() else "no such file"
    raise ScenarioError(
        f"{source}: {where} = {file!r}: {problem} ({path.absolute()}); give a scenario file, "
        f"relative to the experiment file's folder, or a bundled scenario: {names}"
    )


def with_run_length(
    base: Scenario, horizon_text: str | None, warmup_text: str | None, file: str, source: Path
) -> Scenario:
    """``base`` with the experiment's horizon and warm-up, checked against each other and
    against the scenario's own values, blaming the experiment file's keys."""
    if horizon_text is None and warmup_text is None:
        return base
    own = base.scenario
    horizon = parse_duration(horizon_text) if horizon_text is not None else own.horizon
    warmup = parse_duration(warmup_text) if warmup_text is not None else own.warmup
    if warmup >= horizon:
        if warmup_text is not None and horizon_text is not None:
            raise ScenarioError(
                f"{source}: experiment.warmup = {warmup_text!r}: must be "
                f"shorter than experiment.horizon ({horizon_text})"
            )
        if warmup_text is not None:
            raise ScenarioError(
                f"{source}: experiment.warmup = {warmup_text!r}: must be shorter than the "
                f"horizon of {file} (its scenario.horizon is {format_duration(horizon)}); "
                "set experiment.horizon too"
            )
        raise ScenarioError(
            f"{source}: experiment.horizon = {horizon_text!r}: must be longer than the "
            f"warm-up of {file} (its scenario.warmup is {format_duration(warmup)}); "
            "set experiment.warmup too"
        )
    common = []
    if horizon_text is not None:
        common.append(f'scenario.horizon="{horizon_text}"')
    if warmup_text is not None:
        common.append(f'scenario.warmup="{warmup_text}"')
    key, value = (
        ("experiment.horizon", horizon_text)
        if horizon_text is not None
        else ("experiment.warmup", warmup_text)
    )
    try:
        return apply_overrides(base, common, f"{source}: experiment")
    except ScenarioError as exc:
        text = str(exc)
        for item in common:  # the override the scenario refused names the key to blame
            if item in text:
                key = "experiment." + item.split("=")[0].removeprefix("scenario.")
                value = horizon_text if key == "experiment.horizon" else warmup_text
                text = reason(text, item)
                break
        raise ScenarioError(
            f"{source}: {key} = {value!r}: not accepted by {file}: {text}"
        ) from None


def factor_error(
    message: str,
    keys: list[str],
    combo: tuple[Any, ...],
    overrides: tuple[str, ...],
    source: Path,
    file: str | None,
) -> str:
    """A scenario's refusal of a variant, blamed on the factor (and value) that caused it."""
    scenario = f" (in {file})" if file else ""
    # A lesson decision expands to several overrides: then no override names one factor.
    items = overrides if len(overrides) == len(keys) else ("\x00",) * len(keys)
    for key, value, item in zip(keys, combo, items, strict=True):
        if item in message:
            return (
                f"{source}: {factor_path(key)}: value {short(value)}{scenario}: "
                f"{reason(message, item)}"
            )
    values = ", ".join(f"{factor_path(k)} = {short(v)}" for k, v in zip(keys, combo, strict=True))
    return f"{source}: factors: the variant {values}{scenario} is refused: {message}"


def one_source(
    scenario: str | None,
    scenarios: list[str] | None,
    market: str | None,
    markets: list[str] | None,
    networks: list[str] | None,
) -> None:
    """Markets crossed with networks replace ``scenario``/``scenarios``: check the keys."""
    if scenario is not None or scenarios is not None:
        key = "experiment.scenario" if scenario is not None else "experiment.scenarios"
        raise KeyPathError(
            key,
            scenario if scenario is not None else scenarios,
            "give either scenario(s) or market(s) with networks, not both",
        )
    if (market is None) == (markets is None):
        raise KeyPathError(
            "experiment.markets" if market is not None else "experiment.market",
            markets if market is not None else ABSENT,
            "give exactly one of experiment.market (one market file or bundled name) or "
            "experiment.markets (a list)" + ("; both are set" if market is not None else ""),
        )
    if networks is None:
        raise KeyPathError(
            "experiment.networks",
            ABSENT,
            'give the networks (layouts) to run on the market, e.g. ["direct_mail", '
            '"omnichannel_hub"]',
        )


def scenario_bases(meta: Any, source: Path) -> list[tuple[str, str, str, Scenario]]:
    """The experiment's base scenarios: (key path, file as written, label, scenario).

    Markets x networks: every pair composed (label: the network's name, with the market's
    when there are several markets); else each scenario file or bundled name.
    """
    if meta.networks is None:
        files = [meta.scenario] if meta.scenario is not None else list(meta.scenarios or [])
        out = []
        for index, file in enumerate(files):
            where = "experiment.scenario" if meta.scenario else f"experiment.scenarios[{index}]"
            if file.startswith(LESSON):  # a lesson's scenario, its decisions at their defaults
                base = lesson_base(where, file)
            else:
                base = load_scenario(scenario_path(where, file, source))  # its mistakes: its file's
            out.append((where, file, base.scenario.name, base))
        return out
    markets = [meta.market] if meta.market is not None else list(meta.markets)
    bases = []
    for i, market in enumerate(markets):
        mkey = "experiment.market" if meta.market is not None else f"experiment.markets[{i}]"
        mpath = part_path(market, "market", source.parent, str(source), mkey)
        for j, network in enumerate(meta.networks):
            nkey = f"experiment.networks[{j}]"
            npath = part_path(network, "network", source.parent, str(source), nkey)
            label = npath.stem if len(markets) == 1 else f"{npath.stem} in {mpath.stem}"
            scenario = compose_scenario(mpath, npath)
            bases.append((nkey, network, label, scenario))
    return bases


#: ``scenario = "lesson:airport_counters"``: a lesson's scenario; factors may name its decisions
LESSON = "lesson:"


def lesson_base(where: str, file: str) -> Scenario:
    from .lessons import get_lesson, lesson_scenario

    try:
        return lesson_scenario(get_lesson(file.removeprefix(LESSON)))
    except ScenarioError as exc:
        raise ScenarioError(f"{where} = {file!r}: {exc}") from None


def factor_overrides(
    file: str, pairs: list[tuple[str, Any]], text: Callable[[str, Any], str], source: Path
) -> tuple[str, ...]:
    """The ``--set`` overrides of a variant: a lesson's decisions (``peak_counters = [4, 5]``)
    expand to the scenario keys they stand for; every other factor is a dotted key."""
    if not file.startswith(LESSON):
        return tuple(text(k, v) for k, v in pairs)
    from .lessons import decision_overrides, get_lesson

    lesson = get_lesson(file.removeprefix(LESSON))
    names = {d.name for d in lesson.decisions}
    chosen = {k: v for k, v in pairs if k in names}
    for key, value in chosen.items():
        try:
            lesson.decision(key).check(value, f"lesson {lesson.name}")
        except ScenarioError as exc:
            why = str(exc).split(": ", 2)[-1]
            raise ScenarioError(
                f"{source}: {factor_path(key)}: value {short(value)}: {why}"
            ) from None
    others = tuple(text(k, v) for k, v in pairs if k not in names)
    return (*(decision_overrides(lesson, chosen) if chosen else ()), *others)


def check_market_factor(key: str, values: list[Any]) -> None:
    """``market.demand`` takes positive numbers; no other ``market.`` key is a factor."""
    bare = ".".join(part.strip() for part in key.split("."))
    if not bare.startswith("market."):
        return
    if bare != DEMAND:
        raise KeyPathError(
            factor_path(key),
            values,
            f"the only market factor is {DEMAND} (a multiplier of every segment's demand); "
            "change other market keys through the scenario's own key paths "
            '(e.g. "customers.segments.resident.arrivals_per_day")',
        )
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise KeyPathError(
                factor_path(key), value, "a demand factor is a number > 0, e.g. [0.5, 1, 2]"
            )


def with_demand(base: Scenario, factor: float | None, source: Path) -> Scenario:
    """``base`` with every segment's demand times ``factor`` (None or 1: unchanged)."""
    if factor is None or factor == 1:
        return base
    try:
        return scenario_from_dict(scale_demand(scenario_to_dict(base), factor))
    except ScenarioError as exc:
        raise ScenarioError(
            f"{source}: {factor_path(DEMAND)}: value {short(factor)}: {exc}"
        ) from None


def label_part(name: str, key: str, value: Any, position: int) -> str:
    """A factor's part of a variant label: short, never a raw list or table (those are
    named by their place in the factor's list: ``shifts#2``)."""
    if key == DEMAND:
        return f"x {float(value)!r} demand"
    if isinstance(value, list | dict):
        return f"{name}#{position + 1}"
    return f"{name}={value}"
