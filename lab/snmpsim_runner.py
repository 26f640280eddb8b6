"""Run snmpsim's command responder with per-endpoint recording selection.

snmpsim 1.2.2 overrides ``handleMgmtOperation`` on its command responders to pick a
recording by transport endpoint, but pysnmp 7 calls ``handle_management_operation``,
so the override is dead code and every endpoint serves the same community file. It also
imports ``pysmi`` without depending on it; a stub stands in when pysmi is not installed.
This wrapper restores the documented layout for v1/v2c::

    <data-dir>/<community>.snmprec                       # required: makes the community valid
    <data-dir>/<community>/<transport-domain>.snmprec   # served on that endpoint

where ``<transport-domain>`` is ``1.3.6.1.6.1.1.<i>`` for the i-th (0-based)
``--agent-udpv4-endpoint``. Run as ``python -m lab.snmpsim_runner <responder args>``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import types
from typing import Any

from pysnmp.entity.rfc3413 import cmdrsp
from pysnmp.smi.error import PySnmpError

# snmpsim 1.2.2 imports pysmi (only to log its version) without declaring the dependency.
if importlib.util.find_spec("pysmi") is None:
    _stub = types.ModuleType("pysmi")
    _stub.__version__ = "not installed"  # type: ignore[attr-defined]
    sys.modules["pysmi"] = _stub

from snmpsim.commands import responder  # type: ignore[import-untyped]


def _community_names(argv: list[str]) -> dict[str, str]:
    """Map md5(community) -> community for every top-level entry of the data dirs."""
    names: dict[str, str] = {}
    for arg in argv:
        if not arg.startswith("--data-dir="):
            continue
        data_dir = arg.split("=", 1)[1]
        for entry in os.listdir(data_dir):
            name = entry.split(".snmprec")[0] if entry.endswith((".snmprec", ".bz2")) else entry
            names[hashlib.md5(name.encode()).hexdigest()] = name
    return names


def _select_context(self: Any, snmp_engine: Any, context_name: Any, names: dict[str, str]) -> Any:
    """Return the context of ``<community>/<transport-domain>`` if it is loaded."""
    exec_ctx = snmp_engine.observer.get_execution_context("rfc3412.receiveMessage:request")
    community = names.get(str(exec_ctx["contextName"]))
    if community is None:
        return context_name
    domain = ".".join(str(x) for x in exec_ctx["transportDomain"])
    candidate = f"{community}/{domain}"
    for name in (candidate, hashlib.md5(candidate.encode()).hexdigest()):
        try:
            self.snmpContext.get_mib_instrum(name)
        except PySnmpError:
            continue
        return name
    return context_name


def _patch(names: dict[str, str]) -> None:
    """Install endpoint-aware ``handle_management_operation`` on the four responders."""
    bases = {
        responder.GetCommandResponder: cmdrsp.GetCommandResponder,
        responder.NextCommandResponder: cmdrsp.NextCommandResponder,
        responder.BulkCommandResponder: cmdrsp.BulkCommandResponder,
        responder.SetCommandResponder: cmdrsp.SetCommandResponder,
    }
    for cls, base in bases.items():

        def handle(
            self: Any,
            snmp_engine: Any,
            state_reference: Any,
            context_name: Any,
            pdu: Any,
            _base: Any = base,
        ) -> None:
            chosen = _select_context(self, snmp_engine, context_name, names)
            _base.handle_management_operation(self, snmp_engine, state_reference, chosen, pdu)

        cls.handle_management_operation = handle


def main(argv: list[str] | None = None) -> int:
    """Patch snmpsim, then run its responder with ``argv``."""
    args = sys.argv[1:] if argv is None else argv
    _patch(_community_names(args))
    sys.argv = ["snmpsim-command-responder", *args]
    return int(responder.main() or 0)


if __name__ == "__main__":
    sys.exit(main())
