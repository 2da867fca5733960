"""A class game: teams submit decisions for a round, every run on the same random world.

State lives in one SQLite file (the embedded default), so a server restart loses
nothing: the lesson, the team codes, the rounds (each with its seed: every team's
run in a round uses it, common random numbers, so differences between teams are
their decisions, not luck) and every submission with its score and KPIs. A team
submits only with its own code; a team may resubmit while its round is open (the
last submission counts). Bad input raises :class:`GameError` (a
:class:`o2osim.scenario.ScenarioError`) with a one-line message the page shows.
This module must not import Panel.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..lessons import Decision, Lesson, get_lesson, lesson_scenario
from ..scenario import ScenarioError
from .scoring import score_of

MAX_TEAMS = 40
SEED_BASE = 20261130  # round r runs with seed SEED_BASE + r

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS teams (team INTEGER PRIMARY KEY, code TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rounds (round INTEGER PRIMARY KEY, seed INTEGER NOT NULL,
                                   open INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS submissions (
    round INTEGER NOT NULL, team INTEGER NOT NULL, decisions TEXT NOT NULL,
    score REAL NOT NULL, kpis TEXT NOT NULL, submitted REAL NOT NULL,
    PRIMARY KEY (round, team));
"""


class GameError(ScenarioError):
    """A submission or a teacher's action that cannot be taken (one line)."""


@dataclass(frozen=True)
class Submission:
    round: int
    team: int
    decisions: dict[str, float]
    score: float
    kpis: dict[str, float]


class Game:
    """One class game stored in ``path``; created on first use, reopened afterwards."""

    def __init__(self, path: str | Path, lesson: str, teams: int) -> None:
        self.path = Path(path)
        self.lesson: Lesson = get_lesson(lesson)
        if not 1 <= teams <= MAX_TEAMS:
            raise GameError(f"--teams {teams}: give 1 to {MAX_TEAMS} teams")
        try:  # before the file is made: a lesson without a game leaves nothing behind
            self.score = score_of(self.lesson)
        except ScenarioError as exc:
            raise GameError(str(exc)) from None
        with self._db() as db:
            db.executescript(SCHEMA)
            stored = dict(db.execute("SELECT key, value FROM meta").fetchall())
            if not stored:
                self._create(db, teams)
            elif stored["lesson"] != lesson:
                raise GameError(
                    f"{self.path}: holds a game of lesson {stored['lesson']!r}, not {lesson!r}; "
                    "give another --db"
                )
            have = db.execute("SELECT COUNT(*) FROM teams").fetchone()[0]
            for team in range(have + 1, teams + 1):  # more teams joined after a restart
                db.execute("INSERT INTO teams VALUES (?, ?)", (team, _code()))

    @property
    def decisions(self) -> tuple[Decision, ...]:
        """What teams choose: the decisions the score prices (the rest stay at defaults)."""
        names = self.score.decisions
        return tuple(d for d in self.lesson.decisions if names is None or d.name in names)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30)
        try:
            with db:  # one transaction: committed on success, rolled back on error
                yield db
        finally:
            db.close()

    def _create(self, db: sqlite3.Connection, teams: int) -> None:
        db.execute("INSERT INTO meta VALUES ('lesson', ?)", (self.lesson.name,))
        db.execute("INSERT INTO meta VALUES ('teacher_code', ?)", (_code(6),))
        db.execute("INSERT INTO rounds VALUES (1, ?, 1)", (SEED_BASE + 1,))
        for team in range(1, teams + 1):
            db.execute("INSERT INTO teams VALUES (?, ?)", (team, _code()))

    # ------------------------------------------------------------ reading

    def codes(self) -> dict[int, str]:
        with self._db() as db:
            return dict(db.execute("SELECT team, code FROM teams ORDER BY team").fetchall())

    def teacher_code(self) -> str:
        with self._db() as db:
            return str(db.execute("SELECT value FROM meta WHERE key='teacher_code'").fetchone()[0])

    def current_round(self) -> int:
        with self._db() as db:
            return int(db.execute("SELECT MAX(round) FROM rounds").fetchone()[0])

    def submissions(self, round_: int) -> list[Submission]:
        with self._db() as db:
            rows = db.execute(
                "SELECT round, team, decisions, score, kpis FROM submissions WHERE round = ?",
                (round_,),
            ).fetchall()
        return [Submission(r, t, json.loads(d), s, json.loads(k)) for r, t, d, s, k in rows]

    def leaderboard(self, round_: int | None = None) -> pd.DataFrame:
        """Teams of a round ranked by score, best first (ties share a rank)."""
        round_ = self.current_round() if round_ is None else round_
        rows = [{"team": s.team, "score": s.score, **s.decisions} for s in self.submissions(round_)]
        played = [d.name for d in self.decisions]
        rows = [{k: v for k, v in row.items() if k in ("team", "score", *played)} for row in rows]
        table = pd.DataFrame(rows, columns=["team", "score", *played])
        table = table.sort_values(
            ["score", "team"], ascending=[not self.score.higher_is_better, True]
        )
        ranks = table["score"].rank(method="min", ascending=not self.score.higher_is_better)
        table.insert(0, "rank", ranks.astype(int))
        return table.reset_index(drop=True)

    # ------------------------------------------------------------ acting

    def submit(self, team: int, code: str, decisions: Mapping[str, object]) -> Submission:
        """Check the team's code and decisions, run the round's world, store the result."""
        codes = self.codes()
        if team not in codes:
            raise GameError(f"team {team}: no such team; teams are 1 to {len(codes)}")
        if not secrets.compare_digest(codes[team], code.strip().upper()):
            raise GameError(f"team {team}: wrong team code; ask your teacher for your code")
        played = [d.name for d in self.decisions]
        fixed = [name for name in decisions if name not in played]
        if fixed:
            raise GameError(
                f"{fixed[0]}: not a decision of this game (its score puts no price on it, so "
                f"it stays at the lesson's value); decide {', '.join(played)}"
            )
        try:
            values = self.lesson.values(decisions)
        except ScenarioError as exc:
            raise GameError(str(exc)) from None
        round_ = self.current_round()
        with self._db() as db:
            seed = int(
                db.execute("SELECT seed FROM rounds WHERE round = ?", (round_,)).fetchone()[0]
            )
        from ..api import simulate

        result = simulate(lesson_scenario(self.lesson, values), seed=seed)
        score = float(self.score.of(result, values))
        kpis = {f"{g}/{n}/{k}": result.kpi(g, n, k) for g, n, k in self.lesson.measure}
        with self._db() as db:
            still_open = db.execute("SELECT open FROM rounds WHERE round = ?", (round_,)).fetchone()
            if not still_open[0]:
                raise GameError(f"round {round_} was closed while your run went on; submit again")
            db.execute(
                "INSERT OR REPLACE INTO submissions VALUES (?, ?, ?, ?, ?, ?)",
                (round_, team, json.dumps(values), score, json.dumps(kpis), time.time()),
            )
        return Submission(round_, team, values, score, kpis)

    def next_round(self, teacher_code: str) -> int:
        """Close the current round and open the next (teacher only); its number."""
        if not secrets.compare_digest(self.teacher_code(), teacher_code.strip().upper()):
            raise GameError("wrong teacher code")
        with self._db() as db:
            current = int(db.execute("SELECT MAX(round) FROM rounds").fetchone()[0])
            db.execute("UPDATE rounds SET open = 0 WHERE round = ?", (current,))
            db.execute(
                "INSERT INTO rounds VALUES (?, ?, 1)", (current + 1, SEED_BASE + current + 1)
            )
        return current + 1


def _code(length: int = 4) -> str:
    """A short code without look-alike letters (no 0/O, 1/I)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(length))
