"""The ``o2osim`` command: run, check and list scenarios, sweep experiments, report.

Bad input (a wrong scenario, an unsafe or existing results folder, a run too
big for the machine, a full disk) prints one line on stderr and exits with
status 2, without a traceback and without leaving a half-written folder.
Everything that can be checked is checked before the simulation starts.
SIGTERM is handled like Ctrl-C. This module only parses arguments and prints;
the work is done by :mod:`o2osim.api` and :mod:`o2osim.runner`.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
import warnings
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from .bundled import BUNDLED, bundled_scenarios, resolve_scenario_path
from .cli_args import EXIT_BAD_INPUT, build_parser, join_values
from .cli_commands import EXTRA_COMMANDS, command_module
from .cli_progress import counting, run_progress, sweep_progress
from .results import ResultsExistError, ResumeError, check_target
from .run_summary import print_run_summary
from .scenario import (
    RunParameters,
    Scenario,
    ScenarioError,
    dump_scenario,
    load_scenario,
    read_toml,
    with_seed,
)
from .signals import Terminated, sigterm_as_interrupt
from .sizing import check_size, estimate_size
from .units import DAY

if TYPE_CHECKING:
    from .experiment import Experiment

__all__ = ["BUNDLED", "EXIT_BAD_INPUT", "bundled_scenarios", "main", "resolve_scenario_path"]

EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143  # 128 + SIGTERM, as a shell reports a process killed by it


def _report_next(progress: Progress, out: Console, quiet: bool) -> None:
    """Every run is done: stop the sweep's bar and join its refresh thread (rich does not),
    so the report's charts may be drawn on forked processes; say what comes next."""
    refresher = getattr(progress.live, "_refresh_thread", None)
    progress.stop()
    if refresher is not None:
        refresher.join(timeout=1.0)
    if not quiet:
        out.print("all runs done; assembling the results and drawing the report", markup=False)


def _may_make_parent(out: Path | None) -> bool:
    """The default folder, or one missing level (``--out results/base`` in a fresh clone)
    is created; a deeper missing path is more likely a typo and is refused."""
    return out is None or Path(os.path.abspath(out)).parent.parent.is_dir()


def _load(text: str, overrides: list[str]) -> Scenario:
    return load_scenario(resolve_scenario_path(text), overrides)


def _cmd_check(args: argparse.Namespace, out: Console) -> int:
    scenario = _load(args.scenario, args.overrides)
    # A TOML comment keeps the piped output valid TOML.
    sys.stdout.write(f"# o2osim size estimate: {estimate_size(scenario).describe()}\n")
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


def _run_parameters(args: argparse.Namespace) -> Scenario:
    """The scenario with --set, then the typed --horizon/--warmup and --seed, errors naming
    their flag (the seed needs no second validation; horizon and warm-up one, together)."""
    scenario = _load(args.scenario, args.overrides)
    flags = "/".join(
        f for f, v in (("--horizon", args.horizon), ("--warmup", args.warmup)) if v is not None
    )
    try:
        scenario = RunParameters(horizon=args.horizon, warmup=args.warmup).apply(
            scenario, origin=flags
        )
    except ScenarioError as exc:
        shorter = "scenario.warmup" in str(exc) and "shorter than" in str(exc)
        hint = "; pass a shorter --warmup too" if shorter and args.warmup is None else ""
        raise ScenarioError(f"{exc}{hint}") from None
    if args.seed is not None:
        scenario = with_seed(scenario, args.seed, origin="--seed")
    return scenario


def _cmd_run(args: argparse.Namespace, out: Console) -> int:
    from .api import simulate  # heavy imports only when running

    scenario = _run_parameters(args)
    meta = scenario.scenario
    folder = args.out or Path("results") / f"{meta.name}-seed{meta.seed}"
    check_target(folder, args.force, kind="run", make_parents=_may_make_parent(args.out))
    check_size(
        estimate_size(scenario),
        allow_large=args.yes,
        source=str(resolve_scenario_path(args.scenario)),
    )

    if args.quiet:
        result = simulate(scenario)
        result.save(folder, force=args.force, charts=not args.no_charts)
    else:
        with run_progress(out, meta.name, meta.seed) as progress:
            task = progress.add_task("simulating", total=meta.horizon / DAY)

            def step(what: str) -> None:
                progress.update(task, description=f"[cyan]{what}…[/]")

            result = simulate(
                scenario,
                progress=lambda now: progress.update(task, completed=now / DAY),
                steps=step,
            )
            result.save(folder, force=args.force, charts=not args.no_charts, steps=step)
    if not args.quiet:
        print_run_summary(out, result, folder)
    return 0


def _check_sweep_size(experiment: Experiment, workers: int, allow_large: bool) -> None:
    """The largest variant, times the runs that may be in memory at once."""
    estimates = [estimate_size(v.scenario) for v in experiment.variants]
    largest = max(estimates, key=lambda e: e.memory_bytes)
    at_once = min(workers, len(experiment.runs()))
    source = f"{experiment.source}: largest variant x {at_once} run(s) at once"
    check_size(
        replace(largest, memory_bytes=largest.memory_bytes * at_once), allow_large, source=source
    )


def _cmd_sweep(args: argparse.Namespace, out: Console) -> int:
    from .experiment import load_experiment
    from .runner import check_dask_address, check_workers, default_workers, run_experiment

    experiment = load_experiment(resolve_scenario_path(args.experiment))
    folder = args.out or Path("results") / experiment.name
    workers = check_workers(default_workers() if args.workers is None else args.workers)
    if args.dask is not None:
        check_dask_address(args.dask)
    check_target(
        folder,
        args.force,
        kind="experiment",
        resume=args.resume,
        make_parents=_may_make_parent(args.out),
    )
    _check_sweep_size(experiment, 1 if args.dask is not None else workers, args.yes)
    with sweep_progress(out, experiment.name, args.quiet) as progress:
        task = progress.add_task("runs", total=len(experiment.runs()))
        skipped = [0]

        def started(total: int, done: int) -> None:
            skipped[0] = done
            progress.update(task, total=total, completed=done)

        try:
            run_experiment(
                experiment,
                folder,
                workers=workers,
                dask=args.dask,
                resume=args.resume,
                force=args.force,
                on_start=started,
                on_done=lambda _folder: progress.advance(task),
                on_damaged=lambda runs: out.print(
                    f"re-running {len(runs)} damaged run(s): {', '.join(map(str, runs))}",
                    markup=False,
                ),
                make_parents=_may_make_parent(args.out),
                on_runs_done=lambda: _report_next(progress, out, args.quiet),
            )
        except KeyboardInterrupt:
            progress.stop()
            if folder.exists():
                out.print(
                    f"interrupted; finished runs are kept in {folder}/ — "
                    f"run again with --resume to finish",
                    markup=False,
                )
            else:
                out.print(
                    "interrupted before any run finished; no folder was written", markup=False
                )
            raise
    if experiment.spec.selection is not None:  # KN: extra replications only where needed
        from .optimise.sweep_selection import select_after_sweep

        select_after_sweep(experiment, folder, workers, args.dask)
    if not args.quiet:
        total = len(experiment.runs())
        out.print(
            f"{total - skipped[0]} runs done, {skipped[0]} already finished; "
            f"results in {folder}/ (summary.csv, report.md, charts/)",
            markup=False,
        )
    return 0


def _cmd_report(args: argparse.Namespace, out: Console) -> int:
    """An experiment folder: charts and report.md; a run folder: kpis.csv from its tables."""
    folder: Path = args.results
    give = "give the --out folder of `o2osim run` or of `o2osim sweep`"
    if not folder.exists():
        raise ScenarioError(f"{folder}: does not exist; {give}")
    if not folder.is_dir():
        raise ScenarioError(f"{folder}: is not a folder; {give}")
    if (folder / "experiment.json").exists():
        return _report_experiment(folder, out)
    if (folder / "manifest.json").exists():
        return _report_run(folder, out)
    raise ScenarioError(
        f"{folder}: neither a run folder (manifest.json) nor an experiment "
        f"folder (experiment.json); {give}"
    )


def _report_experiment(folder: Path, out: Console) -> int:
    from .report import write_report
    from .runner import check_experiment_folder

    problems = check_experiment_folder(folder)
    if problems:
        raise ScenarioError("\n".join(problems))
    with out.status("drawing charts and writing report.md…"):
        report = write_report(folder)
    out.print(f"experiment folder: wrote {report} and {folder / 'charts'}/", markup=False)
    return 0


def _report_run(folder: Path, out: Console) -> int:
    from .report import rebuild_run_kpis

    with out.status("computing money and KPIs again from the tables…"):
        done = rebuild_run_kpis(folder)
    outcome = {
        "unchanged": "identical to the one stored",
        "replaced": "it differed from the one stored, which it replaced",
        "new": "there was none",
    }[done.status]
    out.print(
        f"run folder: {done.path} computed again from its tables ({done.rows} KPIs; {outcome})",
        markup=False,
        soft_wrap=True,
    )
    return 0


def _cmd_validate(args: argparse.Namespace, out: Console) -> int:
    from .validation import run_checks

    if args.replications < 2:
        raise ScenarioError(f"--replications {args.replications}: give at least 2")
    with counting(out, "validate", "replications") as done:
        checks = run_checks(args.replications, workers=args.workers, on_done=done)
    table = Table(
        title=f"o2osim validate — {args.replications} replications, 99% CIs", title_justify="left"
    )
    for column in ("check", "model", "99% CI", "exact", "result"):
        table.add_column(column, justify="right" if column != "check" else "left")
    for check in checks:
        verdict = "[green]pass[/]" if check.passed else "[red]FAIL[/]"
        table.add_row(
            check.name,
            f"{check.model:.4g}",
            f"[{check.low:.4g}, {check.high:.4g}]",
            f"{check.exact:.4g}",
            verdict,
        )
    out.print(table)
    return 0 if all(c.passed for c in checks) else 1


def _os_error_text(exc: OSError) -> str:
    where = exc.filename if exc.filename is not None else "results"
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC:
        return f"{where}: no space left on the device; nothing was saved, free some space"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{where}: {reason}; choose a folder you can write to"
    return f"{where}: {reason}"


def _dispatch(args: argparse.Namespace, out: Console) -> int:
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
    if args.command in EXTRA_COMMANDS:
        return command_module(args.command).run(args, out)
    return _cmd_run(args, out)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``o2osim`` command; returns the exit status."""
    try:
        args = build_parser().parse_args(join_values(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return int(exc.code or 0)
    out = Console()
    err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

    def fail(message: str) -> int:
        for line in message.splitlines() or [""]:
            err.print(f"o2osim: error: {line}", markup=False)
        return EXIT_BAD_INPUT

    def warn(message: Warning | str, *_: object, **__: object) -> None:
        # One line per warning, like errors: a skipped chart, an unstable system.
        err.print(f"o2osim: warning: {message}", markup=False)

    try:
        with sigterm_as_interrupt(), warnings.catch_warnings():
            warnings.showwarning = warn
            return _dispatch(args, out)
    except (ScenarioError, ResultsExistError, ResumeError) as exc:
        return fail(str(exc))
    except Terminated:
        err.print("o2osim: terminated; no half-written results were left", markup=False)
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        err.print("o2osim: interrupted; no half-written results were left", markup=False)
        return EXIT_INTERRUPTED
    except RecursionError:
        return fail(
            "input nested too deeply to read (a TOML table or --set value hundreds of levels deep)"
        )
    except MemoryError:
        return fail(
            "ran out of memory; shorten the horizon or lower the demand "
            "(the size estimate is printed by `o2osim check`)"
        )
    except OSError as exc:
        return fail(_os_error_text(exc))


if __name__ == "__main__":
    sys.exit(main())
