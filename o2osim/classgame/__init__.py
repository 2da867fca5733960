"""The class game (``o2osim class serve LESSON --teams N``, extra ``[class]``).

:mod:`o2osim.classgame.game` keeps the game in SQLite and runs submissions;
:mod:`o2osim.classgame.pages` draws the team and teacher pages with Panel, imported
only when the server starts.
"""

from __future__ import annotations

from .game import Game, GameError, Submission

__all__ = ["Game", "GameError", "Submission"]
