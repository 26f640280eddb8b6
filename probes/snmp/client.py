"""Which backend reads a device: the factory over ``transport.BaseClient``'s implementations.

Only the scan's driver (runner, site scan, discovery) imports this module; probes, parsers, the
backends and the replay double import ``transport`` only, so no backend imports its own factory.
"""

from __future__ import annotations

import sys

from infraaudit.probes.snmp.transport import Backend, BaseClient, SnmpTarget


def release_backends() -> None:
    """Free what backends share across devices (pysnmp's engine); call at the end of a scan.

    Must run inside the event loop that did the scan.
    """
    pysnmp_backend = sys.modules.get("infraaudit.probes.snmp.pysnmp_backend")
    if pysnmp_backend is not None:
        pysnmp_backend.close_engine()


def make_client(target: SnmpTarget, backend: Backend) -> BaseClient:
    """Build the client for ``backend``. Both are always installed; import lazily all the same."""
    if backend is Backend.GUFO:
        from infraaudit.probes.snmp.gufo_backend import GufoClient

        return GufoClient(target)
    from infraaudit.probes.snmp.pysnmp_backend import PysnmpClient

    return PysnmpClient(target)
