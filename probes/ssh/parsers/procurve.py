"""CLI parsers for HP ProCurve / Aruba-OS switch: pure functions that fill CliFacts."""

from __future__ import annotations

import re

from infraaudit.models import AddressFamily, Duplex, IpAddress, LldpNeighbour, Port
from infraaudit.probes.ssh.parsers.common import (
    CliFacts,
    Rows,
    first,
    lldp_capabilities,
    mask_to_prefix,
    uptime_seconds,
)


def procurve_system(rows: Rows, facts: CliFacts) -> None:
    """``show system``: one row per stack (VSF) member; the first member's serial is kept."""
    if not rows:
        return
    row = rows[0]
    facts.hostname = first(row.get("name"))
    facts.os_version = first(row.get("software_version"))
    facts.serial = first(row.get("serial"))
    facts.uptime_s = uptime_seconds(str(row.get("uptime", "")))


def procurve_mode(mode: str) -> tuple[float | None, Duplex | None]:
    """Port mode of ``show interfaces brief``: '1000FDx', '100HDx', '10GigFD', '.' (no link)
    -> (Mb/s, duplex)."""
    match = re.fullmatch(r"(\d+)(Gig)?([FH])Dx?", mode.strip())
    if not match:
        return None, None
    speed = float(match.group(1)) * (1000 if match.group(2) else 1)
    return speed, Duplex.FULL if match.group(3) == "F" else Duplex.HALF


def procurve_interfaces(rows: Rows, facts: CliFacts) -> None:
    for position, row in enumerate(rows, 1):
        name = str(row["port"]).split("-Trk")[0]  # '1/28-Trk1': port 1/28, member of Trk1
        speed, duplex = procurve_mode(str(row.get("mode", "")))
        facts.ports.append(Port(
            if_index=position,
            name=name,
            descr=name,
            type="ethernetCsmacd",
            admin_status="up" if str(row.get("enabled", "")).lower() == "yes" else "down",
            oper_status="up" if str(row.get("status", "")).lower() == "up" else "down",
            speed_mbps=speed,
            duplex=duplex,
        ))


def procurve_ip(rows: Rows, facts: CliFacts) -> None:
    """``show ip``: one row per VLAN; VLANs are not in ``show interfaces brief``, so no index."""
    for row in rows:
        address = first(row.get("ip_address"))
        if not address:
            continue  # 'Disabled': no address on that VLAN
        facts.addresses.append(IpAddress(
            address=address, family=AddressFamily.IPV4,
            prefix_length=mask_to_prefix(str(row.get("subnet_mask", ""))),
            source=f"CLI show ip (VLAN {row.get('vlan_name')})",
        ))


def procurve_lldp(rows: Rows, facts: CliFacts) -> None:
    for row in rows:
        neighbour = LldpNeighbour(
            sys_name=first(row.get("neighbor_name")),
            sys_descr=first(row.get("neighbor_description")),
            chassis_id=first(row.get("chassis_id")),
            port_id=first(row.get("neighbor_interface")),
            port_descr=first(row.get("neighbor_interface_description")),
            capabilities=lldp_capabilities(str(row.get("capabilities", ""))),
            mgmt_address=first(row.get("mgmt_address")),
        )
        facts.lldp.setdefault(str(row["local_interface"]), []).append(neighbour)


def procurve_mac_table(rows: Rows, facts: CliFacts) -> None:
    """``show mac-address`` lists learned addresses only; a MAC seen in two VLANs counts once."""
    seen: dict[str, set[str]] = {}
    for row in rows:
        seen.setdefault(str(row["port"]), set()).add(str(row.get("mac_address")).lower())
    facts.mac_count = {port: len(macs) for port, macs in seen.items()}
