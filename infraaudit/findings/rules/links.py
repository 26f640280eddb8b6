"""Links between two audited devices, from LLDP/CDP, and the rules over both ends: a duplex or a
speed that differs across the link (LINK-DUPLEX-MISMATCH, LINK-SPEED-MISMATCH), once per link.

The far device is the audited one whose sysName the neighbour announces (what the report's
topology draws), else whose bridge or port MAC is the neighbour's chassis id, else whose
address is the neighbour's management address; the far port is the one whose name,
description, alias or MAC is the announced port id or description (how the scan maps LLDP's
local ports). Speeds are compared between switches, routers and firewalls only.
"""

from __future__ import annotations

from dataclasses import dataclass

from infraaudit.findings.thresholds import Thresholds
from infraaudit.findings.wording import device_label, make, words
from infraaudit.models import ETHERNET_TYPES, AuditDocument, Device, LldpNeighbour, Port
from infraaudit.models.finding import Evidence, Finding

NETWORK_ROLES = ("switch", "router", "firewall")


@dataclass(frozen=True)
class End:
    device: Device
    port: Port


@dataclass(frozen=True)
class Link:
    a: End
    b: End


def _key(text: str | None) -> str:
    return (text or "").strip().lower()


def _far_device(n: LldpNeighbour, by_name: dict[str, Device], by_mac: dict[str, Device],
                by_address: dict[str, Device]) -> Device | None:
    name = _key(n.sys_name)
    return (by_name.get(name) or by_name.get(name.split(".", 1)[0])
            or by_mac.get(_key(n.chassis_id)) or by_address.get(_key(n.mgmt_address)))


def _far_port(n: LldpNeighbour, device: Device) -> Port | None:
    wanted = {_key(n.port_id), _key(n.port_descr)} - {""}
    for port in device.ports:
        labels = {_key(x) for x in (port.name, port.descr, port.alias, port.mac)} - {""}
        if labels & wanted:
            return port
    return None


def audited_links(doc: AuditDocument) -> list[Link]:
    """Every LLDP/CDP link whose two ends are ports of audited devices, once each (seen from
    either end or both), in a stable order."""
    answered = [d for d in doc.devices if d.reachable]
    by_name: dict[str, Device] = {}
    by_mac: dict[str, Device] = {}
    by_address: dict[str, Device] = {}
    for d in answered:
        for name in (d.sys_name, d.name):
            if _key(name):
                by_name.setdefault(_key(name), d)
                by_name.setdefault(_key(name).split(".", 1)[0], d)
        for mac in [p.mac for p in d.ports] + [d.stp.bridge_address if d.stp else None]:
            if mac:
                by_mac.setdefault(_key(mac), d)
        for address in [d.host] + [a.address for a in d.addresses]:
            by_address.setdefault(_key(address), d)
    links: dict[tuple[tuple[str, int], ...], Link] = {}
    for d in answered:
        for port in d.ports:
            for n in port.lldp_neighbours:
                far = _far_device(n, by_name, by_mac, by_address)
                if far is None or far is d:
                    continue
                far_port = _far_port(n, far)
                if far_port is None:
                    continue
                ends = sorted([End(d, port), End(far, far_port)],
                              key=lambda e: (device_label(e.device), e.port.if_index))
                key = tuple((e.device.host, e.port.if_index) for e in ends)
                links.setdefault(key, Link(*ends))
    return [links[k] for k in sorted(links)]


def _port_label(end: End) -> str:
    return end.port.name or end.port.descr or str(end.port.if_index)


def mismatch_findings(doc: AuditDocument, t: Thresholds) -> list[Finding]:
    out = []
    for link in audited_links(doc):
        a, b = link.a, link.b
        if not all(e.port.oper_status == "up" and e.port.type in ETHERNET_TYPES for e in (a, b)):
            continue
        subject = (f"{device_label(a.device)}:{_port_label(a)}–"
                   f"{device_label(b.device)}:{_port_label(b)}")
        values = {"device_a": device_label(a.device), "port_a": _port_label(a),
                  "device_b": device_label(b.device), "port_b": _port_label(b)}
        evidence = [Evidence(source="snmp:ifTable+EtherLike-MIB+LLDP-MIB",
                             device=device_label(e.device), port=_port_label(e), measured={
                                 "duplex": e.port.duplex.value if e.port.duplex else None,
                                 "speed_mbps": e.port.speed_mbps,
                                 "neighbour": device_label(o.device),
                                 "neighbour_port": _port_label(o)})
                    for e, o in ((a, b), (b, a))]
        duplex = [e.port.duplex for e in (a, b)]
        if all(x is not None and x.value in ("full", "half") for x in duplex) and (
                duplex[0] != duplex[1]):
            named = words([f"duplex-{x.value}" for x in duplex if x is not None])
            out.append(make("LINK-DUPLEX-MISMATCH", subject, {
                **values, "duplex_a": named[0], "duplex_b": named[1]}, evidence))
        speeds = [e.port.speed_mbps for e in (a, b)]
        # An access point's or a server's port often reports its nominal speed, not the
        # negotiated one: speeds are compared between network devices only.
        if (all(s for s in speeds) and speeds[0] != speeds[1]
                and all(e.device.role.value in NETWORK_ROLES for e in (a, b))):
            out.append(make("LINK-SPEED-MISMATCH", subject, {
                **values, "speed_a": speeds[0], "speed_b": speeds[1]}, evidence))
    return out
