"""The class game's two pages (Panel): ``/team`` for each team, ``/teacher`` for the teacher.

A team picks its number, types its code, sets the lesson's decisions and submits;
the run goes on in a worker thread and the leaderboard of the round (every team's
score and decisions) refreshes every few seconds. The teacher's page, behind the
teacher's code, shows every team's KPIs and closes the round and opens the next.
Every number comes from :class:`o2osim.classgame.game.Game`; this module only
arranges widgets and shows messages.
"""

from __future__ import annotations

import asyncio
import html
from typing import Any

import pandas as pd
import panel as pn

from ..dashboard.widgets import decision_sliders
from ..glossary import label, shown
from ..lessons import handout_markdown
from .game import Game, GameError

REFRESH_MS = 3000


def board_html(game: Game, element_id: str = "leaderboard") -> str:
    """The current round's leaderboard as an HTML table."""
    table = game.leaderboard()
    score = game.score
    better = "higher" if score.higher_is_better else "lower"
    head = f"<p>Round {game.current_round()}: {html.escape(score.label)} ({better} is better)</p>"
    if table.empty:
        return head + f"<p id='{element_id}-empty'>No submissions yet.</p>"
    return head + _table(table, element_id)


def _table(table: pd.DataFrame, element_id: str) -> str:
    header = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{v:,.4g}</td>" if isinstance(v, float) else f"<td>{html.escape(str(v))}</td>"
            for v in row
        )
        + "</tr>"
        for row in table.itertuples(index=False)
    )
    return f"<table id='{element_id}' border='1' cellpadding='4'><tr>{header}</tr>{body}</table>"


def fixed_note(game: Game) -> Any:
    """The lesson's decisions the game holds at their defaults, and why."""
    played = {d.name for d in game.decisions}
    held = [d for d in game.lesson.decisions if d.name not in played]
    if not held:
        return pn.pane.Markdown("")
    items = "; ".join(f"{d.label}: {d.default:g} {d.unit}" for d in held)
    return pn.pane.Markdown(
        f"*Fixed in this game (the score puts no price on it):* {html.escape(items)}.",
        width=300,
        css_classes=["fixed-decisions"],
    )


def team_page(game: Game) -> Any:
    pn.extension(notifications=False)
    teams = list(game.codes())
    team = pn.widgets.Select(name="Your team", options=teams, width=300)
    code = pn.widgets.PasswordInput(name="Team code", width=300, css_classes=["team-code"])
    sliders = decision_sliders(game.lesson, only=game.decisions)
    fixed = fixed_note(game)
    submit = pn.widgets.Button(name="Submit", button_type="primary", width=120)
    message = pn.pane.Markdown("Set your decisions and press **Submit**.", css_classes=["message"])
    board = pn.pane.HTML(board_html(game), sizing_mode="stretch_width")

    def refresh() -> None:
        board.object = board_html(game)

    async def on_submit(_event: object) -> None:
        submit.disabled = True
        message.object = "Running your decisions on this round's world..."
        values = {name: float(s.value) for name, s in sliders.items()}
        try:
            loop = asyncio.get_running_loop()
            result = await loop.run_in_executor(
                None, game.submit, int(team.value), code.value or "", values
            )
            message.object = (
                f"Team {result.team}, round {result.round}: score **{result.score:,.4g}**."
            )
        except GameError as exc:
            message.object = f"**Not submitted:** {html.escape(str(exc))}"
        except Exception as exc:  # the page must say so, not spin: the server log has more
            message.object = f"**Not submitted:** {type(exc).__name__}: {html.escape(str(exc))}"
            raise
        finally:
            submit.disabled = False
        refresh()

    submit.on_click(on_submit)

    def start_refreshing() -> None:
        pn.state.add_periodic_callback(refresh, period=REFRESH_MS)

    pn.state.onload(start_refreshing)
    controls = pn.Column(team, code, *sliders.values(), fixed, submit, message)
    return pn.template.BootstrapTemplate(
        title=f"Class game: {game.lesson.title}",
        sidebar=[controls],
        main=[
            pn.Tabs(
                ("Leaderboard", board),
                ("Handout", pn.pane.Markdown(handout_markdown(game.lesson), width=520)),
            )
        ],
    )


def results_html(game: Game) -> str:
    """Every team's KPIs in the current round (the teacher's view)."""
    rows = []
    for s in sorted(game.submissions(game.current_round()), key=lambda s: s.team):
        row: dict[str, Any] = {"team": s.team, "score": s.score}
        for key, value in s.kpis.items():
            group, name, kpi = key.split("/")
            number, unit = shown(kpi, value)
            row[f"{label(group, name, kpi)} {unit}".strip()] = number
        rows.append(row)
    if not rows:
        return "<p id='all-results-empty'>No submissions in this round yet.</p>"
    return _table(pd.DataFrame(rows), "all-results")


def teacher_page(game: Game) -> Any:
    pn.extension(notifications=False)
    code = pn.widgets.PasswordInput(name="Teacher code", width=300, css_classes=["teacher-code"])
    show = pn.widgets.Button(name="Show results", width=140)
    advance = pn.widgets.Button(name="Close round, open next", button_type="danger", width=200)
    message = pn.pane.Markdown("", css_classes=["message"])
    results = pn.pane.HTML("", sizing_mode="stretch_width")
    board = pn.pane.HTML(board_html(game, "teacher-board"), sizing_mode="stretch_width")

    def allowed() -> bool:
        if (code.value or "").strip().upper() != game.teacher_code():
            message.object = "**Wrong teacher code.**"
            return False
        return True

    def on_show(_event: object) -> None:
        if allowed():
            results.object = results_html(game)
            board.object = board_html(game, "teacher-board")
            message.object = f"Round {game.current_round()} is open."

    def on_advance(_event: object) -> None:
        try:
            opened = game.next_round(code.value or "")
        except GameError as exc:
            message.object = f"**{html.escape(str(exc))}**"
            return
        message.object = f"Round {opened - 1} closed; round {opened} is open."
        results.object = results_html(game)
        board.object = board_html(game, "teacher-board")

    show.on_click(on_show)
    advance.on_click(on_advance)
    return pn.template.BootstrapTemplate(
        title=f"Teacher: {game.lesson.title}",
        sidebar=[pn.Column(code, show, advance, message)],
        main=[pn.Column(board, pn.pane.Markdown("### Every team's KPIs"), results)],
    )
