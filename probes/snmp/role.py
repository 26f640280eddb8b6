"""Guess what a device is from what it says about itself. Pure; the reason is kept as evidence."""

from __future__ import annotations

import re

from infraaudit.models import Port, Role, is_switch_port
from infraaudit.probes.snmp.system import SystemFacts

UPS_VENDORS = {"APC", "Eaton", "Vertiv"}
FIREWALL_VENDORS = {"Fortinet", "Palo Alto Networks", "Check Point", "Sangfor"}
_WORDS = {
    Role.UPS: r"\bups\b|uninterruptible|powerware|smart-ups",
    Role.PRINTER: r"printer|jetdirect|laserjet|officejet|\bmfp\b",
    Role.FIREWALL: r"firewall|fortigate|\basa\b|pan-os|\bngfw\b|\butm\b|pfsense",
    Role.AP: r"access point|\bwlan\b|wireless|\bap\d|unifi|airos",
    Role.ROUTER: r"\brouter\b|routeros|\bisr\d|\bmx\d+\b|\bsrx\d+",
    Role.SWITCH: r"switch|catalyst|procurve|\bdes-\d|\bdgs-\d|\bs\d{4}\b",
}
LAYER2, LAYER3 = 0x02, 0x04  # sysServices bits


def guess_role(system: SystemFacts, ports: list[Port]) -> tuple[Role, str]:
    descr = (system.sys_descr or "").lower()
    vendor = system.vendor or ""
    caps = set(system.lldp_capabilities)
    if vendor in UPS_VENDORS or re.search(_WORDS[Role.UPS], descr):
        return Role.UPS, f"vendor {vendor or '?'} / sysDescr names a UPS"
    if re.search(_WORDS[Role.PRINTER], descr):
        return Role.PRINTER, "sysDescr names a printer"
    if vendor in FIREWALL_VENDORS or re.search(_WORDS[Role.FIREWALL], descr):
        return Role.FIREWALL, f"vendor {vendor or '?'} / sysDescr names a firewall"
    if "wlanAccessPoint" in caps:
        return Role.AP, "LLDP capability wlanAccessPoint enabled"
    if any(p.type in ("ieee80211", "radioMAC") for p in ports) or re.search(_WORDS[Role.AP], descr):
        return Role.AP, "radio interfaces or sysDescr of an access point"
    services = system.sys_services or 0
    forwarding = bool(system.ip_forwarding) or "router" in caps
    named_router = re.search(_WORDS[Role.ROUTER], descr)
    named_switch = re.search(_WORDS[Role.SWITCH], descr)
    if named_switch and not named_router:
        return Role.SWITCH, "sysDescr names a switch"
    if named_router and forwarding:
        return Role.ROUTER, "sysDescr names a router, IP forwarding enabled"
    bridging = bool(system.bridge_ports) or "bridge" in caps
    ethernet = sum(1 for p in ports if is_switch_port(p))
    if bridging and ethernet >= 8:
        return Role.SWITCH, (
            f"bridge ({system.bridge_ports or 'LLDP'} ports) with {ethernet} Ethernet interfaces"
            + (", IP forwarding reported" if forwarding else "")
        )
    if "router" in caps or (system.ip_forwarding and services & LAYER3):
        return Role.ROUTER, "IP forwarding enabled" + (", LLDP router capability"
                                                      if "router" in caps else "")
    if bridging or (services & LAYER2 and not services & LAYER3):
        return Role.SWITCH, "bridge MIB present or sysServices says layer 2"
    if re.search(r"linux|windows|freebsd|sunos|solaris|vmware", descr):
        return Role.SERVER, "general-purpose OS in sysDescr, not forwarding"
    return Role.OTHER, "no role indicator found"
