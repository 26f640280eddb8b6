"""Merge what the CLI says into the SNMP-built device record. Pure.

Precedence: SNMP's structured values stay in the fields; the CLI fills what SNMP left empty.
Where both report a fact and disagree, the SNMP value stays and both are kept as a conflict —
evidence, never silently overwritten. ``Device.sources`` names who reported each field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from infraaudit.models import Device, FieldConflict, Port, Role
from infraaudit.probes.ssh import canonical_ifname

if TYPE_CHECKING:  # the parsers load when a device is read over SSH
    from infraaudit.probes.ssh import CliFacts

# device field <- CliFacts field
IDENTITY = {"sys_name": "hostname", "firmware": "os_version", "model": "model",
            "serial": "serial", "uptime_s": "uptime_s"}
NO_CONFLICT = {"uptime_s"}  # read a few seconds apart: they always differ a little
PLATFORM_VENDOR = {"cisco_ios": "Cisco", "cisco_xe": "Cisco", "huawei": "Huawei",
                   "hp_procurve": "HP", "aruba_osswitch": "HP",
                   "juniper_junos": "Juniper Networks",
                   "mikrotik_routeros": "MikroTik"}  # the vendor an SSH-only device runs
PORT_FILL = ("alias", "admin_status", "oper_status", "speed_mbps", "duplex", "media", "mtu",
             "mac", "mac_count")
COUNTER_FILL = ("in_errors", "out_errors", "fcs_errors", "in_ucast_pkts", "out_ucast_pkts")


def _same(a: object, b: object) -> bool:
    return str(a).strip().casefold() == str(b).strip().casefold()


def _same_name(a: object, b: object) -> bool:
    """'sw1.tt.khanhhoa.gov.vn' (sysName) and 'SW1' (prompt) name the same device."""
    return _same(str(a).split(".")[0], str(b).split(".")[0])


def mark_snmp_sources(device: Device) -> None:
    """Name SNMP as the source of every field the SNMP probes filled."""
    for name in (*IDENTITY, "vendor", "sys_descr", "sys_location"):
        if getattr(device, name) is not None:
            device.sources.setdefault(name, ["snmp"])
    if device.ports:
        device.sources.setdefault("ports", ["snmp"])
    if device.addresses:
        device.sources.setdefault("addresses", ["snmp"])


def _port_key(port: Port) -> set[str]:
    return {canonical_ifname(label) for label in (port.name, port.descr) if label}


def _merge_ports(device: Device, cli_ports: list[Port]) -> None:
    if not cli_ports:
        return
    if not device.ports:
        device.ports = [p.model_copy(deep=True) for p in cli_ports]
        device.sources["ports"] = ["cli"]
        return
    matched = 0
    for cli in cli_ports:
        target = next((p for p in device.ports if _port_key(p) & _port_key(cli)), None)
        if target is None:
            continue
        matched += 1
        for name in PORT_FILL:
            if getattr(target, name) is None and getattr(cli, name) is not None:
                setattr(target, name, getattr(cli, name))
        for name in COUNTER_FILL:
            if getattr(target.counters, name) is None and getattr(cli.counters, name) is not None:
                setattr(target.counters, name, getattr(cli.counters, name))
        if not target.lldp_neighbours and cli.lldp_neighbours:
            target.lldp_neighbours = list(cli.lldp_neighbours)
    if matched:
        device.sources["ports"] = ["snmp", "cli"]


def merge_cli(device: Device, cli: CliFacts) -> Device:
    mark_snmp_sources(device)
    device.platform = cli.platform
    if device.vendor is None and cli.platform in PLATFORM_VENDOR:
        device.vendor = PLATFORM_VENDOR[cli.platform]
        device.sources["vendor"] = ["cli"]
    for name, cli_name in IDENTITY.items():
        ours, theirs = getattr(device, name), getattr(cli, cli_name)
        if theirs is None:
            continue
        if ours is None:
            setattr(device, name, theirs)
            device.sources[name] = ["cli"]
        elif _same(ours, theirs) or name in NO_CONFLICT or (
                name == "sys_name" and _same_name(ours, theirs)):
            device.sources[name] = ["snmp", "cli"]
        else:
            device.conflicts.append(FieldConflict(field=name,
                                                  values={"snmp": str(ours), "cli": str(theirs)}))
    _merge_ports(device, cli.ports)
    known = {a.address for a in device.addresses}
    extra = [a for a in cli.addresses if a.address not in known]
    if extra:
        device.addresses += extra
        device.sources["addresses"] = [*device.sources.get("addresses", []), "cli"]
    if device.role is Role.OTHER and device.role_reason in (None, "no role indicator found"):
        device.role, device.role_reason = _role_from_cli(cli)
    return device


def _role_from_cli(cli: CliFacts) -> tuple[Role, str]:
    if cli.platform == "linux":
        return Role.SERVER, "CLI platform linux"
    ethernet = sum(1 for p in cli.ports if p.type == "ethernetCsmacd")
    if ethernet >= 8:
        return Role.SWITCH, f"CLI platform {cli.platform} with {ethernet} Ethernet ports"
    return Role.ROUTER, f"CLI platform {cli.platform} with {ethernet} Ethernet ports"
