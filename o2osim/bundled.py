"""The scenarios shipped in ``configs/``, and names that stand for them.

``o2osim run wenzhou_baseline`` and an experiment file's ``scenario =
"wenzhou_baseline"`` both mean ``configs/wenzhou_baseline.toml``; a path that
exists, or any text with a suffix, is always taken as a path.
"""

from __future__ import annotations

from pathlib import Path

BUNDLED = Path(__file__).resolve().parent.parent / "configs"


def bundled_scenarios() -> list[Path]:
    """Scenario files shipped in ``configs/`` (experiment files are not scenarios)."""
    if not BUNDLED.is_dir():
        return []
    return sorted(p for p in BUNDLED.glob("*.toml") if not p.name.startswith("experiment"))


def bundled_names() -> list[str]:
    """The names that ``resolve_scenario_path`` accepts in place of a path."""
    return [p.stem for p in bundled_scenarios()]


def resolve_scenario_path(text: str, base: Path | None = None) -> Path:
    """A path as given, or the name of a bundled scenario (``wenzhou_baseline``).

    ``base`` is the folder relative paths are read from (an experiment file's
    folder); without it, the current folder.
    """
    path = Path(text)
    if not path.is_absolute() and base is not None:
        path = base / path
    if path.exists() or path.suffix:
        return path
    candidate = BUNDLED / f"{text}.toml"
    return candidate if candidate.exists() and Path(text).name == text else path
