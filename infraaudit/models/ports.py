"""What a port is: a physical port, or a pseudo-interface (VLAN/SVI, loopback, tunnel, stack,
CPU, null, LAG, virtual). The one classification every stage counts ports by. And, where the
device names it, the port's medium (``port_media``): a fibre port's fault is mended with optics
and patch cords, not with a new Cat6 run.

A pseudo-interface stays in the audit (its addresses and counters are evidence) but is not a
switch port: ``is_switch_port`` is what capacity, the port tables, the findings and the plan
count. ``port_kind`` decides from the IANAifType name first, then the interface's name (agents
report many virtual interfaces as ethernetCsmacd: Linux/Vyatta ``vqos0``, ``veth``, bridges).
"""

from __future__ import annotations

import re
from typing import Literal

PortKind = Literal["physical", "vlan", "loopback", "tunnel", "stack", "cpu", "null", "lag",
                   "virtual"]
PSEUDO_KINDS: tuple[PortKind, ...] = ("vlan", "loopback", "tunnel", "stack", "cpu", "null",
                                      "lag", "virtual")
ETHERNET_TYPES = ("ethernetCsmacd", "gigabitEthernet", "fastEther")  # IANAifType names

_BY_TYPE: dict[str, PortKind] = {
    "softwareLoopback": "loopback", "l2vlan": "vlan", "l3ipvlan": "vlan", "l3ipxvlan": "vlan",
    "ciscoISLvlan": "vlan", "tunnel": "tunnel", "mplsTunnel": "tunnel", "sixToFour": "tunnel",
    "stackToStack": "stack", "ieee8023adLag": "lag",
}
# Types that say "not a port" without saying what: the name tells (a Cisco "Vlan1" is
# propVirtual), else it is "virtual".
_GENERIC: dict[str, PortKind] = {"propVirtual": "virtual", "bridge": "virtual",
                                 "virtualIpAddress": "virtual", "ipForward": "virtual"}
# Names, matched case-insensitively from the start of ifName / ifDescr; the first match wins.
_BY_NAME: tuple[tuple[PortKind, str], ...] = (
    ("vlan", r"unrouted vlan|vlan|vl\d|svi\d|irb|bvi\d|vif\d|rif\d|default_vlan|"
             r"802\.1q encapsulation"),
    ("loopback", r"lo\d*$|loopback|inloopback"),
    ("null", r"null"),
    ("tunnel", r"tun|gre\d|sit\d|ip6tnl|ipip|vtun|wg\d|tunnel|ipsec|l2tp|pptp"),
    ("stack", r"stack|stk\d"),
    ("cpu", r"cpu|inband|sup-eth"),
    ("lag", r"port-channel|po\d|ae\d|bond|bridge-aggregation|eth-trunk|trk\d|lag\d|"
            r"aggregat"),
    ("virtual", r"vqos|veth|virbr|docker|br-|br\d|bridge|dummy|tap\d|vnet\d|ifb\d|imq\d|"
                r"teql|vmnic|vmk\d|virtual|nve\d|vxlan"),
)


def port_kind(if_type: str | None, name: str | None, descr: str | None = None) -> PortKind:
    """The kind of an interface from its IANAifType name and its names."""
    if if_type in _BY_TYPE:
        return _BY_TYPE[if_type]
    for label in (name, descr):
        text = (label or "").strip().lower()
        if not text:
            continue
        for kind, pattern in _BY_NAME:
            if re.match(pattern, text):
                return kind
    return _GENERIC.get(if_type or "", "physical")


def is_switch_port(port: object) -> bool:
    """A physical Ethernet port: what "ports", "used" and "free" count everywhere."""
    return (getattr(port, "kind", "physical") == "physical"
            and getattr(port, "type", None) in ETHERNET_TYPES)


PortMedia = Literal["twisted-pair", "fibre"]
# IEEE 802.3 PHY names as agents and CLIs print them: "10/100/1000BaseTX", "1000BaseT SFP",
# "10GBase-T", "RJ45"; "1000BaseLX SFP", "10GBASE-SR SFP+", "100BaseFX", "1000BASE-BX10-D".
_TWISTED_PAIR = re.compile(r"\d(?:[\d/]*\d)?\s*G?BASE-?T(?:X)?\b|\bRJ-?45\b", re.IGNORECASE)
# Cisco IOS prints a short PHY name as "media type is LX" (SFP ports of a Catalyst)
_FIBRE_CODE = re.compile(r"\s*(?:SX|LX|LH|ZX|EX|BX|SR|LR|ER|ZR|LRM|FX)\s*", re.IGNORECASE)
_FIBRE = re.compile(r"\d\s*G?BASE-?(?:SX|LX|LH|ZX|EX|BX|SR|LR|ER|ZR|FX|LRM)|\bfib(?:er|re)\b|"
                    r"\boptic(?:al)?\b|\b(?:single|multi)-?mode\b", re.IGNORECASE)


def port_media(descr: str | None) -> PortMedia | None:
    """The medium a port's description names (ENTITY-MIB's entPhysicalDescr of the port or of
    its transceiver, the "media type" of Cisco's ``show interfaces``): a twisted-pair PHY or an
    optical one; None when it names neither (a bare "SFP" cage, "Port", "unsupported",
    "unknown media type")."""
    if not descr:
        return None
    if _TWISTED_PAIR.search(descr):
        return "twisted-pair"
    if _FIBRE.search(descr) or _FIBRE_CODE.fullmatch(descr):
        return "fibre"
    return None
