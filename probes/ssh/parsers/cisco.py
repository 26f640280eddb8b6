"""CLI parsers for Cisco IOS / IOS-XE: pure functions that fill CliFacts."""

from __future__ import annotations

import re

from infraaudit.models import (
    AddressFamily,
    IpAddress,
    LldpNeighbour,
    Port,
    PortCounters,
    port_media,
)
from infraaudit.probes.ssh.parsers.common import (
    CliFacts,
    Rows,
    cisco_duplex,
    cisco_mac,
    first,
    to_int,
    uptime_seconds,
)


def cisco_version(rows: Rows, facts: CliFacts) -> None:
    if not rows:
        return
    row = rows[0]
    facts.hostname = first(row.get("hostname"))
    facts.os_version = first(row.get("version"))
    facts.model = first(row.get("hardware"))
    facts.serial = first(row.get("serial"))
    facts.uptime_s = uptime_seconds(str(row.get("uptime", "")))


def cisco_speed(speed: str) -> float | None:
    """'1000Mb/s', '10Gb/s' -> Mb/s. 'Auto-speed' (not negotiated yet) -> None: the BW line is
    the configured bandwidth, not the link speed, so it is not used."""
    match = re.search(r"(\d+)\s*([MG])b/s", speed)
    if match:
        return float(match.group(1)) * (1000 if match.group(2) == "G" else 1)
    return None


def cisco_interfaces(rows: Rows, facts: CliFacts) -> None:
    for position, row in enumerate(rows, 1):
        link = str(row.get("link_status", ""))
        protocol = str(row.get("protocol_status", ""))
        name = str(row["interface"])
        port = Port(
            if_index=position,  # the CLI has no ifIndex: position; merging matches by name
            name=name,
            descr=name,
            alias=first(row.get("description")),
            type="ethernetCsmacd" if "ether" in str(row.get("hardware_type", "")).lower()
            else None,
            admin_status="down" if "administratively" in link else "up",
            oper_status="up" if protocol.startswith("up") else "down",
            speed_mbps=cisco_speed(str(row.get("speed", ""))),
            duplex=cisco_duplex(str(row.get("duplex", ""))),
            media=port_media(first(row.get("media_type"))),
            mtu=to_int(row.get("mtu")),
            mac=cisco_mac(str(row.get("mac_address", ""))),
            counters=PortCounters(
                in_ucast_pkts=to_int(row.get("input_packets")),
                out_ucast_pkts=to_int(row.get("output_packets")),
                in_errors=to_int(row.get("input_errors")),
                out_errors=to_int(row.get("output_errors")),
                fcs_errors=to_int(row.get("crc")),
            ),
        )
        facts.ports.append(port)
        address = first(row.get("ip_address"))
        if address:
            facts.addresses.append(IpAddress(
                address=address, family=AddressFamily.IPV4,
                prefix_length=to_int(row.get("prefix_length")), if_index=position,
                source="CLI show interfaces",
            ))


def cisco_lldp(rows: Rows, facts: CliFacts) -> None:
    for row in rows:
        raw_caps = re.split(r"[,\s]+", str(row.get("capabilities", "")))
        caps = [c.strip() for c in raw_caps if c.strip()]
        names = {"B": "bridge", "R": "router", "W": "wlanAccessPoint", "T": "telephone",
                 "S": "stationOnly", "P": "repeater", "O": "other", "C": "docsisCableDevice"}
        neighbour = LldpNeighbour(
            sys_name=first(row.get("neighbor_name")),
            sys_descr=first(row.get("neighbor_description")),
            chassis_id=first(row.get("chassis_id")),
            port_id=first(row.get("neighbor_port_id")),
            port_descr=first(row.get("neighbor_interface")),
            capabilities=[names.get(c, c) for c in caps],
            mgmt_address=first(row.get("mgmt_address")),
        )
        facts.lldp.setdefault(str(row.get("local_interface", "")), []).append(neighbour)


def cisco_cdp(rows: Rows, facts: CliFacts) -> None:
    names = {"Router": "router", "Switch": "bridge", "Host": "stationOnly", "Phone": "telephone",
             "Trans-Bridge": "bridge", "Source-Route-Bridge": "bridge", "Repeater": "repeater"}
    for row in rows:
        caps = [names[c] for c in str(row.get("capabilities", "")).split() if c in names]
        neighbour = LldpNeighbour(
            protocol="cdp",
            sys_name=first(row.get("neighbor_name")),
            sys_descr=first(row.get("neighbor_description")),
            port_id=first(row.get("neighbor_interface")),
            capabilities=sorted(set(caps)),
            mgmt_address=first(row.get("mgmt_address")),
        )
        facts.lldp.setdefault(str(row.get("local_interface", "")), []).append(neighbour)


def cisco_mac_table(rows: Rows, facts: CliFacts) -> None:
    seen: dict[str, set[str]] = {}
    for row in rows:
        if str(row.get("type", "")).upper() == "STATIC":
            continue  # the switch's own and configured entries, not learned
        ports = row.get("destination_port") or []
        for port in ports if isinstance(ports, list) else [ports]:
            seen.setdefault(str(port), set()).add(str(row.get("destination_address")))
    facts.mac_count = {port: len(macs) for port, macs in seen.items()}


def cisco_ipv6(rows: Rows, facts: CliFacts) -> None:
    for row in rows:
        addresses = row.get("ipv6_address") or []
        found = [str(a) for a in addresses if ":" in str(a)] if isinstance(addresses, list) else []
        if found:  # "unassigned" and friends are not addresses
            facts.ipv6[str(row["interface"])] = found
