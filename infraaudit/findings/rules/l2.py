"""Layer-2 rules over the spanning tree and PoE facts of each device: frequent topology changes
(STP-TOPOLOGY-CHANGES), a port that blocks with no known bridge on its far side
(STP-PORT-BLOCKING), a PoE power source near its budget (POE-BUDGET)."""

from __future__ import annotations

from typing import Any

from infraaudit.findings.rules.links import audited_links
from infraaudit.findings.thresholds import Thresholds
from infraaudit.findings.wording import device_label, make
from infraaudit.models import ETHERNET_TYPES, AuditDocument, Device, ProbeStatus
from infraaudit.models.finding import Evidence, Finding

DAY_S = 86_400


def l2_findings(doc: AuditDocument, t: Thresholds) -> list[Finding]:
    linked = {(e.device.host, e.port.if_index) for link in audited_links(doc)
              for e in (link.a, link.b)}
    out = []
    for d in doc.devices:
        if not d.reachable:
            continue
        out += _topology_changes(d, t) + _blocking(d, linked) + _poe(d, t)
    return out


def _topology_changes(d: Device, t: Thresholds) -> list[Finding]:
    """Changes per day over the time they were counted in: the agent's uptime (never less than
    the time since the last change, whichever the agent reports as longer)."""
    stp = d.stp
    if stp is None or stp.top_changes is None or not d.uptime_s:
        return []
    counted_s = max(d.uptime_s, stp.since_change_s or 0)
    per_day = round(stp.top_changes * DAY_S / counted_s, 2)
    limits = t.l2
    if stp.top_changes < limits.stp_min_changes or per_day < limits.stp_changes_per_day:
        return []
    label = device_label(d)
    measured: dict[str, Any] = {
        "top_changes": stp.top_changes, "uptime_s": d.uptime_s,
        "since_change_s": stp.since_change_s, "per_day": per_day,
        "designated_root": stp.designated_root, "is_root": stp.is_root}
    return [make("STP-TOPOLOGY-CHANGES", label, {
        "device": label, "top_changes": stp.top_changes, "per_day": per_day,
        "uptime_days": round(counted_s / DAY_S, 1),
        "since_change_h": round((stp.since_change_s or 0) / 3600, 2),
        "threshold": limits.stp_changes_per_day},
        [Evidence(source="snmp:BRIDGE-MIB dot1dStp", device=label, measured=measured)])]


def _blocking(d: Device, linked: set[tuple[str, int]]) -> list[Finding]:
    """A port that is up and blocks, where neither end of an LLDP/CDP link knows a neighbour:
    the bridge whose BPDUs make it block is unmanaged or unknown (a desk switch, a loop through
    a hub). A blocking port with a neighbour is the redundant link STP exists for. Nothing is
    judged when LLDP was not read, nor on a port that is down (some agents say "blocking"
    there) or not Ethernet (a LAG's neighbours are on its members)."""
    if d.stp is None or not any(p.probe == "lldp" and p.status == ProbeStatus.OK
                                for p in d.probes):
        return []
    label = device_label(d)
    out = []
    for port in d.ports:
        if (d.stp.port_states.get(port.if_index) != "blocking" or port.oper_status != "up"
                or port.type not in ETHERNET_TYPES or port.lldp_neighbours
                or (d.host, port.if_index) in linked):
            continue
        name = port.name or port.descr or str(port.if_index)
        measured: dict[str, Any] = {"stp_state": "blocking", "oper_status": port.oper_status,
                                    "lldp_neighbours": 0, "mac_count": port.mac_count,
                                    "designated_root": d.stp.designated_root}
        out.append(make("STP-PORT-BLOCKING", f"{label}:{name}", {"device": label, "port": name},
                        [Evidence(source="snmp:BRIDGE-MIB dot1dStpPortState+LLDP-MIB",
                                  device=label, port=name, measured=measured)]))
    return out


def _poe(d: Device, t: Thresholds) -> list[Finding]:
    """The most loaded power source at or above the threshold share of its budget."""
    if d.poe is None:
        return []
    loads = [(round(100 * g.used_w / g.budget_w, 1), g) for g in d.poe.groups
             if g.budget_w and g.used_w is not None]
    if not loads:
        return []
    pct, worst = max(loads, key=lambda x: x[0])
    if pct < t.l2.poe_budget_pct:
        return []
    label = device_label(d)
    evidence = [Evidence(source="snmp:POWER-ETHERNET-MIB", device=label, measured={
        "group": g.group, "budget_w": g.budget_w, "used_w": g.used_w, "used_pct": p,
        "status": g.status, "device_threshold_pct": g.usage_threshold_pct,
        "ports_powered": d.poe.ports_powered}) for p, g in loads]
    return [make("POE-BUDGET", label, {
        "device": label, "used_w": worst.used_w, "budget_w": worst.budget_w, "used_pct": pct,
        "ports_powered": d.poe.ports_powered, "threshold": t.l2.poe_budget_pct}, evidence)]
