"""Derive the sample agency's site devices from real recordings. Re-runnable and deterministic.

    .venv/bin/python -m lab.recordings.derive_sample

Inputs (in this folder, from snmpsim-data-lextudio 1.0.0, BSD-2-Clause): ``cisco-c3750``,
``dlink-des3200``, ``vyatta-unknown`` and ``linux-unknown-006``. Outputs: one
``sample-<name>.snmprec.bz2`` per device of ``SITES`` (inventories/sample-agency/*.yaml), served by
the loopback lab on ``127.<block>.<site>.<n>`` (lab/loopback.py). SOURCES.md has the ground truth.

Every device of a site is rebuilt so that it belongs to that site and nowhere else:

- identity: sysName = the inventory name, sysLocation/sysContact of the site (UTF-8);
- addresses: the source's ipAddrTable, ipAddressTable, IPV6-MIB, ARP, routes, TCP/UDP
  connection tables, CDP cache, LLDP neighbours and forwarding tables are dropped (they name the
  network the source was recorded in); new ones name only ``127.78.<site>.0/24``, the
  documentation ranges 198.51.100.0/24 (WAN) and 2001:db8::/32 (IPv6, one site only) and
  locally administered MACs ``02:…`` (``02:1a:S:D:00:P`` device ports, ``02:e0:S:D:P:N``
  endpoints);
- LLDP: lldpLocalSystemData and one lldpRemTable row per link, naming the peer's real sysName,
  port name and chassis MAC, both ends consistent;
- FDB (BRIDGE-MIB and Q-BRIDGE VLAN 1) on switches: the peers' MACs on uplinks, ``clients``
  endpoint MACs on the port facing an access point, ``hosts`` MACs on each wired edge port;
- ARP (ipNetToMediaTable) on the router: every endpoint of the site at 127.78.S.100 + i.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lab.recordings.derive_agency import expand_ports, lldp_local, lldp_remote
from lab.recordings.derive_site import growing
from lab.recordings.snmprec import read, text, write

IF = "1.3.6.1.2.1.2.2.1"
IFX = "1.3.6.1.2.1.31.1.1.1"
DOT3 = "1.3.6.1.2.1.10.7.2.1"
FDB = "1.3.6.1.2.1.17.4.3.1"
QFDB = "1.3.6.1.2.1.17.7.1.2.2.1"
SYS_UPTIME = "1.3.6.1.2.1.1.3.0"
# Foreign network data: addresses (4.20-4.24, 4.32-4.35, IPV6-MIB), connections (TCP/UDP),
# neighbours (LLDP remote, CDP), forwarding tables, installed software and processes, SNMP
# notification targets.
DROP = tuple(p + "." for p in (
    "1.3.6.1.2.1.4.20", "1.3.6.1.2.1.4.21", "1.3.6.1.2.1.4.22", "1.3.6.1.2.1.4.24",
    "1.3.6.1.2.1.4.32", "1.3.6.1.2.1.4.34", "1.3.6.1.2.1.4.35", "1.3.6.1.2.1.55",
    "1.3.6.1.2.1.6.13", "1.3.6.1.2.1.6.19", "1.3.6.1.2.1.6.20", "1.3.6.1.2.1.7.5",
    "1.3.6.1.2.1.7.7", "1.3.6.1.4.1.9.9.23", "1.0.8802.1.1.2.1.4", FDB, QFDB,
    "1.3.6.1.2.1.25.4", "1.3.6.1.2.1.25.5", "1.3.6.1.2.1.25.6", "1.3.6.1.6.3.12",
    "1.3.6.1.6.3.13"))
CONTACT = "Tổ Công nghệ thông tin, Văn phòng Thanh tra tỉnh"
WAN = 5  # the routers' eth2 (ifIndex 5): the link to the provider, no LLDP peer
BLOCK = 78  # the demo's loopback block: inventories/sample-agency use 127.78.S.0/24


@dataclass
class Spec:
    """One device: ``kind`` router (vyatta), core (Catalyst 3750, Gi1/0/1-12 = ports 1-12),
    access (DES-3200-26: 1-24 FE, 25-26 GE) or ap (Linux AP: eth0 = port 1)."""

    site: int
    n: int  # host 127.78.<site>.<n>
    name: str
    kind: str
    location: str
    links: dict[int, tuple[str, int]] = field(default_factory=dict)  # port: (peer, peer port)
    hosts: dict[int, int] = field(default_factory=dict)  # edge port: endpoint MACs on it
    down: tuple[int, ...] = ()  # admin up, oper down (a broken cable or dead port)
    speed: dict[int, int] = field(default_factory=dict)  # port: Mb/s below the nominal
    half: tuple[int, ...] = ()  # half duplex
    errors: dict[int, tuple[int, int, int, int]] = field(default_factory=dict)  # in,out,fcs,align
    crc_growing: tuple[int, ...] = ()  # FCS and ifInErrors grow 50/s (10000 packets/s)
    saturated: dict[int, int] = field(default_factory=dict)  # port: inbound Mb/s (growing)
    ipv6: bool = False  # IP-MIB ipAddressTable with 2001:db8:S::/64 addresses
    served: bool = True  # False: in the inventory and seen by LLDP, but nothing answers SNMP

    @property
    def host(self) -> str:
        return f"127.{BLOCK}.{self.site}.{self.n}"

    @property
    def file(self) -> str:
        return f"sample-{self.name}.snmprec.bz2"


HV, TD = "Trụ sở chính, 26 Hùng Vương", "Trụ sở 20 Trần Hưng Đạo"
HK, BA = "Trụ sở 02 Hoàn Kiếm", "Trụ sở 374 đường 21 tháng 8"
SITES: tuple[Spec, ...] = (
    # Hùng Vương (main site): router, core, two floor switches, two APs; the core's uplink to
    # the router carries 950 Mb/s inbound; floor 1's switch has bad cabling.
    Spec(1, 1, "rt-hungvuong", "router", f"Phòng máy chủ tầng 1, {HV}",
         links={4: ("sw-core-hungvuong", 1)}),
    Spec(1, 2, "sw-core-hungvuong", "core", f"Phòng máy chủ tầng 1, {HV}",
         links={1: ("rt-hungvuong", 4), 2: ("sw-tang1-hungvuong", 25),
                3: ("sw-tang2-hungvuong", 25), 4: ("ap-hungvuong-1", 1)},
         hosts={6: 1, 7: 1, 8: 1}, saturated={1: 950}),
    Spec(1, 3, "sw-tang1-hungvuong", "access", f"Tầng 1, {HV}",
         links={25: ("sw-core-hungvuong", 2)},
         hosts={p: 1 for p in range(1, 19) if p not in (5, 9, 14)}, down=(5, 9, 14),
         speed={3: 10, 7: 10}, half=(3, 7, 11), crc_growing=(3, 7),
         errors={3: (48213, 1207, 46877, 1336), 7: (9152, 311, 8890, 262),
                 11: (1534, 97, 1490, 44)}),
    Spec(1, 4, "sw-tang2-hungvuong", "access", f"Tầng 2, {HV}",
         links={25: ("sw-core-hungvuong", 3), 24: ("ap-hungvuong-2", 1)},
         hosts={p: 1 for p in range(1, 15)}),
    Spec(1, 5, "ap-hungvuong-1", "ap", f"Hội trường tầng 1, {HV}",
         links={1: ("sw-core-hungvuong", 4)}, hosts={0: 6}),
    Spec(1, 6, "ap-hungvuong-2", "ap", f"Hành lang tầng 2, {HV}",
         links={1: ("sw-tang2-hungvuong", 24)}, hosts={0: 5}),
    # Trần Hưng Đạo: most staff work on Wi-Fi; the only switch is old, one port has CRC errors.
    Spec(2, 1, "rt-trhd", "router", f"Phòng văn thư tầng 1, {TD}",
         links={4: ("sw-trhd", 25)}),
    Spec(2, 2, "sw-trhd", "access", f"Tầng 1, {TD}",
         links={25: ("rt-trhd", 4), 24: ("ap-trhd", 1)},
         hosts={p: 1 for p in range(1, 7)}, down=(7, 8),
         errors={4: (20431, 402, 19874, 511)}, half=(4,), crc_growing=(4,)),
    Spec(2, 3, "ap-trhd", "ap", f"Tầng 2, {TD}", links={1: ("sw-trhd", 24)}, hosts={0: 21}),
    # Hoàn Kiếm: the router is dual-stack (2001:db8:3::/64), the switch IPv4 only; no port
    # faults; the AP is seen by the switch (LLDP, 4 clients) but does not answer SNMP.
    Spec(3, 1, "rt-hoankiem", "router", f"Phòng máy tầng 1, {HK}",
         links={4: ("sw-hoankiem", 25)}, ipv6=True),
    Spec(3, 2, "sw-hoankiem", "access", f"Tầng 1, {HK}",
         links={25: ("rt-hoankiem", 4), 24: ("ap-hoankiem", 1)},
         hosts={p: 1 for p in range(1, 11)}),
    Spec(3, 3, "ap-hoankiem", "ap", f"Phòng tiếp công dân, {HK}",
         links={1: ("sw-hoankiem", 24)}, hosts={0: 4}, served=False),
    # Bảo An: an old gigabit switch (Cisco serial of 2012) with a 100 Mb/s port, a half-duplex
    # port and a port whose FCS errors grow.
    Spec(4, 1, "gw-baoan", "router", f"Tủ mạng tầng trệt, {BA}", links={4: ("sw-baoan", 1)}),
    Spec(4, 2, "sw-baoan", "core", f"Tủ mạng tầng trệt, {BA}", links={1: ("gw-baoan", 4)},
         hosts={7: 1, 9: 1, 10: 1, 11: 1, 12: 1}, speed={7: 100}, half=(9,), crc_growing=(12,)),
)
BY_NAME = {s.name: s for s in SITES}
SOURCE = {"router": "vyatta-unknown.snmprec.bz2", "core": "cisco-c3750.snmprec.bz2",
          "access": "dlink-des3200.snmprec.bz2", "ap": "linux-unknown-006.snmprec.bz2"}
DESCR = {"router": "Vyatta unknown-version", "core": None,  # core: the recorded IOS sysDescr
         "access": "DES-3200-26 Fast Ethernet Switch",
         "ap": "Linux 3.10.0 Wireless Access Point (802.11ac)"}
MGMT = {"router": 4, "core": 1, "access": 5121, "ap": 2}  # ifIndex holding the management IP
CAPS = {"router": "08", "core": "20", "access": "20", "ap": "30"}  # LLDP BITS: bridge, router, AP


def if_index(spec: Spec, port: int) -> int:
    """ifIndex of a port number (router: the recorded ifIndex; core: 10100 + N; AP: 1 + N)."""
    return {"core": 10100 + port, "ap": 1 + port}.get(spec.kind, port)


def port_name(spec: Spec, port: int) -> str:
    """ifName of a port, as its peer's LLDP row names it."""
    if spec.kind == "core":
        return f"Gi1/0/{port}"
    if spec.kind == "router":
        return f"eth{port - 3}"
    return "eth0" if spec.kind == "ap" else str(port)


def mac(spec: Spec, port: int = 0) -> str:
    """The device's own MAC (port 0: chassis / management)."""
    return f"021a{spec.site:02x}{spec.n:02x}00{port:02x}"


def endpoints(spec: Spec) -> list[tuple[str, int]]:
    """(MAC, port) of the endpoints learnt on ``spec``'s edge ports (port 0: an AP's clients)."""
    return [(f"02e0{spec.site:02x}{spec.n:02x}{port:02x}{i:02x}", port)
            for port, count in sorted(spec.hosts.items()) for i in range(1, count + 1)]


def ip_oid(address: str) -> str:
    return ".".join(address.split("."))


def ipv4(rows: dict[str, tuple[str, str]], address: str, index: int, mask: str) -> None:
    """An ipAddrTable row."""
    rows[f"1.3.6.1.2.1.4.20.1.1.{address}"] = ("64", address)
    rows[f"1.3.6.1.2.1.4.20.1.2.{address}"] = ("2", str(index))
    rows[f"1.3.6.1.2.1.4.20.1.3.{address}"] = ("64", mask)


def ip_address(rows: dict[str, tuple[str, str]], octets: list[int], index: int,
               prefix: int) -> None:
    """An IP-MIB ipAddressTable row (unicast, manual, preferred)."""
    kind, size = (1, 4) if len(octets) == 4 else (2, 16)
    idx = f"{kind}.{size}." + ".".join(map(str, octets))
    base = "1.3.6.1.2.1.4.34.1"
    rows[f"{base}.3.{idx}"] = ("2", str(index))
    rows[f"{base}.4.{idx}"] = ("2", "1")
    rows[f"{base}.5.{idx}"] = ("6", f"1.3.6.1.2.1.4.32.1.5.{index}.{idx}.{prefix}")
    rows[f"{base}.6.{idx}"] = ("2", "2")
    rows[f"{base}.7.{idx}"] = ("2", "1")


def v6(net: int, host: int) -> list[int]:
    """Octets of 2001:db8:<net>::<host> (documentation prefix)."""
    return [0x20, 0x01, 0x0d, 0xb8, net >> 8, net & 0xFF, *[0] * 9, host]


def addresses(spec: Spec, rows: dict[str, tuple[str, str]]) -> None:
    """Management (and WAN) addresses of the site only; IPv6 on ``spec.ipv6`` devices."""
    mgmt = MGMT[spec.kind]
    lan = f"127.{BLOCK}.{spec.site}.{spec.n}"
    ipv4(rows, lan, mgmt, "255.255.255.0")
    if spec.kind == "access":
        rows[f"{IF}.2.5121"] = text(f"rif0({lan})")
    if spec.kind == "router":
        wan = f"198.51.100.{4 * spec.site + 2}"
        ipv4(rows, wan, WAN, "255.255.255.252")
    if spec.ipv6:
        ip_address(rows, [int(x) for x in lan.split(".")], mgmt, 24)
        ip_address(rows, v6(spec.site, spec.n), mgmt, 64)
        if spec.kind == "router":
            ip_address(rows, [int(x) for x in wan.split(".")], WAN, 30)
            ip_address(rows, v6(0xFF00 + spec.site, 2), WAN, 64)


def set_port(spec: Spec, rows: dict[str, tuple[str, str]], port: int, nominal: int) -> None:
    """Status, speed, duplex, error counters and MAC of one physical port."""
    index = if_index(spec, port)
    used = port in spec.links or port in spec.hosts or (spec.kind == "router" and port == WAN)
    down = port in spec.down or not used
    mbps = 0 if down else spec.speed.get(port, nominal)
    rows[f"{IF}.5.{index}"] = ("66", str(mbps * 1_000_000))
    rows[f"{IFX}.15.{index}"] = ("66", str(mbps))
    rows[f"{IF}.7.{index}"] = ("2", "1" if used or port in spec.down else "2")
    rows[f"{IF}.8.{index}"] = ("2", "2" if down else "1")
    rows[f"{IF}.6.{index}"] = ("4x", mac(spec, port))
    if f"{DOT3}.19.{index}" in rows or spec.kind in ("core", "access"):
        rows[f"{DOT3}.19.{index}"] = ("2", "1" if down else "2" if port in spec.half else "3")
    in_err, out_err, fcs, align = spec.errors.get(port, (0, 0, 0, 0))
    for oid, value in ((f"{IF}.14", in_err), (f"{IF}.20", out_err), (f"{DOT3}.3", fcs),
                       (f"{DOT3}.2", align), (f"{IF}.13", 0), (f"{DOT3}.13", 0),
                       (f"{DOT3}.18", 0)):
        if f"{oid}.{index}" in rows or oid.startswith(DOT3):
            rows[f"{oid}.{index}"] = ("65", str(value))
    rates: dict[str, int] = {}
    if port in spec.crc_growing:  # ~5000 FCS errors per million packets, 500-byte frames
        rates = {f"{IF}.14": 50, f"{DOT3}.3": 50, f"{IF}.11": 10_000, f"{IFX}.7": 10_000,
                 f"{IF}.10": 5_000_000, f"{IFX}.6": 5_000_000}
    if port in spec.saturated:  # 1000-byte frames
        octets = spec.saturated[port] * 1_000_000 // 8
        rates = {f"{IF}.10": octets, f"{IFX}.6": octets, f"{IF}.11": octets // 1000,
                 f"{IFX}.7": octets // 1000}
    for oid, rate in rates.items():
        tag, start = rows.get(f"{oid}.{index}", ("70" if oid.startswith(IFX) else "65", "0"))
        rows[f"{oid}.{index}"] = growing(tag.split(":")[0], rate, start)


def ports(spec: Spec, rows: dict[str, tuple[str, str]]) -> list[int]:
    """Shape the device's ports; returns the physical port numbers."""
    if spec.kind == "core":
        numbers, nominal = list(range(1, 13)), 1000
        for p in numbers:
            rows[f"{IF}.2.{if_index(spec, p)}"] = text(f"GigabitEthernet1/0/{p}")
            rows[f"{IFX}.1.{if_index(spec, p)}"] = text(f"Gi1/0/{p}")
    elif spec.kind == "access":
        numbers, nominal = list(range(1, 27)), 100
        for p in numbers:
            rows[f"{IF}.2.{p}"] = text(f"D-Link DES-3200-26 R4.04.004 Port {p}")
            rows[f"{IF}.3.{p}"] = ("2", "6")
        rows["1.3.6.1.2.1.2.1.0"] = ("2", str(len([o for o in rows if o.startswith(f"{IF}.1.")])))
        rows["1.3.6.1.2.1.17.1.2.0"] = ("2", "26")
    elif spec.kind == "router":
        numbers, nominal = [4, WAN], 1000
    else:
        numbers, nominal = [1], 1000
        ap_interfaces(spec, rows)
    for p in numbers:
        set_port(spec, rows, p, 1000 if spec.kind == "access" and p >= 25 else nominal)
    return numbers


def ap_interfaces(spec: Spec, rows: dict[str, tuple[str, str]]) -> None:
    """Linux AP: lo, eth0 and two radios (ifType ieee80211) replace ens32-ens41."""
    for oid in [o for o in rows if o.startswith((f"{IF}.", f"{IFX}."))]:
        if int(oid.rsplit(".", 1)[1]) > 4:
            del rows[oid]
    for index, name in ((2, "eth0"), (3, "wifi0"), (4, "wifi1")):
        rows[f"{IF}.2.{index}"] = text(name)
        rows[f"{IFX}.1.{index}"] = text(name)
        rows[f"{IF}.3.{index}"] = ("2", "6" if index == 2 else "71")
    for index in (3, 4):
        rows[f"{IF}.6.{index}"] = ("4x", mac(spec, index + 8))
    rows["1.3.6.1.2.1.2.1.0"] = ("2", "4")


def lldp(spec: Spec, rows: dict[str, tuple[str, str]], numbers: list[int]) -> None:
    descr = DESCR[spec.kind] or "Cisco IOS Software, C3750"
    lldp_local(rows, mac(spec), spec.name, descr, CAPS[spec.kind],
               {if_index(spec, p): port_name(spec, p) for p in numbers})
    for port, (peer_name, peer_port) in spec.links.items():
        peer = BY_NAME[peer_name]
        lldp_remote(rows, if_index(spec, port), (
            mac(peer), port_name(peer, peer_port), port_name(peer, peer_port), peer.name,
            DESCR[peer.kind] or "Cisco IOS Software, C3750", CAPS[peer.kind]))
        rows[f"{IFX}.18.{if_index(spec, port)}"] = text(f"Uplink {peer.name}")  # ifAlias
        # lldpRemManAddrTable: the peer's management address (IPv4), on its management ifIndex
        idx = f"0.{if_index(spec, port)}.1.1.4.{ip_oid(peer.host)}"
        rows[f"1.0.8802.1.1.2.1.4.2.1.3.{idx}"] = ("2", "2")  # ifIndex
        rows[f"1.0.8802.1.1.2.1.4.2.1.4.{idx}"] = ("2", str(MGMT[peer.kind]))


def fdb(spec: Spec, rows: dict[str, tuple[str, str]]) -> None:
    """Learnt MACs: each peer's chassis (and everything behind it) on its link, the hosts on
    edge ports, an AP's clients on the port facing it."""
    entries = [(m, p) for m, p in endpoints(spec) if p]
    for port, (peer_name, _) in spec.links.items():
        peer = BY_NAME[peer_name]
        entries.append((mac(peer), port))
        if peer.kind == "ap":
            entries += [(m, port) for m, _ in endpoints(peer)]
    for address, port in entries:
        idx = ".".join(str(int(address[i:i + 2], 16)) for i in range(0, 12, 2))
        base_port = if_index(spec, port) - 10100 if spec.kind == "core" else port
        rows[f"{FDB}.1.{idx}"] = ("4x", address)
        rows[f"{FDB}.2.{idx}"] = ("2", str(base_port))
        rows[f"{FDB}.3.{idx}"] = ("2", "3")
        rows[f"{QFDB}.2.1.{idx}"] = ("2", str(base_port))
        rows[f"{QFDB}.3.1.{idx}"] = ("2", "3")


def arp(spec: Spec, rows: dict[str, tuple[str, str]]) -> None:
    """The router's ipNetToMediaTable: every endpoint of its site on the LAN interface."""
    site = [e for s in SITES if s.site == spec.site for e, _ in endpoints(s)]
    site += [mac(s) for s in SITES if s.site == spec.site and s is not spec and s.served]
    for i, address in enumerate(site):
        ip = f"127.{BLOCK}.{spec.site}.{100 + i}"
        idx = f"4.{ip_oid(ip)}"
        rows[f"1.3.6.1.2.1.4.22.1.1.{idx}"] = ("2", "4")
        rows[f"1.3.6.1.2.1.4.22.1.2.{idx}"] = ("4x", address)
        rows[f"1.3.6.1.2.1.4.22.1.3.{idx}"] = ("64", ip)
        rows[f"1.3.6.1.2.1.4.22.1.4.{idx}"] = ("2", "3")


def derive(spec: Spec) -> dict[str, tuple[str, str]]:
    """The recording of one device."""
    source = read(SOURCE[spec.kind])
    if spec.kind == "access":
        rows = expand_ports([r for r in source if not r[0].startswith(DROP)])
    else:
        rows = {oid: (tag, value) for oid, tag, value in source if not oid.startswith(DROP)}
    if DESCR[spec.kind]:
        rows["1.3.6.1.2.1.1.1.0"] = text(DESCR[spec.kind] or "")
    rows["1.3.6.1.2.1.1.4.0"] = text(CONTACT)
    rows["1.3.6.1.2.1.1.5.0"] = text(spec.name)
    rows["1.3.6.1.2.1.1.6.0"] = text(spec.location)
    if spec.saturated or spec.crc_growing:  # counter deltas need a running time base
        rows[SYS_UPTIME] = growing("67", 100, rows[SYS_UPTIME][1])
    numbers = ports(spec, rows)
    addresses(spec, rows)
    lldp(spec, rows, numbers)
    if spec.kind in ("core", "access"):
        fdb(spec, rows)
    if spec.kind == "router":
        arp(spec, rows)
    return rows


def main() -> None:
    for spec in SITES:
        if spec.served:
            write(spec.file, derive(spec))


if __name__ == "__main__":
    main()
