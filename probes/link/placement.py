"""Where each endpoint is plugged in: ARP/ND rows joined with every switch's forwarding table.

Pure, over the scanned devices (and what discovery found). Steps:

1. Network devices' own MACs (port MACs, LLDP chassis ids, the MACs their management addresses
   resolve to) are never endpoints.
2. Uplinks never count as an endpoint's port: a port with an LLDP/CDP neighbour (``lldp``), a
   port on which a network device's MAC is learnt (``network-device-mac``), and a port whose
   MACs another switch learns on two or more of its own ports (``many-switches``: it carries
   what sits behind that switch).
3. Every other MAC is placed on one port: an access point's radio side first (Wi-Fi), else the
   edge port of a switch holding the fewest MACs (the closest one), else a switch port facing an
   access point (Wi-Fi, behind an AP that was not scanned). The other ports it was learnt on
   are kept in ``seen_on``; a MAC in ARP/ND rows only is kept as not placed.
4. An edge port (not an AP's radio side) holding two or more placed endpoints is a shared port:
   a hub or desk switch behind the access port (the findings judge how many are too many).
5. Per site: the switches' ethernet ports without uplinks, those in use (up, or an endpoint on
   them) and those free.

Vendors come from the IEEE OUI registry that netaddr ships (locally administered MACs, e.g.
random Wi-Fi addresses, have none).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from infraaudit.models import ETHERNET_TYPES, Device, Port, Role
from infraaudit.models.discovery import Discovery
from infraaudit.models.endpoints import (
    EndpointMap,
    EndpointPlace,
    SharedPort,
    UplinkPort,
    UplinkReason,
)
from infraaudit.probes.link.endpoints import access_points, infra_macs, is_ap, label, norm_mac

_VLAN = re.compile(r"(?:vlan(?:if)?|vl)[ ._-]?(\d{1,4})$|\.(\d{1,4})$", re.IGNORECASE)


@lru_cache(maxsize=4096)
def vendor(mac: str) -> str | None:
    """The organisation the MAC's OUI is registered to; None when unregistered or locally
    administered."""
    norm = norm_mac(mac)
    if norm is None or int(norm[:2], 16) & 0x02:
        return None
    from netaddr import EUI, NotRegisteredError  # the registry loads on first use

    try:
        return str(EUI(norm).oui.registration().org).strip() or None
    except (NotRegisteredError, IndexError, ValueError):
        return None


def vlan_of(port: Port | None) -> int | None:
    """The VLAN of a router interface named like one (``Vlan10``, ``Vlanif10``, ``eth0.10``)."""
    for name in (port.name, port.descr) if port is not None else ():
        match = _VLAN.search(name or "")
        if match:
            number = int(match.group(1) or match.group(2))
            return number if 1 <= number <= 4094 else None
    return None


@dataclass
class _Where:
    """One port a MAC was learnt on."""

    device: Device
    port: Port
    kind: str  # "radio", "edge", "faces-ap"
    via: str


@dataclass
class _Site:
    devices: list[Device]
    infra: set[str]
    aps: dict[str, str]
    ap_names: set[str]
    uplinks: dict[tuple[str, int], UplinkPort] = field(default_factory=dict)

    def is_uplink(self, d: Device, p: Port) -> bool:
        return (d.host, p.if_index) in self.uplinks

    def add_uplink(self, d: Device, p: Port, reason: UplinkReason, detail: str) -> None:
        self.uplinks.setdefault((d.host, p.if_index), UplinkPort(
            device=label(d), port=p.name or str(p.if_index), if_index=p.if_index,
            reason=reason, detail=detail))


NETWORK_ROLES = {Role.ROUTER, Role.SWITCH, Role.FIREWALL, Role.AP}


def _macs(p: Port) -> set[str]:
    return {m for m in (norm_mac(raw) for raw in p.macs) if m}


def is_network(d: Device) -> bool:
    """A router, switch, firewall or AP, or anything with a forwarding table: its own MACs
    are not endpoints (a scanned printer or server is one)."""
    return d.role in NETWORK_ROLES or any(p.macs for p in d.ports)


def _management_macs(network: list[Device], everyone: list[Device]) -> set[str]:
    """MACs that the network devices' own addresses resolve to in anyone's ARP/ND rows."""
    own = {d.host for d in network} | {a.address for d in network for a in d.addresses}
    return {m for d in everyone for n in d.neighbours if n.ip in own
            for m in [norm_mac(n.mac)] if m}


def _spread_elsewhere(p: Port, host: str, ports_of: dict[str, dict[str, set[str]]]
                      ) -> tuple[str, set[str]] | None:
    """Another switch that learns this port's MACs on two or more of its own ports."""
    by_host: dict[str, set[str]] = defaultdict(set)
    for mac in _macs(p):
        for other, names in ports_of[mac].items():
            if other != host:
                by_host[other] |= names
    for other, names in sorted(by_host.items()):
        if len(names) >= 2:
            return other, names
    return None


def _judge_uplinks(site: _Site) -> None:
    for d in site.devices:
        for p in d.ports:
            if p.lldp_neighbours:
                n = p.lldp_neighbours[0]
                what = "access point" if is_ap(n, site.ap_names, set(site.aps)) else n.protocol
                site.add_uplink(d, p, "lldp", f"{what} {n.sys_name or n.chassis_id or '?'}")
                continue
            infra = sorted(_macs(p) & site.infra)
            if infra:
                site.add_uplink(d, p, "network-device-mac", ", ".join(infra[:3]))
    ports_of: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for d in site.devices:  # mac -> switch -> the ports it learns the MAC on (LLDP ones left out)
        for p in d.ports:
            if not any(u.reason == "lldp" for u in [site.uplinks.get((d.host, p.if_index))] if u):
                for mac in _macs(p):
                    ports_of[mac][label(d)].add(p.name or str(p.if_index))
    for d in site.devices:
        for p in d.ports:
            if p.macs and not site.is_uplink(d, p):
                spread = _spread_elsewhere(p, label(d), ports_of)
                if spread is not None:
                    other, names = spread
                    site.add_uplink(d, p, "many-switches",
                                    f"its MACs are learnt on {len(names)} ports of {other}: "
                                    + ", ".join(sorted(names)[:4]))


def _candidates(site: _Site) -> dict[str, list[_Where]]:
    """mac -> the non-uplink ports it is learnt on (and the AP-facing ones)."""
    found: dict[str, list[_Where]] = defaultdict(list)
    for d in site.devices:
        for p in d.ports:
            if not p.macs:
                continue
            uplink = site.uplinks.get((d.host, p.if_index))
            if uplink is None:
                kind, via = (("radio", "radio side of the access point") if d.role is Role.AP
                             else ("edge", "wired edge port"))
            elif uplink.reason == "lldp" and uplink.detail.startswith("access point"):
                kind, via = "faces-ap", f"behind {uplink.detail} (port faces it)"
            else:
                continue
            for mac in _macs(p) - site.infra:
                found[mac].append(_Where(d, p, kind, via))
    return found


def _best(places: list[_Where]) -> _Where:
    rank = {"radio": 0, "edge": 1, "faces-ap": 2}
    return min(places, key=lambda w: (rank[w.kind], len(w.port.macs), label(w.device),
                                      w.port.if_index))


def _addresses(devices: list[Device], discovery: Discovery | None
               ) -> tuple[dict[str, set[str]], dict[str, set[str]], dict[str, int]]:
    """mac -> its IPs, mac -> the devices whose rows hold it, mac -> VLAN (router interface)."""
    ips: dict[str, set[str]] = defaultdict(set)
    learnt: dict[str, set[str]] = defaultdict(set)
    vlans: dict[str, int] = {}
    for d in devices:
        ports = {p.if_index: p for p in d.ports}
        for n in d.neighbours:
            mac = norm_mac(n.mac)
            if mac is None or n.state == "local":
                continue
            ips[mac].add(n.ip)
            learnt[mac].add(label(d))
            vlan = vlan_of(ports.get(n.if_index or -1))
            if vlan is not None:
                vlans.setdefault(mac, vlan)
    for h in discovery.hosts if discovery else []:
        mac = norm_mac(h.mac)
        if mac:
            ips[mac].add(h.address)
            learnt[mac].add("discovery (ARP sweep)")
    return ips, learnt, vlans


def _learnt_vlan(port: Port, mac: str) -> int | None:
    """The VLAN the access switch learnt ``mac`` in (its forwarding database)."""
    return next((v for m, v in port.mac_vlans.items() if norm_mac(m) == mac), None)


def _ip_key(ip: str) -> tuple[int, str]:
    return (6 if ":" in ip else 4, ip)


def place_endpoints(devices: Iterable[Device], discovery: Discovery | None = None
                    ) -> EndpointMap | None:
    """The site's endpoints placed on their ports; None when no device reported a forwarding
    table or an ARP/ND row."""
    devices = list(devices)
    if not any(p.macs for d in devices for p in d.ports) and not any(
            d.neighbours for d in devices):
        return None
    network = [d for d in devices if is_network(d)]
    aps, ap_names = access_points(network)
    site = _Site(network, infra_macs(network) | _management_macs(network, devices), aps,
                 ap_names)
    _judge_uplinks(site)
    ips, learnt, vlans = _addresses(devices, discovery)
    names = {norm_mac(p.mac): label(d) for d in devices if not is_network(d) for p in d.ports
             if p.mac} | {norm_mac(h.mac): h.sys_name for h in (discovery.hosts if discovery
                                                                 else []) if h.sys_name}
    places = _candidates(site)
    everywhere: dict[str, list[str]] = defaultdict(list)
    for d in network:
        for p in d.ports:
            for mac in _macs(p):
                everywhere[mac].append(f"{label(d)}:{p.name or p.if_index}")
    endpoints = []
    for mac in sorted((set(places) | set(ips)) - site.infra):
        where = places.get(mac)
        place = EndpointPlace(mac=mac, vendor=vendor(mac), ips=sorted(ips.get(mac, ()),
                                                                      key=_ip_key),
                              name=names.get(mac), vlan=None,
                              learnt_from=sorted(learnt.get(mac, ())),
                              via="ARP/ND only: no switch learnt it")
        if where:
            best = _best(where)
            place.device, place.device_host = label(best.device), best.device.host
            place.port, place.if_index = best.port.name or str(best.port.if_index), \
                best.port.if_index
            place.wifi, place.via = best.kind != "edge", best.via
            place.vlan = _learnt_vlan(best.port, mac)
            here = f"{place.device}:{place.port}"
            place.seen_on = sorted(s for s in everywhere[mac] if s != here)
        if place.vlan is None:
            place.vlan = vlans.get(mac)
        endpoints.append(place)
    return EndpointMap(endpoints=endpoints, wired=sum(1 for e in endpoints
                                                      if e.device and not e.wifi),
                       wifi=sum(1 for e in endpoints if e.wifi),
                       unplaced=sum(1 for e in endpoints if e.device is None),
                       uplinks=sorted(site.uplinks.values(), key=lambda u: (u.device, u.if_index)),
                       shared_ports=_shared(site, endpoints), **_wired_ports(site, endpoints))


def _shared(site: _Site, endpoints: list[EndpointPlace]) -> list[SharedPort]:
    on_port: dict[tuple[str, int], list[EndpointPlace]] = defaultdict(list)
    for e in endpoints:
        if e.device_host and e.if_index is not None and not e.wifi:
            on_port[(e.device_host, e.if_index)].append(e)
    out = []
    for d in site.devices:
        for p in d.ports:
            here = on_port.get((d.host, p.if_index), [])
            if len(here) >= 2:
                out.append(SharedPort(device=label(d), device_host=d.host,
                                      port=p.name or str(p.if_index), if_index=p.if_index,
                                      macs=[e.mac for e in here],
                                      vendors=[e.vendor for e in here]))
    return out


def _wired_ports(site: _Site, endpoints: list[EndpointPlace]) -> dict[str, int]:
    occupied = {(e.device_host, e.if_index) for e in endpoints if e.device_host}
    total = used = 0
    for d in site.devices:
        if d.role is not Role.SWITCH:
            continue
        for p in d.ports:
            if p.type not in ETHERNET_TYPES or site.is_uplink(d, p):
                continue
            total += 1
            used += p.oper_status == "up" or (d.host, p.if_index) in occupied
    return {"wired_ports": total, "wired_ports_used": used, "wired_ports_free": total - used}
