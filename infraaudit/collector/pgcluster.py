"""A private, throwaway PostgreSQL cluster for the collector's tests and benchmarks.

``initdb`` in a new temporary folder, ``postgres`` listening on 127.0.0.1 only (a free port) and
on a unix socket inside that folder; stopped by its process id and removed on exit. As root, both
run as the ``postgres`` OS user (initdb refuses root): the process is started with that user's
ids directly, so the id we hold is the server's own. Trust authentication on loopback: never a
production setup.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from infraaudit.errors import PgClusterError


def bindir() -> Path | None:
    """The folder of the newest installed PostgreSQL server binaries, or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit()
                   else 0)
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgCluster:
    """``with PgCluster() as pg: engine = make_engine(pg.url("db"))``; ``pg.create_db(name)``
    makes a database."""

    def __init__(self, fast: bool = True) -> None:
        self.fast = fast
        self.port = 0
        self.root: Path | None = None
        self.proc: subprocess.Popen[bytes] | None = None

    def _ids(self) -> dict[str, Any]:
        if os.geteuid() != 0:
            return {}
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            raise PgClusterError("running as root and there is no 'postgres' user to run "
                                 "PostgreSQL as") from None
        return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}

    def __enter__(self) -> PgCluster:
        bins = bindir()
        if bins is None:
            raise PgClusterError("PostgreSQL server binaries not found (scripts/bootstrap.sh "
                                 "installs them)")
        ids = self._ids()
        self.root = Path(tempfile.mkdtemp(prefix="infraaudit-pg-"))
        try:
            self._start(bins, ids)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _start(self, bins: Path, ids: dict[str, Any]) -> None:
        assert self.root is not None
        data, sockets = self.root / "data", self.root / "sock"
        sockets.mkdir()
        if ids:
            for path in (self.root, sockets):
                os.chown(path, ids["user"], ids["group"])
        init = subprocess.run(
            [str(bins / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
             "-E", "UTF8", "--no-locale", "--no-sync"],
            capture_output=True, text=True, timeout=120, check=False, cwd=self.root, **ids)
        if init.returncode != 0:
            raise PgClusterError(f"initdb failed: {init.stderr.strip()[-800:]}")
        options = ["-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={sockets}",
                   "-c", "max_connections=100"]
        if self.fast:
            options += ["-c", "fsync=off", "-c", "synchronous_commit=off",
                        "-c", "full_page_writes=off"]
        for _attempt in range(3):
            self.port = free_port()
            log = (self.root / "postgres.log").open("wb")
            with log:
                self.proc = subprocess.Popen(
                    [str(bins / "postgres"), "-D", str(data), "-p", str(self.port), *options],
                    stdout=log, stderr=subprocess.STDOUT, cwd=self.root, **ids)
            if self._wait_ready():
                return
            self._stop()
        raise PgClusterError("postgres did not start: "
                             + (self.root / "postgres.log").read_text(errors="replace")[-800:])

    def _wait_ready(self, timeout: float = 30.0) -> bool:
        import psycopg

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                return False
            try:
                with psycopg.connect(self.dsn("postgres"), connect_timeout=2):
                    return True
            except psycopg.OperationalError:
                time.sleep(0.1)
        return False

    def dsn(self, database: str) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={database}"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_db(self, name: str) -> str:
        """Create database ``name`` (letters, digits, underscores) and return its URL."""
        import psycopg

        if not name.replace("_", "").isalnum():
            raise PgClusterError(f"bad database name {name!r}")
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def _stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGINT)  # fast shutdown: ends the client sessions too
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            self._stop()
        finally:
            if self.root is not None:
                with contextlib.suppress(OSError):
                    shutil.rmtree(self.root)
                self.root = None
