"""CLI parsers for Linux (iproute2 JSON): pure functions that fill CliFacts."""

from __future__ import annotations

import json

from infraaudit.models import AddressFamily, IpAddress, Port
from infraaudit.probes.ssh.parsers.common import (
    CliFacts,
    to_int,
)


def linux_hostname(text: str, facts: CliFacts) -> None:
    facts.hostname = text.strip().splitlines()[0] if text.strip() else None


def linux_uname(text: str, facts: CliFacts) -> None:
    parts = text.split()
    facts.os_version = f"{parts[0]} {parts[2]}" if len(parts) >= 3 else None


def _json(text: str) -> list[dict[str, object]]:
    start = text.find("[")
    data = json.loads(text[start:]) if start >= 0 else []
    return data if isinstance(data, list) else []


def linux_links(text: str, facts: CliFacts) -> None:
    for link in _json(text):
        flags = link.get("flags", [])
        assert isinstance(flags, list)
        facts.ports.append(Port(
            if_index=int(str(link["ifindex"])),
            name=str(link["ifname"]),
            descr=str(link["ifname"]),
            type="softwareLoopback" if link.get("link_type") == "loopback" else "ethernetCsmacd",
            admin_status="up" if "UP" in flags else "down",
            oper_status="up" if "LOWER_UP" in flags or link.get("operstate") == "UP"
            else "down",
            mtu=to_int(link.get("mtu")),
            mac=str(link["address"]) if link.get("link_type") == "ether" else None,
        ))


def linux_addresses(text: str, facts: CliFacts) -> None:
    for link in _json(text):
        infos = link.get("addr_info", [])
        assert isinstance(infos, list)
        for info in infos:
            family = AddressFamily.IPV6 if info.get("family") == "inet6" else AddressFamily.IPV4
            scope = {"host": "loopback", "link": "link-local"}.get(str(info.get("scope")),
                                                                   "global")
            facts.addresses.append(IpAddress(
                address=str(info["local"]), family=family,
                prefix_length=to_int(info.get("prefixlen")),
                if_index=to_int(link.get("ifindex")), scope=scope,
                source="CLI ip -j addr",
            ))
