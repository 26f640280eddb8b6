"""Run every SNMP probe over a folder of recordings and count what identity and port data came out.

    .venv/bin/python -m tests.replay.survey FOLDER [--json OUT.json] [--devices]

FOLDER is searched recursively for ``*.snmprec`` and ``*.snmprec.bz2`` (e.g. the unzipped wheel of
snmpsim-data-lextudio, see lab/recordings/SOURCES.md). Each recording is served by the replay
double (``probes/snmp/replay.py``) and assembled into a Device exactly as a scan does. Printed:
how many devices got firmware / model / serial, how many ports have an unnamed ``iftype-<n>``,
how many ports are pseudo-interfaces, and which probes failed (with the error), so a change in
the probes can be measured before and after on the same recordings. ``--devices`` adds one line
per recording; ``--json`` writes every number and per-device fact for a diff.
"""

from __future__ import annotations

import argparse
import asyncio
import bz2
import json
from collections import Counter
from pathlib import Path
from typing import Any

from infraaudit.models import ETHERNET_TYPES, Device, ProbeStatus, is_switch_port
from infraaudit.probes.snmp.device import assemble, collect
from infraaudit.probes.snmp.replay import ReplayClient, decode_line
from infraaudit.probes.snmp.transport import VarBind


def recordings(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.name.endswith((".snmprec", ".snmprec.bz2")))


def read(path: Path) -> list[VarBind]:
    """The recording's values; a line the replay double cannot decode is skipped (one upstream
    file, UPS/juniper-ac, has a sysDescr tagged hex that is not hex)."""
    opener = bz2.open if path.suffix == ".bz2" else open
    out = []
    with opener(path, "rt", encoding="utf-8", errors="surrogateescape") as handle:
        for line in handle:
            try:
                vb = decode_line(line)
            except ValueError:
                continue
            if vb is not None:
                out.append(vb)
    return out


async def scan(path: Path) -> Device:
    client = ReplayClient(read(path))
    return assemble(Device(host="replay", name=path.name), await collect(client))


def facts(device: Device) -> dict[str, Any]:
    ports = device.ports
    unnamed = [p.type for p in ports if p.type and p.type.startswith("iftype-")]
    pseudo = [p for p in ports if getattr(p, "kind", None) not in (None, "physical")]
    return {
        "vendor": device.vendor, "model": device.model, "serial": device.serial,
        "firmware": device.firmware, "role": device.role.value,
        "firmware_source": getattr(device, "firmware_source", None),
        "model_source": getattr(device, "model_source", None),
        "ports": len(ports), "unnamed_iftype": len(unnamed), "unnamed_types": sorted(set(unnamed)),
        "pseudo": len(pseudo),
        "ethernet_typed": sum(p.type in ETHERNET_TYPES for p in ports),
        "switch_ports": sum(is_switch_port(p) for p in ports),
        "bridge_port_mapping": getattr(device, "bridge_port_mapping", None),
        "macs": sum(p.mac_count or 0 for p in ports),
        "addresses": len(device.addresses),
        "failed": {p.probe: p.error for p in device.probes if p.status is ProbeStatus.FAILED},
    }


def summary(per: dict[str, dict[str, Any]]) -> dict[str, Any]:
    answered = list(per.values())
    failed: Counter[str] = Counter(p for f in per.values() for p in f["failed"])
    return {
        "recordings": len(per),
        "with_firmware": sum(bool(f["firmware"]) for f in answered),
        "with_model": sum(bool(f["model"]) for f in answered),
        "with_serial": sum(bool(f["serial"]) for f in answered),
        "ports": sum(f["ports"] for f in answered),
        "ports_unnamed_iftype": sum(f["unnamed_iftype"] for f in answered),
        "ports_pseudo": sum(f["pseudo"] for f in answered),
        "ports_ethernet_typed": sum(f["ethernet_typed"] for f in answered),
        "switch_ports_counted": sum(f["switch_ports"] for f in answered),
        "bridge_port_mappings": dict(Counter(str(f["bridge_port_mapping"]) for f in answered
                                             if f["bridge_port_mapping"])),
        "model_sources": dict(Counter(str(f["model_source"]) for f in answered if f["model"])),
        "firmware_sources": dict(Counter(str(f["firmware_source"]) for f in answered
                                         if f["firmware"])),
        "macs_placed": sum(f["macs"] for f in answered),
        "addresses": sum(f["addresses"] for f in answered),
        "failed_probes": dict(sorted(failed.items())),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--devices", action="store_true")
    args = parser.parse_args()
    root = args.folder
    per = {str(p.relative_to(root)): facts(asyncio.run(scan(p))) for p in recordings(root)}
    if args.devices:
        for name, f in per.items():
            failed = ", ".join(f"{k}: {v[:60]}" for k, v in f["failed"].items())
            print(f"{name:60} fw={f['firmware']!s:.30} model={f['model']!s:.24} "
                  f"serial={f['serial']!s:.16} ports={f['ports']} pseudo={f['pseudo']} "
                  f"unnamed={f['unnamed_types']} {failed}")
    result = summary(per)
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps({"summary": result, "devices": per}, indent=2,
                                        ensure_ascii=False, sort_keys=True), encoding="utf-8")


if __name__ == "__main__":
    main()
