"""The class game in a real browser: two teams submit, the leaderboard ranks them, a wrong
code is refused on the page, and after a server restart the leaderboard is intact."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from o2osim.classgame import Game

from browser_page import Page, free_port, start_server, stop_server

pytest.importorskip("panel")


def _serve(db: Path, log: Path) -> tuple[object, str]:
    port = free_port()
    argv = ["class", "serve", "airport_counters", "--teams", "2", "--port", str(port)]
    process = start_server([*argv, "--db", str(db)], port, log)
    return process, f"http://127.0.0.1:{port}"


def _submit(page: Page, team: int, code: str, peak: str) -> None:
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    def choose_team() -> bool:
        selects = page.deep("select")
        if not selects:
            return False
        Select(selects[0]).select_by_visible_text(str(team))
        return True

    def type_into(host: str, *keys: str) -> Callable[[], bool]:
        # Found and typed in one attempt: a re-render in between makes it stale, and
        # wait_for retries the whole attempt.
        def attempt() -> bool:
            hosts = page.deep(host)
            if not hosts:
                return False
            box = page.inputs_in(hosts[0])[0]
            box.clear()
            box.send_keys(*keys)
            return True

        return attempt

    page.wait_for(choose_team)
    page.wait_for(type_into(".team-code", code))
    page.wait_for(type_into(".decision-peak_counters", peak, Keys.ENTER))
    page.click("Submit")


def _board_teams(page: Page) -> list[str]:
    text = page.text("#leaderboard") or ""
    return [line.split()[1] for line in text.splitlines()[1:]]


def test_two_teams_submit_rank_and_survive_a_restart(page: Page, tmp_path: Path, shots: Path):
    db = tmp_path / "class.sqlite"
    codes = Game(db, "airport_counters", 2).codes()  # the server reopens this game
    process, base = _serve(db, tmp_path / "server1.log")
    try:
        page.driver.get(f"{base}/team")
        page.wait_for(lambda: page.deep(".decision-peak_counters"))
        _submit(page, 1, "WRONG", "5")
        page.wait_for(lambda: "wrong team code" in page.all_text())
        _submit(page, 1, codes[1], "8")
        page.wait_for(lambda: "Team 1, round 1" in page.all_text())
        _submit(page, 2, codes[2], "5")
        page.wait_for(lambda: len(_board_teams(page)) == 2)
        page.driver.save_screenshot(str(shots / "class_game_team.png"))
        expected = [str(t) for t in Game(db, "airport_counters", 2).leaderboard()["team"]]
        assert _board_teams(page) == expected == ["2", "1"]  # 5 counters cost less than 8
    finally:
        stop_server(process)
    process, base = _serve(db, tmp_path / "server2.log")
    try:
        page.driver.get(f"{base}/team")
        page.wait_for(lambda: len(_board_teams(page)) == 2)
        assert _board_teams(page) == ["2", "1"]
        page.driver.get(f"{base}/teacher")
        box = page.wait_for(lambda: next(iter(page.deep(".teacher-code")), None))
        page.inputs_in(box)[0].send_keys(Game(db, "airport_counters", 2).teacher_code())
        page.click("Show results")
        page.wait_for(lambda: page.text("#all-results"))
        assert len((page.text("#all-results") or "").splitlines()) == 3  # header + 2 teams
        page.driver.save_screenshot(str(shots / "class_game_teacher.png"))
    finally:
        stop_server(process)
