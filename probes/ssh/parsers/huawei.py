"""CLI parsers for Huawei VRP: pure functions that fill CliFacts."""

from __future__ import annotations

from infraaudit.models import Port
from infraaudit.probes.ssh.parsers.common import (
    CliFacts,
    Rows,
    cisco_duplex,
    first,
    huawei_mac,
    to_int,
    uptime_seconds,
)


def huawei_version(rows: Rows, facts: CliFacts) -> None:
    if not rows:
        return
    row = rows[0]
    facts.os_version = " ".join(x for x in (first(row.get("vrp_version")),
                                            first(row.get("product_version"))) if x) or None
    facts.model = first(row.get("model"))
    facts.uptime_s = uptime_seconds(str(row.get("uptime", "")))


def huawei_interfaces(rows: Rows, facts: CliFacts) -> None:
    for position, row in enumerate(rows, 1):
        link = str(row.get("link_status", "")).lower()
        speed = to_int(row.get("speed"))
        facts.ports.append(Port(
            if_index=position,
            name=str(row["interface"]),
            descr=str(row["interface"]),
            alias=first(row.get("interface_description")),
            admin_status="down" if "administratively" in link else "up",
            oper_status="up" if link.startswith("up") else "down",
            speed_mbps=float(speed) if speed is not None else None,
            duplex=cisco_duplex(str(row.get("duplex", ""))),
            mtu=to_int(row.get("mtu")),
            mac=huawei_mac(str(row.get("mac_address", ""))),
            type="ethernetCsmacd" if "ethernet" in str(row["interface"]).lower() else None,
        ))
