"""The class game without a browser: common random numbers, ranks, codes, restarts.

Two teams with the same decisions in the same round must get identical results (the
round's seed is shared); the leaderboard ranks by the lesson's score; a team cannot
submit with another team's code; a new Game on the same SQLite file (a restarted
server) sees everything; the teacher's code closes a round and opens the next.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from o2osim.classgame import Game, GameError
from o2osim.classgame.scoring import COUNTER_HOUR_CNY
from o2osim.cli import main
from o2osim.cli_class import default_db


@pytest.fixture
def game(tmp_path):
    return Game(tmp_path / "class.sqlite", "airport_counters", 3)


def test_same_decisions_in_the_same_round_give_identical_results(game):
    codes = game.codes()
    one = game.submit(1, codes[1], {"peak_counters": 5})
    two = game.submit(2, codes[2].lower(), {"peak_counters": 5})  # codes are case-blind
    assert one.score == two.score and one.kpis == two.kpis


def test_the_leaderboard_ranks_by_daily_cost_lowest_first(game):
    codes = game.codes()
    scores = {
        team: game.submit(team, codes[team], {"peak_counters": peak}).score
        for team, peak in ((1, 8), (2, 5), (3, 4))
    }
    board = game.leaderboard()
    assert list(board["team"]) == sorted(scores, key=scores.get)
    assert list(board["rank"]) == [1, 2, 3]
    # 8 counters for 12 peak hours + 2 for 12 quiet hours: 120 counter-hours at 80 CNY.
    assert scores[1] > 120 * COUNTER_HOUR_CNY


def test_codes_rounds_and_bad_input_are_refused_with_one_line(game):
    codes = game.codes()
    with pytest.raises(GameError, match="wrong team code"):
        game.submit(1, codes[2], {})
    with pytest.raises(GameError, match="no such team; teams are 1 to 3"):
        game.submit(9, codes[1], {})
    with pytest.raises(GameError, match="outside its range"):
        game.submit(1, codes[1], {"peak_counters": 40})
    with pytest.raises(GameError, match="wrong teacher code"):
        game.next_round("nope")


def test_a_restarted_server_keeps_codes_rounds_and_the_leaderboard(game, tmp_path):
    codes = game.codes()
    game.submit(1, codes[1], {"peak_counters": 6})
    before = game.leaderboard()
    assert game.next_round(game.teacher_code()) == 2
    again = Game(tmp_path / "class.sqlite", "airport_counters", 3)
    assert again.codes() == codes and again.current_round() == 2
    assert again.leaderboard(1).equals(before)
    assert again.leaderboard().empty  # round 2 has no submissions yet
    with pytest.raises(GameError, match="holds a game of lesson 'airport_counters'"):
        Game(tmp_path / "class.sqlite", "couriers_dispatch", 3)


def test_teams_decide_only_what_the_score_prices(game):
    # a faster hand-over costs nothing in the daily cost: it is not the teams' to choose
    assert [d.name for d in game.decisions] == ["peak_counters", "quiet_counters"]
    with pytest.raises(GameError, match="handover_s: not a decision of this game"):
        game.submit(1, game.codes()[1], {"peak_counters": 5, "handover_s": 30})
    game.submit(1, game.codes()[1], {"peak_counters": 5})
    assert list(game.leaderboard().columns) == ["rank", "team", "score", "peak_counters",
                                                "quiet_counters"]  # fmt: skip
    (stored,) = game.submissions(1)
    assert stored.decisions["handover_s"] == game.lesson.decision("handover_s").default


def test_a_lesson_whose_objective_prices_nothing_has_no_game(tmp_path, capsys, monkeypatch):
    with pytest.raises(GameError, match="little_store: no class game"):
        Game(tmp_path / "store.sqlite", "little_store", 3)
    assert not (tmp_path / "store.sqlite").exists()
    monkeypatch.chdir(tmp_path)
    assert main(["class", "serve", "little_store", "--teams", "2"]) == 2
    err = capsys.readouterr().err.strip()
    assert "games: airport_counters, couriers_dispatch" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "results").exists()  # refused before the default folder is made
    assert default_db("airport_counters") == Path("results/class/airport_counters.sqlite")
