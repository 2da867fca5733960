"""The ``o2osim`` command: run, check and list scenarios.

Bad input (a wrong scenario, an existing results folder) prints one line on
stderr and exits with status 2, without a traceback and without creating a
results folder. This module only parses arguments and prints; the work is done
by :mod:`o2osim.api`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import __version__
from .results import ResultsExistError, ResumeError, check_target
from .scenario import Scenario, ScenarioError, dump_scenario, load_scenario, read_toml
from .units import DAY

EXIT_BAD_INPUT = 2
BUNDLED = Path(__file__).resolve().parent.parent / "configs"


def bundled_scenarios() -> list[Path]:
    """Scenario files shipped in ``configs/`` (experiment files are not scenarios)."""
    if not BUNDLED.is_dir():
        return []
    return sorted(p for p in BUNDLED.glob("*.toml") if not p.name.startswith("experiment"))


def resolve_scenario_path(text: str) -> Path:
    """A path as given, or the name of a bundled scenario (``wenzhou_baseline``)."""
    path = Path(text)
    if path.exists() or path.suffix:
        return path
    candidate = BUNDLED / f"{text}.toml"
    return candidate if candidate.exists() else path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="o2osim",
        description="Discrete-event simulation of cross-border e-commerce O2O retail.",
    )
    parser.add_argument("--version", action="version", version=f"o2osim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run one scenario and write a results folder")
    run.add_argument("scenario", help="scenario TOML file, or the name of a bundled scenario")
    run.add_argument("--seed", type=int, help="random seed (default: the scenario's)")
    run.add_argument("--horizon", help='simulated time, e.g. "14d" (default: the scenario\'s)')
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                     help="override a scenario value, e.g. --set warehouse.pickers=16")
    run.add_argument("--out", type=Path, help="results folder (default: results/NAME-seedN)")
    run.add_argument("--force", action="store_true", help="replace an existing results folder")
    run.add_argument("--quiet", action="store_true", help="no progress bar or KPI table")
    run.add_argument("--no-charts", action="store_true", help="skip the PNG charts")

    check = sub.add_parser("check", help="validate a scenario and print it resolved")
    check.add_argument("scenario")
    check.add_argument("--set", dest="overrides", action="append", default=[],
                       metavar="KEY=VALUE")

    sub.add_parser("scenarios", help="list the bundled scenarios")

    sweep = sub.add_parser("sweep", help="run an experiment file: variants x replications")
    sweep.add_argument("experiment", help="experiment TOML file")
    sweep.add_argument("--workers", type=int, default=None,
                       help="local worker processes (default: one per core)")
    sweep.add_argument("--dask", metavar="ADDR",
                       help='run on Dask: "local" starts a LocalCluster, or tcp://host:8786')
    sweep.add_argument("--resume", action="store_true", help="run only the missing runs")
    sweep.add_argument("--force", action="store_true", help="discard an existing folder")
    sweep.add_argument("--out", type=Path, help="experiment folder (default: results/NAME)")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")

    report = sub.add_parser("report", help="rebuild an experiment's charts and report.md")
    report.add_argument("results", type=Path, help="experiment folder")

    validate = sub.add_parser("validate", help="compare stripped-down runs with theory")
    validate.add_argument("--replications", type=int, default=10)
    validate.add_argument("--workers", type=int, default=None)
    return parser


def _load(text: str, overrides: list[str]) -> Scenario:
    return load_scenario(resolve_scenario_path(text), overrides)


def _cmd_check(args: argparse.Namespace, out: Console) -> int:
    scenario = _load(args.scenario, args.overrides)
    sys.stdout.write(dump_scenario(scenario))  # plain text: must stay valid TOML when piped
    return 0


def _cmd_scenarios(out: Console) -> int:
    table = Table(title="bundled scenarios", show_lines=False)
    table.add_column("name")
    table.add_column("layout")
    table.add_column("description")
    for path in bundled_scenarios():
        try:
            meta = read_toml(path).get("scenario", {})
        except ScenarioError as exc:
            table.add_row(path.stem, "?", f"unreadable: {exc}")
            continue
        table.add_row(path.stem, str(meta.get("layout", "?")), str(meta.get("description", "")))
    out.print(table)
    return 0


def _cmd_run(args: argparse.Namespace, out: Console) -> int:
    from .api import simulate  # heavy imports only when running

    overrides = list(args.overrides)
    if args.horizon is not None:
        overrides.append(f'scenario.horizon="{args.horizon}"')
    if args.seed is not None:
        overrides.append(f"scenario.seed={args.seed}")
    scenario = _load(args.scenario, overrides)
    meta = scenario.scenario
    folder = args.out or Path("results") / f"{meta.name}-seed{meta.seed}"
    check_target(folder, args.force)

    if args.quiet:
        result = simulate(scenario)
    else:
        with Progress(
            TextColumn(f"[bold]{meta.name}[/] seed {meta.seed}"),
            BarColumn(),
            TextColumn("day {task.completed:.1f}/{task.total:.0f}"),
            TimeElapsedColumn(),
            console=out,
            transient=True,
        ) as progress:
            task = progress.add_task("simulating", total=meta.horizon / DAY)
            result = simulate(
                scenario, progress=lambda now: progress.update(task, completed=now / DAY)
            )
    result.save(folder, force=args.force, charts=not args.no_charts)
    if not args.quiet:
        _print_summary(out, result, folder)
    return 0


def _cmd_sweep(args: argparse.Namespace, out: Console) -> int:
    from .experiment import load_experiment
    from .runner import default_workers, run_experiment

    experiment = load_experiment(args.experiment)
    folder = args.out or Path("results") / experiment.name
    workers = args.workers or default_workers()
    if workers < 1:
        raise ScenarioError(f"--workers {workers}: give at least 1")
    with Progress(
        TextColumn(f"[bold]{experiment.name}[/]"), BarColumn(),
        TextColumn("{task.completed:.0f}/{task.total:.0f} runs"), TimeElapsedColumn(),
        console=out, transient=True, disable=args.quiet,
    ) as progress:
        task = progress.add_task("runs", total=len(experiment.runs()))
        skipped = [0]

        def started(total: int, done: int) -> None:
            skipped[0] = done
            progress.update(task, total=total, completed=done)

        try:
            run_experiment(
                experiment, folder, workers=workers, dask=args.dask, resume=args.resume,
                force=args.force, on_start=started,
                on_done=lambda _folder: progress.advance(task),
            )
        except KeyboardInterrupt:
            progress.stop()
            out.print(f"interrupted; finished runs are kept in {folder}/ — "
                      f"run again with --resume to finish", markup=False)
            return 130
    if not args.quiet:
        total = len(experiment.runs())
        out.print(f"{total - skipped[0]} runs done, {skipped[0]} already finished; "
                  f"results in {folder}/ (summary.csv, report.md, charts/)", markup=False)
    return 0


def _cmd_report(args: argparse.Namespace, out: Console) -> int:
    from .report import write_report

    if not (args.results / "summary.csv").exists():
        raise ScenarioError(f"{args.results}: not a finished experiment folder (no summary.csv)")
    report = write_report(args.results)
    out.print(f"wrote {report} and {args.results / 'charts'}/", markup=False)
    return 0


def _cmd_validate(args: argparse.Namespace, out: Console) -> int:
    from .validation import run_checks

    if args.replications < 2:
        raise ScenarioError(f"--replications {args.replications}: give at least 2")
    checks = run_checks(args.replications, workers=args.workers)
    table = Table(title=f"o2osim validate — {args.replications} replications, 99% CIs",
                  title_justify="left")
    for column in ("check", "model", "99% CI", "exact", "result"):
        table.add_column(column, justify="right" if column != "check" else "left")
    for check in checks:
        verdict = "[green]pass[/]" if check.passed else "[red]FAIL[/]"
        table.add_row(check.name, f"{check.model:.4g}",
                      f"[{check.low:.4g}, {check.high:.4g}]", f"{check.exact:.4g}", verdict)
    out.print(table)
    return 0 if all(c.passed for c in checks) else 1


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def _print_summary(out: Console, result: object, folder: Path) -> None:
    kpis = result.kpis  # type: ignore[attr-defined]
    table = Table(title=f"KPIs after warm-up — {folder}", title_justify="left")
    for column, justify in (("group", "left"), ("name", "left"), ("kpi", "left"),
                            ("value", "right"), ("unit", "left")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    shown = {
        "overall": ("orders_placed", "delivered", "lost_sale", "balked", "reneged",
                    "fill_rate", "revenue_cny",
                    "lead_time_mean", "lead_time_p95", "on_time_rate", "cost_per_order",
                    "profit_per_order", "break_even_orders_per_day"),
        "channel": ("on_time_rate", "late_orders", "lateness_p90", "repeat_rate"),
        "resource": ("utilisation", "mean_wait", "p95_wait", "orders_per_trip",
                     "orders_per_rider_hour", "cost_per_delivery"),
        "airport": ("orders_per_day", "peak_day_orders", "collected", "missed",
                    "staged_on_time_rate", "counter_wait_mean", "counter_wait_p95",
                    "time_at_counter_mean", "refund_cny"),
    }
    for row in kpis.itertuples(index=False):
        if row.kpi in shown.get(row.group, ()) or row.group == "choice":  # every share
            table.add_row(row.group, row.name, row.kpi, _number(row.value), row.unit)
    out.print(table)
    manifest = result.manifest  # type: ignore[attr-defined]
    out.print(f"{manifest['orders']:,} orders, {manifest['events']:,} events in "
              f"{manifest['wall_time_s']:.1f} s wall time; results in {folder}/")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``o2osim`` command; returns the exit status."""
    args = _parser().parse_args(argv)
    out = Console()
    err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
    try:
        if args.command == "check":
            return _cmd_check(args, out)
        if args.command == "scenarios":
            return _cmd_scenarios(out)
        if args.command == "sweep":
            return _cmd_sweep(args, out)
        if args.command == "report":
            return _cmd_report(args, out)
        if args.command == "validate":
            return _cmd_validate(args, out)
        return _cmd_run(args, out)
    except (ScenarioError, ResultsExistError, ResumeError) as exc:
        err.print(f"o2osim: error: {exc}", markup=False)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        err.print("o2osim: interrupted; no results folder was written", markup=False)
        return 130


if __name__ == "__main__":
    sys.exit(main())
