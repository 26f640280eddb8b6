"""Load of uplinks between the two polls: an uplink (LLDP/CDP neighbour a bridge or router, or
named so) whose mean load reached the threshold."""

from __future__ import annotations

import re
from typing import Any

from infraaudit.findings.thresholds import Thresholds
from infraaudit.findings.wording import device_label, make, wording
from infraaudit.models import AuditDocument, Port
from infraaudit.models.finding import Evidence, Finding


def uplink_neighbour(port: Port) -> str | None:
    """The LLDP/CDP neighbour (sysName, else chassis id) that makes ``port`` an uplink: a
    bridge or router."""
    for n in port.lldp_neighbours:
        if {"bridge", "router"} & {c.lower() for c in n.capabilities}:
            return n.sys_name or n.chassis_id or "?"
    return None


def uplink_reason(port: Port, t: Thresholds) -> str | None:
    """Why ``port`` is taken as an uplink (Vietnamese words), or None."""
    neighbour = uplink_neighbour(port)
    if neighbour is not None:
        return wording().words["uplink-lldp"].format(neighbour=neighbour)
    for label in (port.alias, port.descr):
        for pattern in t.load.uplink_patterns:
            if label and re.search(pattern, label, re.IGNORECASE):
                return wording().words["uplink-label"].format(label=label)
    return None


def load_findings(doc: AuditDocument, t: Thresholds) -> list[Finding]:
    """PORT-SATURATED: an uplink whose mean load between the two polls reached the threshold."""
    if doc.link is None:
        return []
    limit = t.load.uplink_util_pct
    ports = {(d.host, p.if_index): p for d in doc.devices for p in d.ports}
    labels = {d.sys_name: device_label(d) for d in doc.devices if d.sys_name}
    out = []
    for poll in doc.link.ports:
        loads = [v for v in (poll.in_util_pct, poll.out_util_pct) if v is not None]
        port = ports.get((poll.device, poll.if_index))
        if poll.counter_reset or not loads or max(loads) < limit or port is None:
            continue
        reason = uplink_reason(port, t)
        if reason is None:
            continue
        device, name = poll.device_name or poll.device, poll.port or str(poll.if_index)
        neighbour = uplink_neighbour(port)
        measured: dict[str, Any] = {
            "neighbour": labels.get(neighbour, neighbour) if neighbour else None,
            "speed_mbps": poll.speed_mbps, "interval_s": poll.interval_s,
            "in_octets": poll.in_octets, "out_octets": poll.out_octets,
            "in_util_pct": poll.in_util_pct, "out_util_pct": poll.out_util_pct}
        out.append(make("PORT-SATURATED", f"{device}:{name}", {
            **measured, "port": name, "uplink": reason, "threshold": limit,
            "in_util_pct": poll.in_util_pct if poll.in_util_pct is not None else "?",
            "out_util_pct": poll.out_util_pct if poll.out_util_pct is not None else "?"},
            [Evidence(source="snmp:ifXTable octets (two polls)", device=device, port=name,
                      measured={**measured, "uplink": reason})]))
    return out
