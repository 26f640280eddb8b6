"""Pure parsers: CLI text -> infraaudit models. TextFSM (ntc-templates) where a template exists,
our own code where none fits (Linux ``ip -j``). Dispatch is a table, not built method names."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field

from infraaudit.models import AddressFamily, Duplex, IpAddress, LldpNeighbour, Port, PortCounters
from probes.ssh.allowlist import resolve, table

Rows = list[dict[str, object]]


class CliFacts(BaseModel):
    """What the CLI says about one device; merged with SNMP facts when the device is assembled."""

    model_config = ConfigDict(extra="forbid")

    platform: str
    hostname: str | None = None
    os_version: str | None = None
    model: str | None = None
    serial: str | None = None
    uptime_s: float | None = None
    ports: list[Port] = Field(default_factory=list)
    addresses: list[IpAddress] = Field(default_factory=list)
    # by interface name as the command printed it; attached to ports once all are parsed
    lldp: dict[str, list[LldpNeighbour]] = Field(default_factory=dict)
    mac_count: dict[str, int] = Field(default_factory=dict)
    ipv6: dict[str, list[str]] = Field(default_factory=dict)


# Interface name abbreviations as CLIs print them (longest first).
_ABBREVIATIONS = (
    ("hundredgige", "hundredgige"), ("hu", "hundredgige"),
    ("fortygigabitethernet", "fortygigabitethernet"), ("fo", "fortygigabitethernet"),
    ("twentyfivegige", "twentyfivegige"), ("twe", "twentyfivegige"),
    ("tengigabitethernet", "tengigabitethernet"), ("te", "tengigabitethernet"),
    ("gigabitethernet", "gigabitethernet"), ("gi", "gigabitethernet"), ("ge", "gigabitethernet"),
    ("fastethernet", "fastethernet"), ("fa", "fastethernet"),
    ("ethernet", "ethernet"), ("eth", "ethernet"), ("et", "ethernet"),
    ("port-channel", "port-channel"), ("po", "port-channel"),
    ("vlan", "vlan"), ("vl", "vlan"), ("loopback", "loopback"), ("lo", "loopback"),
)


def canonical_ifname(name: str) -> str:
    """'Gi0/1', 'GigabitEthernet0/1', 'gi 0/1' -> 'gigabitethernet0/1' (for matching only)."""
    compact = name.replace(" ", "").casefold()
    match = re.match(r"([a-z-]+)(.*)", compact)
    if not match:
        return compact
    prefix, rest = match.groups()
    for short, full in _ABBREVIATIONS:
        if prefix == short:
            return full + rest
    return compact


def attach_to_ports(facts: CliFacts) -> None:
    """LLDP neighbours, MAC counts and IPv6 addresses found by name -> the ports they belong to."""
    by_name = {canonical_ifname(p.name): p for p in facts.ports if p.name}
    for name, neighbours in facts.lldp.items():
        if (port := by_name.get(canonical_ifname(name))) is not None:
            port.lldp_neighbours = list(neighbours)
    for name, count in facts.mac_count.items():
        if (port := by_name.get(canonical_ifname(name))) is not None:
            port.mac_count = count
    known = {a.address for a in facts.addresses}
    for name, addresses in facts.ipv6.items():
        port = by_name.get(canonical_ifname(name))
        for address in addresses:
            text = address.split("/")[0].lower()
            if text in known:
                continue
            prefix = address.split("/")[1] if "/" in address else None
            entry = IpAddress(address=text, family=AddressFamily.IPV6,
                              prefix_length=int(prefix) if prefix else None,
                              if_index=port.if_index if port else None,
                              scope="link-local" if text.startswith("fe80") else "global",
                              source="CLI ipv6 interface brief")
            facts.addresses.append(entry)
            if port is not None:
                port.addresses.append(entry)


NTC_PLATFORM = {"huawei": "huawei_vrp"}  # our (netmiko) name -> ntc-templates' name


def textfsm_rows(platform: str, command: str, text: str) -> Rows:
    from ntc_templates.parse import parse_output

    ntc = NTC_PLATFORM.get(platform, platform)
    return list(parse_output(platform=ntc, command=command, data=text))


# --- Cisco IOS ---------------------------------------------------------------------------------

_UNITS = {"years": 365 * 86400, "year": 365 * 86400, "weeks": 7 * 86400, "week": 7 * 86400,
          "days": 86400, "day": 86400, "hours": 3600, "hour": 3600, "minutes": 60, "minute": 60,
          "seconds": 1, "second": 1}


def uptime_seconds(text: str) -> float | None:
    """'2 years, 3 weeks, 1 day, 4 hours, 5 minutes' -> seconds."""
    found = re.findall(r"(\d+)\s+(years?|weeks?|days?|hours?|minutes?|seconds?)", text)
    return float(sum(int(n) * _UNITS[unit] for n, unit in found)) if found else None


def cisco_mac(dotted: str) -> str | None:
    digits = dotted.replace(".", "").lower()
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2)) if len(digits) == 12 else None


def _first(value: object) -> str | None:
    if isinstance(value, list):
        return str(value[0]) if value else None
    return str(value) if value else None


def cisco_version(rows: Rows, facts: CliFacts) -> None:
    if not rows:
        return
    row = rows[0]
    facts.hostname = _first(row.get("hostname"))
    facts.os_version = _first(row.get("version"))
    facts.model = _first(row.get("hardware"))
    facts.serial = _first(row.get("serial"))
    facts.uptime_s = uptime_seconds(str(row.get("uptime", "")))


def _int(value: object) -> int | None:
    return int(str(value)) if str(value).isdigit() else None


def cisco_speed(speed: str) -> float | None:
    """'1000Mb/s', '10Gb/s' -> Mb/s. 'Auto-speed' (not negotiated yet) -> None: the BW line is
    the configured bandwidth, not the link speed, so it is not used."""
    match = re.search(r"(\d+)\s*([MG])b/s", speed)
    if match:
        return float(match.group(1)) * (1000 if match.group(2) == "G" else 1)
    return None


def cisco_duplex(text: str) -> Duplex | None:
    lowered = text.lower()
    if "full" in lowered:
        return Duplex.FULL
    if "half" in lowered:
        return Duplex.HALF
    return Duplex.UNKNOWN if lowered else None


def cisco_interfaces(rows: Rows, facts: CliFacts) -> None:
    for position, row in enumerate(rows, 1):
        link = str(row.get("link_status", ""))
        protocol = str(row.get("protocol_status", ""))
        name = str(row["interface"])
        port = Port(
            if_index=position,  # the CLI has no ifIndex: position; merging matches by name
            name=name,
            descr=name,
            alias=_first(row.get("description")),
            type="ethernetCsmacd" if "ether" in str(row.get("hardware_type", "")).lower()
            else None,
            admin_status="down" if "administratively" in link else "up",
            oper_status="up" if protocol.startswith("up") else "down",
            speed_mbps=cisco_speed(str(row.get("speed", ""))),
            duplex=cisco_duplex(str(row.get("duplex", ""))),
            mtu=_int(row.get("mtu")),
            mac=cisco_mac(str(row.get("mac_address", ""))),
            counters=PortCounters(
                in_ucast_pkts=_int(row.get("input_packets")),
                out_ucast_pkts=_int(row.get("output_packets")),
                in_errors=_int(row.get("input_errors")),
                out_errors=_int(row.get("output_errors")),
                fcs_errors=_int(row.get("crc")),
            ),
        )
        facts.ports.append(port)
        address = _first(row.get("ip_address"))
        if address:
            facts.addresses.append(IpAddress(
                address=address, family=AddressFamily.IPV4,
                prefix_length=_int(row.get("prefix_length")), if_index=position,
                source="CLI show interfaces",
            ))


def cisco_lldp(rows: Rows, facts: CliFacts) -> None:
    for row in rows:
        raw_caps = re.split(r"[,\s]+", str(row.get("capabilities", "")))
        caps = [c.strip() for c in raw_caps if c.strip()]
        names = {"B": "bridge", "R": "router", "W": "wlanAccessPoint", "T": "telephone",
                 "S": "stationOnly", "P": "repeater", "O": "other", "C": "docsisCableDevice"}
        neighbour = LldpNeighbour(
            sys_name=_first(row.get("neighbor_name")),
            sys_descr=_first(row.get("neighbor_description")),
            chassis_id=_first(row.get("chassis_id")),
            port_id=_first(row.get("neighbor_port_id")),
            port_descr=_first(row.get("neighbor_interface")),
            capabilities=[names.get(c, c) for c in caps],
            mgmt_address=_first(row.get("mgmt_address")),
        )
        facts.lldp.setdefault(str(row.get("local_interface", "")), []).append(neighbour)


def cisco_cdp(rows: Rows, facts: CliFacts) -> None:
    names = {"Router": "router", "Switch": "bridge", "Host": "stationOnly", "Phone": "telephone",
             "Trans-Bridge": "bridge", "Source-Route-Bridge": "bridge", "Repeater": "repeater"}
    for row in rows:
        caps = [names[c] for c in str(row.get("capabilities", "")).split() if c in names]
        neighbour = LldpNeighbour(
            protocol="cdp",
            sys_name=_first(row.get("neighbor_name")),
            sys_descr=_first(row.get("neighbor_description")),
            port_id=_first(row.get("neighbor_interface")),
            capabilities=sorted(set(caps)),
            mgmt_address=_first(row.get("mgmt_address")),
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


# --- Huawei VRP --------------------------------------------------------------------------------


def huawei_version(rows: Rows, facts: CliFacts) -> None:
    if not rows:
        return
    row = rows[0]
    facts.os_version = " ".join(x for x in (_first(row.get("vrp_version")),
                                            _first(row.get("product_version"))) if x) or None
    facts.model = _first(row.get("model"))
    facts.uptime_s = uptime_seconds(str(row.get("uptime", "")))


def huawei_mac(dashed: str) -> str | None:
    return cisco_mac(dashed.replace("-", "."))


def huawei_interfaces(rows: Rows, facts: CliFacts) -> None:
    for position, row in enumerate(rows, 1):
        link = str(row.get("link_status", "")).lower()
        speed = _int(row.get("speed"))
        facts.ports.append(Port(
            if_index=position,
            name=str(row["interface"]),
            descr=str(row["interface"]),
            alias=_first(row.get("interface_description")),
            admin_status="down" if "administratively" in link else "up",
            oper_status="up" if link.startswith("up") else "down",
            speed_mbps=float(speed) if speed is not None else None,
            duplex=cisco_duplex(str(row.get("duplex", ""))),
            mtu=_int(row.get("mtu")),
            mac=huawei_mac(str(row.get("mac_address", ""))),
            type="ethernetCsmacd" if "ethernet" in str(row["interface"]).lower() else None,
        ))


# --- HP ProCurve / Aruba-OS switch -------------------------------------------------------------


def procurve_system(rows: Rows, facts: CliFacts) -> None:
    """``show system``: one row per stack (VSF) member; the first member's serial is kept."""
    if not rows:
        return
    row = rows[0]
    facts.hostname = _first(row.get("name"))
    facts.os_version = _first(row.get("software_version"))
    facts.serial = _first(row.get("serial"))
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


def mask_to_prefix(mask: str) -> int | None:
    """'255.255.255.0' -> 24; anything that is not a contiguous netmask -> None."""
    try:
        bits = "".join(f"{int(octet):08b}" for octet in mask.split("."))
    except ValueError:
        return None
    if len(bits) != 32 or "01" in bits:
        return None
    return bits.count("1")


def procurve_ip(rows: Rows, facts: CliFacts) -> None:
    """``show ip``: one row per VLAN; VLANs are not in ``show interfaces brief``, so no index."""
    for row in rows:
        address = _first(row.get("ip_address"))
        if not address:
            continue  # 'Disabled': no address on that VLAN
        facts.addresses.append(IpAddress(
            address=address, family=AddressFamily.IPV4,
            prefix_length=mask_to_prefix(str(row.get("subnet_mask", ""))),
            source=f"CLI show ip (VLAN {row.get('vlan_name')})",
        ))


_LLDP_CAPABILITIES = {"bridge": "bridge", "router": "router",
                      "wlan-access-point": "wlanAccessPoint", "wlan-ap": "wlanAccessPoint",
                      "telephone": "telephone",
                      "repeater": "repeater", "station-only": "stationOnly", "other": "other",
                      "docsis-cable-device": "docsisCableDevice"}


def lldp_capabilities(text: str) -> list[str]:
    """'bridge, wlan-access-point' / 'bridge,wlan-ap,router' -> LLDP-MIB capability names."""
    words = [w.strip().lower() for w in re.split(r"[,\s]+", text) if w.strip()]
    return [_LLDP_CAPABILITIES.get(w, w) for w in words]


def procurve_lldp(rows: Rows, facts: CliFacts) -> None:
    for row in rows:
        neighbour = LldpNeighbour(
            sys_name=_first(row.get("neighbor_name")),
            sys_descr=_first(row.get("neighbor_description")),
            chassis_id=_first(row.get("chassis_id")),
            port_id=_first(row.get("neighbor_interface")),
            port_descr=_first(row.get("neighbor_interface_description")),
            capabilities=lldp_capabilities(str(row.get("capabilities", ""))),
            mgmt_address=_first(row.get("mgmt_address")),
        )
        facts.lldp.setdefault(str(row["local_interface"]), []).append(neighbour)


def procurve_mac_table(rows: Rows, facts: CliFacts) -> None:
    """``show mac-address`` lists learned addresses only; a MAC seen in two VLANs counts once."""
    seen: dict[str, set[str]] = {}
    for row in rows:
        seen.setdefault(str(row["port"]), set()).add(str(row.get("mac_address")).lower())
    facts.mac_count = {port: len(macs) for port, macs in seen.items()}


# --- Juniper JunOS -----------------------------------------------------------------------------


def junos_version(rows: Rows, facts: CliFacts) -> None:
    """``show version``: on a virtual chassis one row per member; the first is kept."""
    if not rows:
        return
    row = rows[0]
    facts.hostname = _first(row.get("hostname"))
    facts.model = _first(row.get("model"))
    facts.os_version = _first(row.get("junos_version"))
    facts.serial = _first(row.get("serial_number"))


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
        if_index = _int(extra.get("if_index"))
        link = str(row.get("link_status", "")).lower()
        facts.ports.append(Port(
            if_index=if_index if if_index is not None else position,
            name=name,
            descr=name,
            alias=_first(row.get("description")),
            type=_JUNOS_TYPES.get(str(row.get("hardware_type", "")).lower()),
            admin_status="up" if str(row.get("admin_state", "")).lower() == "enabled"
            else "down",
            oper_status="up" if link == "up" else "down",
            speed_mbps=junos_speed(extra.get("speed", "")),
            duplex=cisco_duplex(extra.get("duplex", "")) if "duplex" in extra else None,
            mtu=_int(row.get("mtu")),
            mac=extra["mac"].lower() if "mac" in extra else None,
        ))


def junos_lldp(rows: Rows, facts: CliFacts) -> None:
    for row in rows:
        neighbour = LldpNeighbour(
            sys_name=_first(row.get("neighbor_name")),
            chassis_id=_first(row.get("chassis_id")),
            port_id=_first(row.get("neighbor_interface")),
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


# --- MikroTik RouterOS -------------------------------------------------------------------------


def routeros_resource(rows: Rows, facts: CliFacts) -> None:
    if not rows:
        return
    row = rows[0]
    facts.os_version = _first(row.get("version"))
    facts.model = _first(row.get("board_name"))
    parts = {"uptime_weeks": 7 * 86400, "uptime_days": 86400, "uptime_hours": 3600,
             "uptime_minutes": 60, "uptime_seconds": 1}
    found = {key: _int(row.get(key)) for key in parts}
    if any(value is not None for value in found.values()):
        facts.uptime_s = float(sum((value or 0) * parts[key] for key, value in found.items()))


def routeros_identity(rows: Rows, facts: CliFacts) -> None:
    facts.hostname = _first(rows[0].get("name")) if rows else None


_ROUTEROS_TYPES = {"ether": "ethernetCsmacd", "vlan": "l2vlan", "bridge": "bridge",
                   "loopback": "softwareLoopback", "bond": "ieee8023adLag"}


def routeros_interfaces(rows: Rows, facts: CliFacts) -> None:
    """``/interface print detail``: flags X (disabled) and R (running) give admin/oper state."""
    for position, row in enumerate(rows, 1):
        status = str(row.get("status", ""))
        description = row.get("description")
        comment = " ".join(str(d) for d in description) if isinstance(description, list) \
            else str(description or "")
        mtu = _int(row.get("actual_mtu"))
        mac = _first(row.get("mac_address"))
        facts.ports.append(Port(
            if_index=position,
            name=str(row["name"]),
            descr=str(row["name"]),
            alias=comment or None,
            type=_ROUTEROS_TYPES.get(str(row.get("type", ""))),
            admin_status="down" if status == "X" else "up",
            oper_status="up" if status == "R" else "down",
            mtu=mtu if mtu is not None else _int(row.get("mtu")),
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
            prefix_length=_int(row.get("subnet")),
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
        mac = _first(row.get("mac_address"))
        neighbour = LldpNeighbour(
            sys_name=_first(row.get("identity")),
            sys_descr=_first(row.get("system_description")),
            chassis_id=mac.lower() if mac else None,
            port_id=_first(row.get("interface_name")),
            capabilities=lldp_capabilities(str(row.get("system_caps_enabled", ""))),
            mgmt_address=_first(row.get("ipv4_address")) or _first(row.get("ip_address")),
        )
        facts.lldp.setdefault(str(row["interface"]), []).append(neighbour)


# --- Linux -------------------------------------------------------------------------------------


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
            mtu=_int(link.get("mtu")),
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
                prefix_length=_int(info.get("prefixlen")),
                if_index=_int(link.get("ifindex")), scope=scope,
                source="CLI ip -j addr",
            ))


# --- dispatch ----------------------------------------------------------------------------------

TextParser = Callable[[str, CliFacts], None]
RowParser = Callable[[Rows, CliFacts], None]

ROW_PARSERS: dict[tuple[str, str], RowParser] = {
    ("cisco_ios", "show version"): cisco_version,
    ("cisco_ios", "show interfaces"): cisco_interfaces,
    ("cisco_ios", "show lldp neighbors detail"): cisco_lldp,
    ("cisco_ios", "show cdp neighbors detail"): cisco_cdp,
    ("cisco_ios", "show mac address-table"): cisco_mac_table,
    ("cisco_ios", "show ipv6 interface brief"): cisco_ipv6,
    ("huawei", "display version"): huawei_version,
    ("huawei", "display interface"): huawei_interfaces,
    ("hp_procurve", "show system"): procurve_system,
    ("hp_procurve", "show interfaces brief"): procurve_interfaces,
    ("hp_procurve", "show ip"): procurve_ip,
    ("hp_procurve", "show lldp info remote-device detail"): procurve_lldp,
    ("hp_procurve", "show mac-address"): procurve_mac_table,
    ("juniper_junos", "show version"): junos_version,
    ("juniper_junos", "show lldp neighbors"): junos_lldp,
    ("juniper_junos", "show ethernet-switching table"): junos_mac_table,
    ("mikrotik_routeros", "/system resource print"): routeros_resource,
    ("mikrotik_routeros", "/system identity print"): routeros_identity,
    ("mikrotik_routeros", "/interface print detail without-paging"): routeros_interfaces,
    ("mikrotik_routeros", "/ip address print without-paging"): routeros_addresses,
    ("mikrotik_routeros", "/ip neighbor print detail without-paging"): routeros_neighbours,
}
OWN_PARSERS: dict[tuple[str, str], TextParser] = {
    ("linux", "hostname"): linux_hostname,
    ("linux", "uname -a"): linux_uname,
    ("linux", "ip -j link"): linux_links,
    ("linux", "ip -j addr"): linux_addresses,
    ("juniper_junos", "show interfaces"): junos_interfaces,
}


def build_facts(platform: str, outputs: dict[str, str],
                errors: dict[str, str] | None = None) -> CliFacts:
    """Every command's output -> one CliFacts. Commands without a parser here are kept only as
    text (for the security checks). A command whose output its parser cannot read is skipped
    and named in ``errors`` (command -> reason); the other commands' facts are kept."""
    facts = CliFacts(platform=platform)
    base = resolve(platform)
    for spec in table(platform).commands:
        text = outputs.get(spec.command)
        if text is None:
            continue
        key = (base, spec.command)
        try:
            if spec.parser == "textfsm" and key in ROW_PARSERS:
                ROW_PARSERS[key](textfsm_rows(base, spec.command, text), facts)
            elif spec.parser == "own" and key in OWN_PARSERS:
                OWN_PARSERS[key](text, facts)
        except Exception as exc:  # unexpected output: this command's facts are lost, not all
            if errors is not None:
                errors[spec.command] = f"cannot parse the output: {exc}"[:300]
    attach_to_ports(facts)
    return facts
