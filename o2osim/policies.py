"""Policy registries: each family (choice, dispatch, ...) is a dict name -> plain function.

A scenario names a policy; a new policy is one decorated function. This module
holds only the registering mechanism, never a policy itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable[..., object])


def registrar(table: dict[str, F]) -> Callable[[str], Callable[[F], F]]:
    """A decorator factory that adds functions to ``table`` under a name."""

    def named(name: str) -> Callable[[F], F]:
        def register(function: F) -> F:
            table[name] = function
            return function

        return register

    return named
