"""The class dashboard (``o2osim dashboard``, optional extra ``[class]``).

``from o2osim.dashboard import build_app; build_app()`` shows it in a Jupyter cell;
``o2osim dashboard`` serves it in the browser. Panel is imported only when the app
is built, so ``import o2osim`` works without the extra.
"""

from __future__ import annotations

from typing import Any


def build_app(page: bool = False) -> Any:
    """The dashboard (see :func:`o2osim.dashboard.app.build_app`); needs the ``[class]`` extra."""
    from .app import build_app as build

    return build(page)


__all__ = ["build_app"]
