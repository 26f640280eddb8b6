"""Scenarios: the faults of ``lab/scenarios/<name>.yaml``, checked against the topology.

Fault kinds and keys are described in lab/scenarios/README.md; lab/site/faults.py makes them real.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lab.site.topology import ADDRESSES, LINKS, WIFI_HOSTS, port_link

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"

FAULT_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # kind: (required, optional)
    "loss": (("node", "percent"), ()),
    "delay": (("link", "delay_ms"), ("jitter_ms", "seed")),
    "flap": (("node", "port", "down_s", "up_s"), ()),
    "no_ra": (("segment",), ()),
    "wifi_clients": (("node", "count"), ()),
}


@dataclass(frozen=True)
class Scenario:
    """A scenario file: named faults plus what a scan is expected to find and measure."""

    name: str
    description: str
    faults: tuple[dict[str, Any], ...]
    expect: dict[str, Any] = field(default_factory=dict)

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        """The faults of one kind."""
        return [f for f in self.faults if f["kind"] == kind]


def scenario_names() -> list[str]:
    """Names of the scenarios in lab/scenarios/."""
    return sorted(p.stem for p in SCENARIOS.glob("*.yaml"))


def load_scenario(name: str | Path) -> Scenario:
    """Read and check ``lab/scenarios/<name>.yaml`` (or a path); ValueError names the problem."""
    path = Path(name) if str(name).endswith(".yaml") else SCENARIOS / f"{name}.yaml"
    if not path.exists():
        raise ValueError(f"no scenario {name!r} (known: {', '.join(scenario_names())})")
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict) or not isinstance(raw.get("faults", []), list):
        raise ValueError(f"{path}: expected a mapping with a list 'faults'")
    faults = tuple(check_fault(f, f"{path}: faults[{i}]")
                   for i, f in enumerate(raw.get("faults") or []))
    return Scenario(str(raw.get("name", path.stem)), str(raw.get("description", "")), faults,
                    dict(raw.get("expect") or {}))


def check_fault(fault: Any, where: str) -> dict[str, Any]:
    """Validate one fault mapping against the topology; return it unchanged."""
    if not isinstance(fault, dict) or fault.get("kind") not in FAULT_KEYS:
        raise ValueError(f"{where}: 'kind' must be one of {', '.join(FAULT_KEYS)}")
    required, optional = FAULT_KEYS[fault["kind"]]
    missing = [k for k in required if k not in fault]
    unknown = sorted(set(fault) - {"kind", *required, *optional})
    if missing or unknown:
        raise ValueError(f"{where}: missing {missing}, unknown {unknown}")
    kind = fault["kind"]
    if kind == "loss" and (fault["node"] not in ADDRESSES or
                           not 0 < float(fault["percent"]) < 100):
        raise ValueError(f"{where}: loss needs a node with an address and 0 < percent < 100")
    if kind == "delay":
        if fault["link"] not in {link.name for link in LINKS}:
            raise ValueError(f"{where}: unknown link {fault['link']!r}")
        if float(fault["delay_ms"]) < 1.5 * float(fault.get("jitter_ms", 0)):
            raise ValueError(f"{where}: delay_ms must be >= 1.5 * jitter_ms")
    if kind == "flap":
        if port_link(str(fault["node"]), str(fault["port"])) is None:
            raise ValueError(f"{where}: {fault['node']} has no port {fault['port']!r}")
        if float(fault["down_s"]) <= 0 or float(fault["up_s"]) <= 0:
            raise ValueError(f"{where}: down_s and up_s must be > 0")
    if kind == "no_ra" and fault["segment"] != "lan-a":
        raise ValueError(f"{where}: only lan-a has router advertisements")
    if kind == "wifi_clients" and (fault["node"] not in WIFI_HOSTS
                                   or not 1 <= int(fault["count"]) <= 50):
        raise ValueError(f"{where}: wifi_clients needs one of {WIFI_HOSTS} and 1 <= count <= 50")
    return dict(fault)

