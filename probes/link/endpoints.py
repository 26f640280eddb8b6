"""Wi-Fi dependence: endpoints learnt behind access points versus on wired edge ports.

Pure, over the scanned devices (their forwarding tables and LLDP neighbours):

- an access point is a device whose role is ``ap`` (from SNMP or the inventory) or an LLDP
  neighbour that advertises the ``wlanAccessPoint`` capability;
- MACs on a switch port whose LLDP neighbour is an AP, and MACs on an AP's own ports that have no
  LLDP neighbour (its radio side), are Wi-Fi endpoints;
- MACs on any other port without an LLDP neighbour (an edge port) are wired endpoints; ports with
  a non-AP neighbour are links between network devices and are not counted;
- the network devices' own MACs (port MACs, LLDP chassis ids) are not endpoints.
"""

from __future__ import annotations

from collections.abc import Iterable

from infraaudit.models import Device, LldpNeighbour, Role
from infraaudit.models.link import Endpoint, EndpointShare

WLAN = "wlanAccessPoint"


def _norm(mac: str | None) -> str | None:
    if not mac:
        return None
    digits = "".join(c for c in mac.lower() if c in "0123456789abcdef")
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2)) if len(digits) == 12 else None


def _is_ap(neighbour: LldpNeighbour, ap_names: set[str], ap_addresses: set[str]) -> bool:
    return (WLAN in neighbour.capabilities
            or (neighbour.sys_name or "").lower() in ap_names
            or (neighbour.mgmt_address or "") in ap_addresses)


def _label(device: Device) -> str:
    return device.name or device.sys_name or device.host


def endpoint_share(devices: Iterable[Device]) -> EndpointShare | None:
    """Count endpoints; None when no scanned device reported a forwarding table."""
    devices = list(devices)
    if not any(p.macs for d in devices for p in d.ports):
        return None
    aps = {d.host: f"{_label(d)} (role {d.role.value}: {d.role_reason or 'inventory'})"
           for d in devices if d.role is Role.AP}
    ap_names = {n.lower() for d in devices if d.role is Role.AP
                for n in (d.name, d.sys_name) if n}
    infra: set[str] = set()
    for d in devices:
        for p in d.ports:
            mac = _norm(p.mac)
            if mac:
                infra.add(mac)
            for n in p.lldp_neighbours:
                chassis = _norm(n.chassis_id)
                if chassis:
                    infra.add(chassis)
                if WLAN in n.capabilities:
                    aps.setdefault(n.mgmt_address or n.sys_name or "?",
                                   f"{n.sys_name or n.mgmt_address} (LLDP: wlanAccessPoint, "
                                   f"seen by {_label(d)} {p.name})")
    seen: dict[str, Endpoint] = {}
    for d in devices:
        is_ap = d.role is Role.AP
        for p in d.ports:
            if not p.macs:
                continue
            neighbours = p.lldp_neighbours
            if neighbours and any(_is_ap(n, ap_names, set(aps)) for n in neighbours):
                wifi, via = True, f"port faces access point {neighbours[0].sys_name or '?'}"
            elif neighbours:
                continue  # a link to another network device
            elif is_ap:
                wifi, via = True, "radio side of the access point"
            else:
                wifi, via = False, "wired edge port"
            for raw in p.macs:
                mac = _norm(raw)
                if mac is None or mac in infra:
                    continue
                known = seen.get(mac)
                if known is None or (wifi and not known.wifi):
                    seen[mac] = Endpoint(mac=mac, device=_label(d), port=p.name, wifi=wifi,
                                         via=via)
    endpoints = sorted(seen.values(), key=lambda e: (not e.wifi, e.device, e.port or "", e.mac))
    wifi_count = sum(e.wifi for e in endpoints)
    total = len(endpoints)
    return EndpointShare(
        wired=total - wifi_count, wifi=wifi_count,
        wifi_pct=round(100 * wifi_count / total, 1) if total else None,
        access_points=sorted(aps.values()), endpoints=endpoints)
