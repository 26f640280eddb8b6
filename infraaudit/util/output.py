"""Write files so that a crash or a full disk never leaves a half-written audit behind."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from infraaudit.errors import OutputError


def write_atomic(path: Path, data: str) -> None:
    """Write to a temporary file beside ``path``, fsync it, then rename it over ``path``."""
    directory = path.resolve().parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {exc.strerror}") from exc
    except BaseException:  # e.g. a second Ctrl-C: never leave the temporary file behind
        Path(tmp).unlink(missing_ok=True)
        raise


def write_with(path: Path, write: Callable[[Path], None]) -> None:
    """Let ``write`` produce a file (a DOCX, a workbook) beside ``path``, then rename it over
    ``path``; the temporary file is removed if ``write`` fails."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        write(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def write_documents(stem: Path, kinds: Iterable[str], text: dict[str, Callable[[], str]],
                    files: dict[str, Callable[[Path], None]],
                    done: Callable[[Path], None] = lambda _: None) -> None:
    """Write ``stem.<kind>`` for each kind, atomically: from ``text`` (a string to write) or
    ``files`` (a writer given a path); ``done`` is told each file written."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    for kind in kinds:
        target = stem.with_suffix(f".{kind}")
        if kind in text:
            write_atomic(target, text[kind]())
        else:
            write_with(target, files[kind])
        done(target)
