"""Write files so that a crash or a full disk never leaves a half-written audit behind, and
never replace what is not a regular file (``-o /dev/null`` keeps its device node)."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from infraaudit.errors import OutputError


def check_output(path: Path) -> None:
    """OutputError unless ``path`` is a regular file or a new path in a folder this process
    can write (its nearest existing ancestor, when the folders are to be created): never a
    device node, a FIFO, a socket or a folder."""
    try:
        info = path.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror}") from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise OutputError(f"cannot write {path}: {kind}; give the path of a file")
    folder = path.resolve().parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise OutputError(f"cannot write {path}: {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {path}: the folder {folder} is not writable")


SQLITE_HEADER = b"SQLite format 3\x00"


def not_sqlite(path: Path) -> str | None:
    """Why ``path`` cannot be opened as an SQLite database without harm, or None when it is
    absent, empty (SQLite makes it one) or starts with the 16-byte SQLite header."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return "not a regular file"
        if info.st_size == 0:
            return None
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return None
    except OSError as exc:
        return str(exc.strerror or exc)
    if header != SQLITE_HEADER:
        return ("the file exists and is not an SQLite database: give another --db (nothing "
                "was written to it)")
    return None


def write_atomic(path: Path, data: str) -> None:
    """Write to a temporary file beside ``path``, fsync it, then rename it over ``path``
    (refused, see ``check_output``, when ``path`` is not a regular file)."""
    check_output(path)
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
    check_output(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        write(tmp)
        tmp.replace(path)
    except OSError as exc:  # a full disk, a read-only folder
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)


def write_documents(stem: Path, kinds: Iterable[str], text: dict[str, Callable[[], str]],
                    files: dict[str, Callable[[Path], None]],
                    done: Callable[[Path], None] = lambda _: None) -> None:
    """Write ``stem.<kind>`` for each kind, atomically: from ``text`` (a string to write) or
    ``files`` (a writer given a path); ``done`` is told each file written."""
    try:
        stem.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot write into {stem.parent}: {exc.strerror}") from None
    for kind in kinds:
        target = stem.with_suffix(f".{kind}")
        if kind in text:
            write_atomic(target, text[kind]())
        else:
            write_with(target, files[kind])
        done(target)
