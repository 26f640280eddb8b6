"""What the three labs (loopback, netns, site) share from start to stop.

A base class rather than helper functions: ``with Lab(...) as lab`` needs ``__enter__`` and
``__exit__`` on the class itself, and the rules below are the same in all three labs, so they
are written once:

- every process is started through :meth:`Lifecycle._spawn`, which records its PID in
  ``state.pids`` (``stop`` and ``python -m lab down`` stop exactly those PIDs, nothing by name);
- a failed start stops whatever it had made before the error goes on;
- ``stop`` raises while a recorded PID survived SIGKILL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

from lab import procs
from lab.model import LabState


class Lifecycle:
    """Base of LoopbackLab, NetnsLab and SiteLab; they set ``state`` and ``state_path``."""

    state: LabState
    state_path: Path

    def start(self) -> None:
        """Bring the lab up (each lab's own)."""
        raise NotImplementedError

    def stop(self) -> None:
        """Stop everything the lab started (each lab's own)."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _spawn(self, argv: Sequence[str], log: Path, env: dict[str, str] | None = None,
               netns: str | None = None) -> int:
        """Start one process (procs.start) and record its PID; the caller saves the state."""
        pid = procs.start(argv, log, env=env, netns=netns)
        self.state.pids.append(pid)
        return pid

    def _start_or_stop(self, steps: Callable[[], None], what: str | None = None,
                       logs: Path | None = None) -> None:
        """Run ``steps``; if they fail, stop the lab before the error goes on. With ``what``, an
        error is raised again as RuntimeError("<what> failed to start: ...") followed by the
        last lines of every log under ``logs`` (read before the daemons are stopped)."""
        try:
            steps()
        except Exception as exc:
            if what is None:
                self.stop()
                raise
            tail = log_tail(logs) if logs is not None else ""
            self.stop()
            raise RuntimeError(f"{what} failed to start: {exc}\n{tail}") from exc
        except BaseException:
            self.stop()
            raise

    def _keep_state_while_left(self) -> None:
        """After a namespace teardown: the state file stays only while PIDs or namespaces are
        left (for ``python -m lab down``); raise if a PID survived."""
        if self.state_path.exists():
            if self.state.pids or self.state.namespaces:
                self.state.save(self.state_path)
            else:
                self.state_path.unlink()
        self._raise_if_survivors()

    def _raise_if_survivors(self) -> None:
        if self.state.pids:
            raise RuntimeError(f"lab processes survived SIGKILL: {self.state.pids}")


def log_tail(root: Path, lines: int = 5) -> str:
    """The last ``lines`` lines of every ``*.log`` under ``root``, for start-up errors."""
    out = []
    for log in sorted(root.glob("**/*.log")):
        tail = log.read_text(errors="replace").splitlines()[-lines:]
        if tail:
            out.append(f"--- {log}\n" + "\n".join(tail))
    return "\n".join(out)
