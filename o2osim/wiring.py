"""How components are connected: the stage and resource Protocols, hooks, the build-time check.

A *hook* is a callable a component calls to hand an order on (``done``), to end it
(``fail``, ``lost``...) or to ask for something (``place``, ``build_order``).
Components receive their hooks in their constructors and list their names in a
``HOOKS`` class attribute. The builders register every component they make with a
:class:`Wiring` under a label that says what it is (``stage 'pick' of channel
'online'``); :meth:`Wiring.check` runs before time 0 and raises a
:class:`WiringError` naming the component and the hook that is not connected, so a
mistake in a builder fails at build time instead of when the first order reaches it
(desmod's lesson).

The two links that point both ways -- the order flow and its routes' stages, the
stock pool and its reserve stage -- are made by one ``connect`` call after both
exist; :func:`unwired` marks such a hook until then, and the check catches it.

This module must not know SimPy, the scenario or any facility.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sized
from typing import Any, ClassVar, Protocol, TypeVar, runtime_checkable

#: Hands on, or ends, one order (``done``, ``lost``, ``place``...).
Hook = Callable[[int], None]
Component = TypeVar("Component")


@runtime_checkable
class RouteStage(Protocol):
    """One step of a channel's route: an order arrives now and is handed on when done."""

    def arrive(self, order_id: int) -> None:
        """Order ``order_id`` reaches this stage now."""


@runtime_checkable
class MonitoredResource(Protocol):
    """A queueing resource the monitor snapshots and whose statistics the run reports."""

    @property
    def name(self) -> str:
        """The resource name in the tables (``pick``, ``deliver``, ``STORE.staff``...)."""

    @property
    def queue(self) -> Sized:
        """The orders waiting now."""

    @property
    def busy(self) -> int:
        """Servers busy now."""

    @property
    def servers(self) -> int:
        """Servers open now."""

    def snapshot(self) -> dict[str, float]:
        """Time averages and counts since the statistics began."""

    def reset_stats(self) -> None:
        """Start the statistics afresh now (the end of the warm-up)."""


class Wired(Protocol):
    """A component with hooks: ``HOOKS`` names the attributes that hold them."""

    HOOKS: ClassVar[tuple[str, ...]]


class WiringError(RuntimeError):
    """A component's hook is not connected (raised at build time, before time 0)."""


class _Unwired:
    """Stands in for a hook until it is connected; calling it says which one it is."""

    def __init__(self, owner: str, hook: str) -> None:
        self.owner = owner
        self.hook = hook

    def __call__(self, *args: Any) -> Any:
        raise WiringError(f"{self.owner}: hook {self.hook!r} is not connected")


def unwired(owner: str, hook: str) -> Any:
    """A placeholder for hook ``hook`` of ``owner`` that a later ``connect`` replaces."""
    return _Unwired(owner, hook)


def missing_hooks(component: object) -> list[str]:
    """The hooks of ``component`` (its class's ``HOOKS``) that are not connected: None,
    absent, or still :func:`unwired`."""
    names: Iterable[str] = getattr(type(component), "HOOKS", ())
    return [
        name
        for name in names
        if (hook := getattr(component, name, None)) is None or isinstance(hook, _Unwired)
    ]


class Wiring:
    """Every component a build made, by label, so the build can be checked as a whole."""

    def __init__(self) -> None:
        self.components: list[tuple[str, object]] = []

    def add(self, label: str, component: Component) -> Component:
        """Register ``component`` under ``label`` (``stage 'pick'``...) and return it."""
        self.components.append((label, component))
        return component

    def check(self) -> None:
        """Raise :class:`WiringError` naming the first component with a hook not connected."""
        for label, component in self.components:
            missing = missing_hooks(component)
            if missing:
                raise WiringError(
                    f"{label} ({type(component).__name__}): hook {missing[0]!r} is not connected"
                )
