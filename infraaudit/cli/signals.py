"""SIGTERM while the program starts: importing the commands takes a second or two, and until
now a SIGTERM in that window killed ``infraaudit scan`` before it could write the partial
audit the README promises. The program holds SIGTERM from its first import
(``hold_sigterm``, called by this package's ``__init__``); once the command is known,
``settle`` hands it over: ``scan`` takes it (``held`` says whether one came: the scan then
writes an audit with every device skipped and ``complete: false``), every other command gets
the default back, and a SIGTERM that came meanwhile is delivered then.

Only the program does this (``infraaudit ...``, ``python -m infraaudit.cli ...``); a process
that imports the package (tests, a script) keeps its own handlers.
"""

from __future__ import annotations

import itertools
import os
import signal
import sys
from pathlib import Path
from types import FrameType

_state = {"holding": False, "held": False}


def _hold(signum: int, frame: FrameType | None) -> None:
    _state["held"] = True


def _is_the_program() -> bool:
    if Path(sys.argv[0]).name == "infraaudit":
        return True
    argv = list(getattr(sys, "orig_argv", []))
    return any(a == "-m" and b == "infraaudit.cli" for a, b in itertools.pairwise(argv))


def hold_sigterm() -> None:
    """Remember a SIGTERM instead of dying of it, in the program only."""
    if _is_the_program() and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _hold)
        _state["holding"] = True


def settle(keep: bool) -> None:
    """The command is known: ``keep`` (scan) goes on holding until it installs its own
    handler; otherwise the default comes back and a held SIGTERM is delivered now."""
    if not _state["holding"] or keep:
        return
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _state["holding"] = False
    if _state["held"]:
        os.kill(os.getpid(), signal.SIGTERM)


def held() -> bool:
    """Whether a SIGTERM came while the program was starting."""
    return _state["held"]
