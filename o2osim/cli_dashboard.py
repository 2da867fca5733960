"""``o2osim dashboard``: serve the class dashboard in the browser (extra ``[class]``).

    o2osim dashboard [--port 5006] [--address 127.0.0.1] [--open]

It listens on one address (the local machine unless told otherwise) and serves a
fresh dashboard to every browser session. This module only parses arguments and
starts the server; the page is :mod:`o2osim.dashboard.app`.
"""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console

from .scenario import ScenarioError


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser("dashboard", help="serve the class dashboard (needs the [class] extra)")
    parser.add_argument("--port", type=int, default=5006)
    parser.add_argument(
        "--address", default="127.0.0.1", help="address to listen on (0.0.0.0: the whole class)"
    )
    parser.add_argument("--open", action="store_true", help="open it in this machine's browser")


def serve(args: argparse.Namespace, pages: Any, title: str) -> None:
    """Serve Panel ``pages`` (a factory, or path -> factory) on ``--address``/``--port``."""
    import panel as pn

    hosts = [f"{host}:{args.port}" for host in ("localhost", "127.0.0.1", args.address)]
    pn.serve(
        pages,
        port=args.port,
        address=args.address,
        websocket_origin=hosts,
        show=getattr(args, "open", False),
        title=title,
        verbose=False,
    )


def check_serving(args: argparse.Namespace, what: str) -> None:
    """Refuse a bad port, or a missing Panel, with one line before anything starts."""
    if not 0 < args.port < 65536:
        raise ScenarioError(f"--port {args.port}: give a port between 1 and 65535")
    try:
        import panel  # noqa: F401
    except ImportError:
        raise ScenarioError(f'{what} needs Panel: pip install -e ".[class]"') from None


def run(args: argparse.Namespace, out: Console) -> int:
    check_serving(args, "the dashboard")
    from .dashboard import build_app

    out.print(f"o2osim dashboard on http://{args.address}:{args.port}/ (Ctrl-C stops it)")
    serve(args, lambda: build_app(page=True), "o2osim")
    return 0
