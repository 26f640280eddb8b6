"""Derive the lab's two agency-like recordings from real ones. Re-runnable and deterministic.

    .venv/bin/python -m lab.recordings.derive_agency

Inputs (in this folder, from snmpsim-data-lextudio 1.0.0): ``dlink-des3200.snmprec.bz2`` and
``vyatta-unknown.snmprec.bz2``. Outputs: ``agency-access-switch.snmprec.bz2`` (a worn 24-port
access switch, sysName sw-tang2-p201) and ``agency-branch-router.snmprec.bz2`` (rt-chinhanh-01).
Every fault below is a plain value in the output file, so tests can read the ground truth from
the recording itself; SOURCES.md repeats the table.
"""

from __future__ import annotations

import random

from lab.recordings.snmprec import read, text, write

IF = "1.3.6.1.2.1.2.2.1"
IFX = "1.3.6.1.2.1.31.1.1.1"
DOT3 = "1.3.6.1.2.1.10.7.2.1"
LLDP_LOC = "1.0.8802.1.1.2.1.3"
LLDP_REM = "1.0.8802.1.1.2.1.4.1.1"
FDB = "1.3.6.1.2.1.17.4.3.1"
QFDB = "1.3.6.1.2.1.17.7.1.2.2.1"

# Tables indexed by the port number alone (last sub-identifier) that get 26 rows.
PORT_TABLES = (IF, IFX, DOT3, "1.3.6.1.2.1.17.1.4.1", "1.3.6.1.2.1.17.2.15.1",
               "1.3.6.1.2.1.17.4.4.1")
# Columns whose value is the port number itself (index columns, ifName, dot1dBasePortIfIndex).
INDEX_COLUMNS = (f"{IF}.1", f"{IFX}.1", f"{DOT3}.1", "1.3.6.1.2.1.17.1.4.1.1",
                 "1.3.6.1.2.1.17.1.4.1.2", "1.3.6.1.2.1.17.2.15.1.1", "1.3.6.1.2.1.17.4.4.1.1")
DROP = (FDB + ".", QFDB + ".")

SWITCH_NAME = "sw-tang2-p201"
SWITCH_LOCATION = "Tầng 2, phòng 201, trụ sở Sở Khoa học và Công nghệ, Thành phố Huế"
SWITCH_MAC = "9cd643fce2c0"  # the source's own base MAC
ROUTER_NAME = "rt-chinhanh-01"
ROUTER_LOCATION = "Phòng máy chủ tầng 1, chi nhánh Phú Lộc"
ROUTER_LAN_IFINDEX, ROUTER_LAN_MAC, ROUTER_LAN_NAME = 4, "000bab57b9ae", "eth1"

# The switch's faults, by port (1..24 Fast Ethernet copper, 25-26 gigabit uplinks).
OPER_DOWN = (5, 9, 14, 22)  # admin up, oper down: broken cable / dead port
ADMIN_DOWN = (19, 20)  # disabled by the operator
SPEED_MBPS = {3: 10, 7: 10, 11: 100, 25: 100}  # 25: gigabit uplink negotiated at 100
HALF_DUPLEX = (3, 7, 11)
ERRORS = {  # port: (ifInErrors, ifOutErrors, dot3StatsFCSErrors, dot3StatsAlignmentErrors)
    3: (48213, 1207, 46877, 1336), 7: (9152, 311, 8890, 262),
    11: (1534, 97, 1490, 44), 25: (377, 12, 360, 17),
}
LLDP_NEIGHBOURS = {  # local port: (chassis MAC, port id, port desc, sysName, sysDescr, caps)
    25: (ROUTER_LAN_MAC, ROUTER_LAN_NAME, "LAN chi nhanh", ROUTER_NAME, "Vyatta", "28"),
    26: ("1c7ee5a10301", "25", "D-Link DES-3200-28 Port 25", "sw-tang3-p301",
         "DES-3200-28 Fast Ethernet Switch", "20"),
}


def source_port(port: int) -> int:
    """Which DES-3200-18 port a new port copies: 1-24 from copper 1-16, 25-26 from combo 17-18."""
    return 17 + (port - 25) if port >= 25 else (port - 1) % 16 + 1


def expand_ports(records: list[tuple[str, str, str]]) -> dict[str, tuple[str, str]]:
    """Copy the source's 18 port rows into 26 ports; drop FDB tables (rebuilt later)."""
    rows: dict[str, tuple[str, str]] = {}
    per_port: dict[tuple[str, int], tuple[str, str]] = {}
    for oid, tag, value in records:
        if oid.startswith(DROP) or tag in ("2:numeric", "4:writecache"):
            continue
        table = next((t for t in PORT_TABLES if oid.startswith(t + ".")), None)
        column, _, last = oid.rpartition(".")
        if table and column.count(".") == table.count(".") + 1 and 1 <= int(last) <= 18:
            per_port[(column, int(last))] = (tag, value)
        else:
            rows[oid] = (tag, value)
    for column in {c for c, _ in per_port}:
        for port in range(1, 27):
            tag, value = per_port[(column, source_port(port))]
            if column in INDEX_COLUMNS:
                value = str(port)
            rows[f"{column}.{port}"] = (tag, value)
    return rows


def port_faults(rows: dict[str, tuple[str, str]]) -> None:
    """Apply the fault table: status, speed, duplex, error counters, ifDescr."""
    for port in range(1, 27):
        gig = port >= 25
        down = port in OPER_DOWN or port in ADMIN_DOWN
        mbps = 0 if down else SPEED_MBPS.get(port, 1000 if gig else 100)
        rows[f"{IF}.2.{port}"] = text(f"D-Link DES-3200-26 R4.04.004 Port {port}")
        rows[f"{IF}.3.{port}"] = ("2", "6")  # ethernetCsmacd
        rows[f"{IF}.5.{port}"] = ("66", str(mbps * 1_000_000))
        rows[f"{IFX}.15.{port}"] = ("66", str(mbps))
        rows[f"{IF}.7.{port}"] = ("2", "2" if port in ADMIN_DOWN else "1")
        rows[f"{IF}.8.{port}"] = ("2", "2" if down else "1")
        duplex = "1" if down else ("2" if port in HALF_DUPLEX else "3")
        rows[f"{DOT3}.19.{port}"] = ("2", duplex)
        in_err, out_err, fcs, align = ERRORS.get(port, (0, 0, 0, 0))
        rows[f"{IF}.14.{port}"] = ("65", str(in_err))
        rows[f"{IF}.20.{port}"] = ("65", str(out_err))
        rows[f"{DOT3}.3.{port}"] = ("65", str(fcs))
        rows[f"{DOT3}.2.{port}"] = ("65", str(align))
    rows["1.3.6.1.2.1.2.1.0"] = ("2", str(len([o for o in rows if o.startswith(f"{IF}.1.")])))
    rows["1.3.6.1.2.1.17.1.2.0"] = ("2", "26")  # dot1dBaseNumPorts


def lldp_local(rows: dict[str, tuple[str, str]], mac: str, name: str, descr: str,
               caps: str, ports: dict[int, str]) -> None:
    """lldpLocalSystemData and lldpLocPortTable (port id subtype local(7))."""
    rows[f"{LLDP_LOC}.1.0"] = ("2", "4")
    rows[f"{LLDP_LOC}.2.0"] = ("4x", mac)
    rows[f"{LLDP_LOC}.3.0"] = text(name)
    rows[f"{LLDP_LOC}.4.0"] = text(descr)
    rows[f"{LLDP_LOC}.5.0"] = ("4x", caps)
    rows[f"{LLDP_LOC}.6.0"] = ("4x", caps)
    for port, port_id in ports.items():
        rows[f"{LLDP_LOC}.7.1.2.{port}"] = ("2", "7")
        rows[f"{LLDP_LOC}.7.1.3.{port}"] = text(port_id)


def lldp_remote(rows: dict[str, tuple[str, str]], local_port: int,
                neighbour: tuple[str, str, str, str, str, str]) -> None:
    """One lldpRemTable row: timeMark 0, remIndex 1; chassis = MAC, port id = ifName."""
    mac, port_id, port_desc, name, descr, caps = neighbour
    idx = f"0.{local_port}.1"
    rows[f"{LLDP_REM}.4.{idx}"] = ("2", "4")  # macAddress
    rows[f"{LLDP_REM}.5.{idx}"] = ("4x", mac)
    rows[f"{LLDP_REM}.6.{idx}"] = ("2", "5")  # interfaceName
    rows[f"{LLDP_REM}.7.{idx}"] = text(port_id)
    rows[f"{LLDP_REM}.8.{idx}"] = text(port_desc)
    rows[f"{LLDP_REM}.9.{idx}"] = text(name)
    rows[f"{LLDP_REM}.10.{idx}"] = text(descr)
    rows[f"{LLDP_REM}.11.{idx}"] = ("4x", caps)
    rows[f"{LLDP_REM}.12.{idx}"] = ("4x", caps)


def fdb(rows: dict[str, tuple[str, str]]) -> None:
    """dot1dTpFdbTable + dot1qTpFdbTable (VLAN 1): 2 hosts per up access port, 9 on uplink 25."""
    rng = random.Random(201)
    entries: list[tuple[str, int]] = []
    for port in range(1, 25):
        if port not in OPER_DOWN and port not in ADMIN_DOWN:
            entries += [(f"00{rng.randrange(16**10):010x}", port) for _ in range(2)]
    entries.append((ROUTER_LAN_MAC, 25))
    entries += [(f"00{rng.randrange(16**10):010x}", 25) for _ in range(8)]
    entries.append((LLDP_NEIGHBOURS[26][0], 26))
    for mac, port in entries:
        idx = ".".join(str(int(mac[i:i + 2], 16)) for i in range(0, 12, 2))
        rows[f"{FDB}.1.{idx}"] = ("4x", mac)
        rows[f"{FDB}.2.{idx}"] = ("2", str(port))
        rows[f"{FDB}.3.{idx}"] = ("2", "3")  # learned
        rows[f"{QFDB}.2.1.{idx}"] = ("2", str(port))
        rows[f"{QFDB}.3.1.{idx}"] = ("2", "3")


def derive_switch() -> None:
    """agency-access-switch.snmprec.bz2 from dlink-des3200.snmprec.bz2."""
    rows = expand_ports(read("dlink-des3200.snmprec.bz2"))
    rows["1.3.6.1.2.1.1.1.0"] = text("DES-3200-26 Fast Ethernet Switch")
    rows["1.3.6.1.2.1.1.4.0"] = text("Tổ Công nghệ thông tin")
    rows["1.3.6.1.2.1.1.5.0"] = text(SWITCH_NAME)
    rows["1.3.6.1.2.1.1.6.0"] = text(SWITCH_LOCATION)
    port_faults(rows)
    lldp_local(rows, SWITCH_MAC, SWITCH_NAME, "DES-3200-26 Fast Ethernet Switch", "20",
               {p: str(p) for p in range(1, 27)})
    for port, neighbour in LLDP_NEIGHBOURS.items():
        lldp_remote(rows, port, neighbour)
    fdb(rows)
    write("agency-access-switch.snmprec.bz2", rows)


def derive_router() -> None:
    """agency-branch-router.snmprec.bz2 from vyatta-unknown.snmprec.bz2."""
    rows = {oid: (tag, value) for oid, tag, value in read("vyatta-unknown.snmprec.bz2")}
    rows["1.3.6.1.2.1.1.4.0"] = text("Tổ Công nghệ thông tin")
    rows["1.3.6.1.2.1.1.5.0"] = text(ROUTER_NAME)
    rows["1.3.6.1.2.1.1.6.0"] = text(ROUTER_LOCATION)
    lan = ROUTER_LAN_IFINDEX
    rows[f"{IF}.5.{lan}"] = ("66", "100000000")  # the LAN link runs at 100 (switch port 25)
    rows[f"{IFX}.15.{lan}"] = ("66", "100")
    lldp_local(rows, ROUTER_LAN_MAC, ROUTER_NAME, "Vyatta", "08", {lan: ROUTER_LAN_NAME})
    lldp_remote(rows, lan, (SWITCH_MAC, "25", "D-Link DES-3200-26 R4.04.004 Port 25",
                            SWITCH_NAME, "DES-3200-26 Fast Ethernet Switch", "20"))
    write("agency-branch-router.snmprec.bz2", rows)


if __name__ == "__main__":
    derive_switch()
    derive_router()
