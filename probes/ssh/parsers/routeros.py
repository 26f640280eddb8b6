"""CLI parsers for MikroTik RouterOS: pure functions that fill CliFacts."""

from __future__ import annotations

from infraaudit.models import AddressFamily, IpAddress, LldpNeighbour, Port
from infraaudit.probes.ssh.parsers.common import (
    CliFacts,
    Rows,
    first,
    lldp_capabilities,
    to_int,
)


def routeros_resource(rows: Rows, facts: CliFacts) -> None:
    if not rows:
        return
    row = rows[0]
    facts.os_version = first(row.get("version"))
    facts.model = first(row.get("board_name"))
    parts = {"uptime_weeks": 7 * 86400, "uptime_days": 86400, "uptime_hours": 3600,
             "uptime_minutes": 60, "uptime_seconds": 1}
    found = {key: to_int(row.get(key)) for key in parts}
    if any(value is not None for value in found.values()):
        facts.uptime_s = float(sum((value or 0) * parts[key] for key, value in found.items()))


def routeros_identity(rows: Rows, facts: CliFacts) -> None:
    facts.hostname = first(rows[0].get("name")) if rows else None


_ROUTEROS_TYPES = {"ether": "ethernetCsmacd", "vlan": "l2vlan", "bridge": "bridge",
                   "loopback": "softwareLoopback", "bond": "ieee8023adLag"}


def routeros_interfaces(rows: Rows, facts: CliFacts) -> None:
    """``/interface print detail``: flags X (disabled) and R (running) give admin/oper state."""
    for position, row in enumerate(rows, 1):
        status = str(row.get("status", ""))
        description = row.get("description")
        comment = " ".join(str(d) for d in description) if isinstance(description, list) \
            else str(description or "")
        mtu = to_int(row.get("actual_mtu"))
        mac = first(row.get("mac_address"))
        facts.ports.append(Port(
            if_index=position,
            name=str(row["name"]),
            descr=str(row["name"]),
            alias=comment or None,
            type=_ROUTEROS_TYPES.get(str(row.get("type", ""))),
            admin_status="down" if status == "X" else "up",
            oper_status="up" if status == "R" else "down",
            mtu=mtu if mtu is not None else to_int(row.get("mtu")),
            mac=mac.lower() if mac else None,
        ))


def routeros_addresses(rows: Rows, facts: CliFacts) -> None:
    """``/ip address print``: disabled (X) and invalid (I) entries are not in use: skipped."""
    by_name = {p.name: p for p in facts.ports}
    for row in rows:
        flags = str(row.get("flags", ""))
        if "X" in flags or "I" in flags or not row.get("ip"):
            continue
        port = by_name.get(str(row.get("interface", "")))
        entry = IpAddress(
            address=str(row["ip"]), family=AddressFamily.IPV4,
            prefix_length=to_int(row.get("subnet")),
            if_index=port.if_index if port else None,
            source="CLI /ip address print",
        )
        facts.addresses.append(entry)
        if port is not None:
            port.addresses.append(entry)


def routeros_neighbours(rows: Rows, facts: CliFacts) -> None:
    """``/ip neighbor print detail``: what MNDP/LLDP/CDP discovery found; the output does not
    say which protocol, so they are recorded as LLDP."""
    for row in rows:
        mac = first(row.get("mac_address"))
        neighbour = LldpNeighbour(
            sys_name=first(row.get("identity")),
            sys_descr=first(row.get("system_description")),
            chassis_id=mac.lower() if mac else None,
            port_id=first(row.get("interface_name")),
            capabilities=lldp_capabilities(str(row.get("system_caps_enabled", ""))),
            mgmt_address=first(row.get("ipv4_address")) or first(row.get("ip_address")),
        )
        facts.lldp.setdefault(str(row["interface"]), []).append(neighbour)
