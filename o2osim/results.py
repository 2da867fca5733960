"""Results folders that appear complete or not at all.

Everything is written into a hidden temporary sibling folder, which is renamed
into place only when every file is written. An existing folder is refused
unless ``force`` is given; then it is replaced in one rename, so a crash never
leaves a half-written folder under the requested name.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


class ResultsExistError(FileExistsError):
    """The results folder exists and ``force`` was not given."""


class ResumeError(ValueError):
    """An experiment folder cannot be resumed (a different experiment, or no executor)."""


def check_target(folder: Path, force: bool) -> None:
    """Refuse an existing non-empty folder unless ``force``; refuse a file."""
    if folder.exists():
        if not folder.is_dir():
            raise ResultsExistError(f"{folder}: exists and is not a folder")
        if any(folder.iterdir()) and not force:
            raise ResultsExistError(
                f"{folder}: results folder already exists; use --force to replace it"
            )


@contextmanager
def atomic_folder(folder: str | Path, force: bool = False) -> Iterator[Path]:
    """Yield a temporary folder; on success it becomes ``folder`` in one rename."""
    folder = Path(folder)
    check_target(folder, force)
    folder.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
    os.chmod(temp, 0o777 & ~_umask())  # mkdtemp makes 0700; results are meant to be shared
    try:
        yield temp
        _replace(temp, folder)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _replace(temp: Path, folder: Path) -> None:
    if folder.exists():
        trash = folder.with_name(f".{folder.name}.old-{os.getpid()}")
        os.replace(folder, trash)
        os.replace(temp, folder)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.replace(temp, folder)


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write one file via a temporary name in the same folder, then rename."""
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(temp)
        os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()
