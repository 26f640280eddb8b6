"""CLI parsers for Juniper JunOS: pure functions that fill CliFacts."""

from __future__ import annotations

import re

from infraaudit.models import LldpNeighbour, Port
from infraaudit.probes.ssh.parsers.common import (
    CliFacts,
    Rows,
    cisco_duplex,
    first,
    textfsm_rows,
    to_int,
)


def junos_version(rows: Rows, facts: CliFacts) -> None:
    """``show version``: on a virtual chassis one row per member; the first is kept."""
    if not rows:
        return
    row = rows[0]
    facts.hostname = first(row.get("hostname"))
    facts.model = first(row.get("model"))
    facts.os_version = first(row.get("junos_version"))
    facts.serial = first(row.get("serial_number"))


def junos_speed(text: str) -> float | None:
    """'1000mbps', '10Gbps', '800mbps' -> Mb/s; 'Unlimited', 'Auto' -> None."""
    match = re.fullmatch(r"(\d+)\s*([mMgG])bps", text.strip())
    if not match:
        return None
    return float(match.group(1)) * (1000 if match.group(2).lower() == "g" else 1)


def junos_physical_blocks(text: str) -> dict[str, dict[str, str]]:
    """What the ntc template of ``show interfaces`` does not keep (SNMP ifIndex, speed, duplex,
    MAC), by physical interface name."""
    blocks: dict[str, dict[str, str]] = {}
    for block in re.split(r"^(?=Physical interface:)", text, flags=re.M):
        head = re.match(r"Physical interface:\s+([^,\s]+),", block)
        if not head:
            continue
        body = block.split("\n  Logical interface", 1)[0]  # the physical part only
        found = {}
        for key, pattern in (("if_index", r"SNMP ifIndex:\s+(\d+)"),
                             ("speed", r"\bSpeed:\s+([^,\s]+)"),
                             ("duplex", r"Link-mode:\s+([^,\s]+)"),
                             ("mac", r"Current address:\s+([0-9a-fA-F:]{17})")):
            if (match := re.search(pattern, body)) is not None:
                found[key] = match.group(1)
        blocks[head.group(1)] = found
    return blocks


_JUNOS_TYPES = {"ethernet": "ethernetCsmacd", "gre": "tunnel", "ip-over-ip": "tunnel",
                "logical-tunnel": "tunnel"}


def junos_interfaces(text: str, facts: CliFacts) -> None:
    """``show interfaces``: the ntc template's rows (physical interfaces only: the logical
    units it also records are addresses' carriers, not ports) plus what only the text has."""
    details = junos_physical_blocks(text)
    position = 0
    for row in textfsm_rows("juniper_junos", "show interfaces", text):
        name = str(row["interface"])
        if name not in details:
            continue  # a logical unit (ge-0/0/0.0)
        position += 1
        extra = details[name]
        if_index = to_int(extra.get("if_index"))
        link = str(row.get("link_status", "")).lower()
        facts.ports.append(Port(
            if_index=if_index if if_index is not None else position,
            name=name,
            descr=name,
            alias=first(row.get("description")),
            type=_JUNOS_TYPES.get(str(row.get("hardware_type", "")).lower()),
            admin_status="up" if str(row.get("admin_state", "")).lower() == "enabled"
            else "down",
            oper_status="up" if link == "up" else "down",
            speed_mbps=junos_speed(extra.get("speed", "")),
            duplex=cisco_duplex(extra.get("duplex", "")) if "duplex" in extra else None,
            mtu=to_int(row.get("mtu")),
            mac=extra["mac"].lower() if "mac" in extra else None,
        ))


def junos_lldp(rows: Rows, facts: CliFacts) -> None:
    for row in rows:
        neighbour = LldpNeighbour(
            sys_name=first(row.get("neighbor_name")),
            chassis_id=first(row.get("chassis_id")),
            port_id=first(row.get("neighbor_interface")),
        )
        facts.lldp.setdefault(str(row["local_interface"]), []).append(neighbour)


def junos_mac_table(rows: Rows, facts: CliFacts) -> None:
    """``show ethernet-switching table``: learned entries by physical port ('ae3.0' -> 'ae3';
    static ones skipped; a MAC in two VLANs counts once)."""
    seen: dict[str, set[str]] = {}
    for row in rows:
        flags = str(row.get("mac_flag", "")).upper()  # 'DL', 'DR', 'S', older 'Learn'/'Static'
        if "S" in flags.replace("SE", ""):  # SE = statistics enabled, not static
            continue
        port = re.sub(r"\.\d+$", "", str(row.get("logical_interface", "")))
        if port and port != "-":
            seen.setdefault(port, set()).add(str(row.get("mac_address")).lower())
    facts.mac_count = {port: len(macs) for port, macs in seen.items()}
