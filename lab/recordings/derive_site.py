"""Derive the site lab's old switch recording from a real one. Re-runnable and deterministic.

    .venv/bin/python -m lab.recordings.derive_site

Input (in this folder, from snmpsim-data-lextudio 1.0.0): ``cisco-c3750.snmprec.bz2``. Output:
``site-old-switch.snmprec.bz2``, the legacy gigabit switch ``old`` of the site lab (lab/site/),
served by snmpsim on 10.X.1.6 in its own namespace. Its defects (SOURCES.md repeats the table):

| ifIndex | ifName   | oper | defect                                                        |
|---------|----------|------|---------------------------------------------------------------|
| 10107   | Gi1/0/7  | up   | gigabit port at 100 Mb/s (ifSpeed 100000000, ifHighSpeed 100) |
| 10109   | Gi1/0/9  | up   | 1000 Mb/s but dot3StatsDuplexStatus halfDuplex(2)             |
| 10112   | Gi1/0/12 | up   | ifInErrors, dot3StatsFCSErrors grow 50/s while ifInUcastPkts  |
|         |          |      | and ifHCInUcastPkts grow 10000/s (~5000 per million packets)  |
| 10101   | Gi1/0/1  | up   | the uplink (ifAlias "Uplink to core"): ifHCInOctets grows     |
|         |          |      | 112.5 MB/s = 900 Mb/s on a gigabit port (90% load inbound)    |

(ifDescr is ``GigabitEthernet1/0/N``, ifName ``Gi1/0/N`` as on a real Catalyst.)
Up ports 10106, 10111 are healthy (static counters, zero errors); 10102-10105, 10108, 10110
are admin up / oper down. sysUpTime grows (100 ticks/s) so counter deltas have a time base.
"""

from __future__ import annotations

from lab.recordings.snmprec import read, text, write

SOURCE = "cisco-c3750.snmprec.bz2"
TARGET = "site-old-switch.snmprec.bz2"

IF = "1.3.6.1.2.1.2.2.1"
IFX = "1.3.6.1.2.1.31.1.1.1"
DOT3 = "1.3.6.1.2.1.10.7.2.1"
LLDP_LOC = "1.0.8802.1.1.2.1.3"
SYS_UPTIME = "1.3.6.1.2.1.1.3.0"

# Dropped: addresses and neighbours of the network the source was recorded in (ipAddrTable and
# the ARP cache name foreign hosts, the CDP cache foreign switches). lab/site/services.py adds the
# lab's own ipAddrTable row (10.X.1.6 on Vlan1) when it starts the switch.
DROP = ("1.3.6.1.2.1.4.20.1.", "1.3.6.1.2.1.4.22.1.", "1.3.6.1.4.1.9.9.23.1.2.1.")

GIG_PORTS = range(10101, 10113)  # GigabitEthernet1/0/1 .. 1/0/12
SLOW_PORT = 10107  # up at 100 Mb/s
HALF_DUPLEX_PORT = 10109  # up at 1000, half duplex
ERROR_PORT = 10112  # FCS errors growing
UPLINK_PORT = 10101  # loaded at 90% inbound

SYS_NAME = "old"
SYS_LOCATION = "Phòng máy tầng 1, tủ mạng cũ"
SYS_CONTACT = "Tổ Công nghệ thông tin"

# snmpsim `numeric` variation (value = initial + rate * seconds since snmpsim started; Counter32
# values wrap at 2^32 like a real counter). Initial values are the recording's own.
FCS_PER_S = 50
UCAST_PER_S = 10_000
OCTETS_PER_S = 5_000_000  # 500-byte average frames: 40 Mb/s on a gigabit port
UPLINK_OCTETS_PER_S = 112_500_000  # 900 Mb/s
UPLINK_UCAST_PER_S = 112_500  # 1000-byte average frames


def growing(tag: str, rate: int, initial: str) -> tuple[str, str]:
    """A counter that grows ``rate`` per second from ``initial`` (snmpsim numeric module)."""
    wrap = ",wrap=1" if tag in ("65", "67") else ""
    return f"{tag}:numeric", f"rate={rate},initial={int(initial)}{wrap}"


def gig_ports(rows: dict[str, tuple[str, str]]) -> None:
    """Every Gi port: ifDescr GigabitEthernet1/0/N, 1000 Mb/s unless it is the slow port;
    duplex full on up ports (half on the half-duplex port)."""
    for index in GIG_PORTS:
        n = index - 10100
        rows[f"{IF}.2.{index}"] = text(f"GigabitEthernet1/0/{n}")
        rows[f"{IFX}.1.{index}"] = text(f"Gi1/0/{n}")
        mbps = 100 if index == SLOW_PORT else 1000
        rows[f"{IF}.5.{index}"] = ("66", str(mbps * 1_000_000))
        rows[f"{IFX}.15.{index}"] = ("66", str(mbps))
        up = rows[f"{IF}.8.{index}"][1] == "1"
        duplex = ("2" if index == HALF_DUPLEX_PORT else "3") if up else "1"
        rows[f"{DOT3}.19.{index}"] = ("2", duplex)
        if up and index != ERROR_PORT:  # healthy ports: no error history either
            for column in (f"{IF}.13", f"{IF}.14", f"{DOT3}.2", f"{DOT3}.3", f"{DOT3}.13",
                           f"{DOT3}.18"):
                if f"{column}.{index}" in rows:
                    rows[f"{column}.{index}"] = ("65", "0")


def error_port(rows: dict[str, tuple[str, str]]) -> None:
    """The port whose FCS errors grow with its traffic (about 5000 per million packets)."""
    p = ERROR_PORT
    for oid, rate in ((f"{IF}.14.{p}", FCS_PER_S), (f"{DOT3}.3.{p}", FCS_PER_S),
                      (f"{IF}.11.{p}", UCAST_PER_S), (f"{IFX}.7.{p}", UCAST_PER_S),
                      (f"{IF}.10.{p}", OCTETS_PER_S), (f"{IFX}.6.{p}", OCTETS_PER_S)):
        tag, value = rows[oid]
        rows[oid] = growing(tag, rate, value)


def uplink_port(rows: dict[str, tuple[str, str]]) -> None:
    """The uplink towards the core, 90% loaded inbound (error-free). The 32-bit ifInOctets grows
    at the same rate and wraps every 38 s, as on a real gigabit port."""
    p = UPLINK_PORT
    rows[f"{IFX}.18.{p}"] = text("Uplink to core")
    for oid, rate in ((f"{IF}.10.{p}", UPLINK_OCTETS_PER_S), (f"{IFX}.6.{p}", UPLINK_OCTETS_PER_S),
                      (f"{IF}.11.{p}", UPLINK_UCAST_PER_S), (f"{IFX}.7.{p}", UPLINK_UCAST_PER_S)):
        tag, value = rows[oid]
        rows[oid] = growing(tag, rate, value)


def identity(rows: dict[str, tuple[str, str]]) -> None:
    """sysName/sysLocation/sysContact (and lldpLocSysName), a running sysUpTime."""
    rows["1.3.6.1.2.1.1.4.0"] = text(SYS_CONTACT)
    rows["1.3.6.1.2.1.1.5.0"] = text(SYS_NAME)
    rows["1.3.6.1.2.1.1.6.0"] = text(SYS_LOCATION)
    rows[f"{LLDP_LOC}.3.0"] = text(SYS_NAME)
    rows[SYS_UPTIME] = growing("67", 100, rows[SYS_UPTIME][1])


def derive_old_switch() -> None:
    """site-old-switch.snmprec.bz2 from cisco-c3750.snmprec.bz2."""
    rows = {oid: (tag, value) for oid, tag, value in read(SOURCE) if not oid.startswith(DROP)}
    identity(rows)
    gig_ports(rows)
    error_port(rows)
    uplink_port(rows)
    write(TARGET, rows)


if __name__ == "__main__":
    derive_old_switch()
