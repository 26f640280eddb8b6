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


def norm_mac(mac: str | None) -> str | None:
    """Any common MAC spelling (``AA-BB-..``, ``aabb.ccdd.eeff``, ``aabbccddeeff``) ->
    ``aa:bb:cc:dd:ee:ff``; None when it is not 12 hex digits."""
    if not mac:
        return None
    digits = "".join(c for c in mac.lower() if c in "0123456789abcdef")
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2)) if len(digits) == 12 else None


def is_ap(neighbour: LldpNeighbour, ap_names: set[str], ap_addresses: set[str]) -> bool:
    """The LLDP neighbour is an access point: by capability, or as a scanned AP's name or
    address."""
    return (WLAN in neighbour.capabilities
            or (neighbour.sys_name or "").lower() in ap_names
            or (neighbour.mgmt_address or "") in ap_addresses)


def label(device: Device) -> str:
    """A device as findings name it: inventory name, else sysName, else address."""
    return device.name or device.sys_name or device.host


def access_points(devices: list[Device]) -> tuple[dict[str, str], set[str]]:
    """Access points (address or name -> how it was recognised) and the scanned APs' names."""
    aps = {d.host: f"{label(d)} (role {d.role.value}: {d.role_reason or 'inventory'})"
           for d in devices if d.role is Role.AP}
    ap_names = {n.lower() for d in devices if d.role is Role.AP
                for n in (d.name, d.sys_name) if n}
    for d in devices:
        for p in d.ports:
            for n in p.lldp_neighbours:
                if WLAN in n.capabilities:
                    aps.setdefault(n.mgmt_address or n.sys_name or "?",
                                   f"{n.sys_name or n.mgmt_address} (LLDP: wlanAccessPoint, "
                                   f"seen by {label(d)} {p.name})")
    return aps, ap_names


def infra_macs(devices: list[Device]) -> set[str]:
    """MACs of the network devices themselves: their port MACs and LLDP chassis ids."""
    infra: set[str] = set()
    for d in devices:
        for p in d.ports:
            mac = norm_mac(p.mac)
            if mac:
                infra.add(mac)
            for n in p.lldp_neighbours:
                chassis = norm_mac(n.chassis_id)
                if chassis:
                    infra.add(chassis)
    return infra


def endpoint_share(devices: Iterable[Device]) -> EndpointShare | None:
    """Count endpoints; None when no scanned device reported a forwarding table."""
    devices = list(devices)
    if not any(p.macs for d in devices for p in d.ports):
        return None
    aps, ap_names = access_points(devices)
    infra = infra_macs(devices)
    seen: dict[str, Endpoint] = {}
    for d in devices:
        on_ap = d.role is Role.AP
        for p in d.ports:
            if not p.macs:
                continue
            neighbours = p.lldp_neighbours
            if neighbours and any(is_ap(n, ap_names, set(aps)) for n in neighbours):
                wifi, via = True, f"port faces access point {neighbours[0].sys_name or '?'}"
            elif neighbours:
                continue  # a link to another network device
            elif on_ap:
                wifi, via = True, "radio side of the access point"
            else:
                wifi, via = False, "wired edge port"
            for raw in p.macs:
                mac = norm_mac(raw)
                if mac is None or mac in infra:
                    continue
                known = seen.get(mac)
                if known is None or (wifi and not known.wifi):
                    seen[mac] = Endpoint(mac=mac, device=label(d), port=p.name, wifi=wifi,
                                         via=via)
    endpoints = sorted(seen.values(), key=lambda e: (not e.wifi, e.device, e.port or "", e.mac))
    wifi_count = sum(e.wifi for e in endpoints)
    total = len(endpoints)
    return EndpointShare(
        wired=total - wifi_count, wifi=wifi_count,
        wifi_pct=round(100 * wifi_count / total, 1) if total else None,
        access_points=sorted(aps.values()), endpoints=endpoints)
