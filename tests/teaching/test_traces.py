"""Order traces: a journey's legs add up to the order's lead time, the Gantt chart is
written, and bad input is one line with exit status 2."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from o2osim.cli import main
from o2osim.traces import FINISHED, journey_of, read_traced_run, routes, sample_journeys


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A day and a half of the Xiasha complex: five channels, routes of one to seven
    stages (store visit, customs, picking, riders, regional waves)."""
    folder = tmp_path_factory.mktemp("trace") / "run"
    argv = ["run", "hangzhou_xiasha_bonded", "--horizon", "36h", "--warmup", "12h"]
    assert main([*argv, "--out", str(folder), "--quiet", "--no-charts"]) == 0
    return folder


def test_every_finished_orders_stages_add_up_to_its_lead_time(run_folder: Path) -> None:
    run = read_traced_run(run_folder)
    by_route = routes(run.scenario)
    finished = run.orders[run.orders["outcome"].astype(str).isin(FINISHED)]
    assert finished["channel"].nunique() == 5
    for _, row in finished.iterrows():
        journey = journey_of(row, by_route[str(row["channel"])])
        assert not journey.unreached
        assert [leg.stage for leg in journey.legs] == by_route[journey.channel]
        # conservation: the legs are contiguous from placing the order to hand-over
        total = math.fsum(leg.wait + leg.service for leg in journey.legs)
        assert total == pytest.approx(journey.lead_time, abs=1e-9)
        assert all(leg.wait >= 0 and leg.service >= 0 for leg in journey.legs)


def test_some_orders_wait_for_the_regional_wave(run_folder: Path) -> None:
    journeys = sample_journeys(read_traced_run(run_folder), 40)
    waves = [leg for j in journeys for leg in j.legs if leg.stage == "regional"]
    # a wave leaves at its cut-off, so every regional order waits until one
    assert waves and all(leg.wait > 0 for leg in waves)
    assert len({j.channel for j in journeys}) == 5


def test_the_command_prints_a_journey_and_writes_the_chart(
    run_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    order = int(read_traced_run(run_folder).orders["order_id"].iloc[-1])
    chart = tmp_path / "traces.png"
    argv = ["trace", str(run_folder), "--order", str(order), "--chart", str(chart)]
    assert main([*argv, "--sample", "10"]) == 0
    out = capsys.readouterr().out
    assert f"order {order}" in out and "total" in out
    assert chart.stat().st_size > 10_000
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--order", "123456789"], "no such order in this run"),
        (["--order", "seven"], "give a whole number"),
        (["--chart", "x.svg"], "the chart is a PNG"),
        (["--chart", "t.png", "--sample", "0"], "give 1 or more orders"),
        ([], "give --order ID, --chart FILE.png, or both"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    run_folder: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["trace", str(run_folder), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_a_folder_that_is_not_a_run_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trace", str(tmp_path / "missing"), "--order", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert "does not exist" in err and len(err.splitlines()) == 1
    assert main(["trace", str(tmp_path), "--order", "1"]) == 2
    assert "not an o2osim run folder" in capsys.readouterr().err
