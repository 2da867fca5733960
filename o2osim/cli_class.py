"""``o2osim class serve LESSON --teams N``: the class game's server (extra ``[class]``).

    o2osim class serve airport_counters --teams 6 [--port 5007] [--db FILE.sqlite]

It prints each team's code and the teacher's code, then serves ``/team`` and
``/teacher``. The game is stored in ``--db`` (SQLite; default
``results/class/LESSON.sqlite``, beside the runs' results rather than wherever the
command was typed): stop and start the server with the same file and nothing is lost.
This module only parses arguments and starts the server; the game is
:mod:`o2osim.classgame`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console

from .scenario import ScenarioError


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser("class", help="the class game: teams submit decisions, a leaderboard")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    serve = verbs.add_parser("serve", help="serve the team and teacher pages")
    serve.add_argument("lesson")
    serve.add_argument("--teams", type=int, required=True)
    serve.add_argument("--port", type=int, default=5007)
    serve.add_argument(
        "--address", default="127.0.0.1", help="address to listen on (0.0.0.0: the classroom)"
    )
    serve.add_argument(
        "--db",
        type=Path,
        default=None,
        help="SQLite file (default: results/class/LESSON.sqlite)",
    )


def default_db(lesson: str) -> Path:
    """Where a game is stored without ``--db``: with the results, one file per lesson."""
    return Path("results") / "class" / f"{lesson}.sqlite"


def run(args: argparse.Namespace, out: Console) -> int:
    from .cli_dashboard import check_serving, serve

    check_serving(args, "the class game")
    from .classgame import Game
    from .classgame.pages import teacher_page, team_page
    from .classgame.scoring import score_of
    from .lessons import get_lesson

    score_of(get_lesson(args.lesson))  # a lesson without a game: refused before any file
    db = args.db or default_db(args.lesson)
    if args.db is None:
        db.parent.mkdir(parents=True, exist_ok=True)
    elif not db.parent.is_dir():
        raise ScenarioError(f"--db {db}: its folder does not exist")
    game = Game(db, args.lesson, args.teams)
    base = f"http://{args.address}:{args.port}"
    out.print(f"class game: {game.lesson.title} (stored in {db})")
    out.print(f"teams open {base}/team   teacher opens {base}/teacher")
    for team, code in game.codes().items():
        out.print(f"  team {team}: code {code}")
    out.print(f"  teacher: code {game.teacher_code()}")
    pages = {"team": lambda: team_page(game), "teacher": lambda: teacher_page(game)}
    serve(args, pages, "o2osim class game")
    return 0
