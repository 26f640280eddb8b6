"""The probes' seams stay where a newcomer expects them: an interface module that imports no
implementation, implementations that import the interface and never their own factory."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PROBES = Path(__file__).resolve().parents[3] / "probes"


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, top level or inside a function (lazy imports count)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_snmp_transport_imports_no_implementation() -> None:
    inside = {m for m in imported(PROBES / "snmp" / "transport.py")
              if m.startswith("infraaudit.probes")}
    assert not inside


@pytest.mark.parametrize("module", sorted(
    p.name for p in (PROBES / "snmp").glob("*.py") if p.name not in ("client.py", "__init__.py")))
def test_no_snmp_module_imports_the_factory(module: str) -> None:
    """Backends, the replay double, probes and parsers import ``transport``; only the scan's
    driver (runner, site scan, discovery, through the family's ``__init__``) imports ``client``:
    no cycle through the backends."""
    assert "infraaudit.probes.snmp.client" not in imported(PROBES / "snmp" / module)



NETMIKO = ("netmiko", "paramiko", "infraaudit.probes.ssh.netmiko_backend")
REPLAY = ("infraaudit.probes.ssh.replay",)


def ssh_imports_of(module: str, names: tuple[str, ...]) -> set[str]:
    return {m for m in imported(PROBES / "ssh" / module)
            if any(m == name or m.startswith(name + ".") for name in names)}


@pytest.mark.parametrize("module", ["transport.py", "device.py"])
def test_ssh_interface_and_collect_cli_import_no_session_implementation(module: str) -> None:
    """``collect_cli`` gets its session from the caller: a scan passes netmiko's, a test the
    replay double; neither it nor the interface reaches for one itself."""
    assert not ssh_imports_of(module, NETMIKO + REPLAY)


def test_ssh_replay_double_does_not_lean_on_netmiko() -> None:
    assert not ssh_imports_of("replay.py", NETMIKO)
