"""Cabling rules over the ports that are up: a gigabit-capable port running slower, half duplex."""

from __future__ import annotations

import re
from collections.abc import Iterable

from infraaudit.findings.thresholds import Thresholds
from infraaudit.findings.wording import device_label, make
from infraaudit.models import Device, Port, is_switch_port
from infraaudit.models.finding import Evidence, Finding


def gigabit_capable(port: Port, t: Thresholds) -> str | None:
    """Why the port is taken as gigabit-capable, or None."""
    if port.type == "gigabitEthernet":
        return "ifType gigabitEthernet"
    for label in (port.name, port.descr):
        for pattern in t.cabling.gigabit_patterns:
            if label and re.search(pattern, label, re.IGNORECASE):
                return f"tên cổng «{label}»"
    return None


def cabling_findings(devices: Iterable[Device], t: Thresholds) -> list[Finding]:
    out = []
    for d in devices:
        for p in d.ports:
            if p.oper_status != "up" or not is_switch_port(p):
                continue
            device, port = device_label(d), p.name or str(p.if_index)
            measured = {"speed_mbps": p.speed_mbps, "duplex": p.duplex.value if p.duplex else None,
                        "oper_status": p.oper_status, "if_index": p.if_index,
                        "media": p.media}
            evidence = [Evidence(source="snmp:ifTable+ifXTable+EtherLike-MIB", device=device,
                                 port=port, measured=measured)]
            values = {"device": device, "port": port, "speed_mbps": p.speed_mbps}
            reason = gigabit_capable(p, t)
            if (reason and p.speed_mbps
                    and p.speed_mbps < t.cabling.min_speed_mbps):
                out.append(make("PORT-SPEED-DOWNGRADE", f"{device}:{port}",
                                {**values, "reason": reason}, evidence, p.media))
            if p.duplex is not None and p.duplex.value == "half":
                out.append(make("PORT-HALF-DUPLEX", f"{device}:{port}", values, evidence,
                                p.media))
    return out
