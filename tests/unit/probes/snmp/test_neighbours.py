"""The ARP/ND parser on rows real agents send: odd indexes, invalid rows, three tables joined."""

from __future__ import annotations

from infraaudit.probes.snmp.neighbours import MEDIA_SOURCE, PHYSICAL_SOURCE, parse

MAC_A = bytes.fromhex("001122334455")
MAC_B = bytes.fromhex("0a1b2c3d4e5f")


def test_the_newer_table_wins_and_the_older_one_fills_what_it_lacks() -> None:
    walked = {
        "ipNetToPhysicalPhysAddress": {"7.1.4.10.0.0.5": MAC_A},
        "ipNetToPhysicalType": {"7.1.4.10.0.0.5": 4},
        "ipNetToMediaPhysAddress": {"7.10.0.0.5": MAC_A, "7.10.0.0.6": MAC_B},
        "ipNetToMediaType": {"7.10.0.0.5": 3, "7.10.0.0.6": 3},
    }
    rows = parse(walked).neighbours
    assert [(r.ip, r.mac, r.state, r.source) for r in rows] == [
        ("10.0.0.5", "00:11:22:33:44:55", "static", PHYSICAL_SOURCE),
        ("10.0.0.6", "0a:1b:2c:3d:4e:5f", "dynamic", MEDIA_SOURCE)]
    assert all(r.if_index == 7 for r in rows)


def test_odd_rows_cost_only_themselves() -> None:
    walked = {
        "ipNetToPhysicalPhysAddress": {
            "3.2.16." + ".".join(["254", "128"] + ["0"] * 13 + ["1"]): MAC_A,  # fe80::1
            "3.9.4.10.0.0.9": MAC_B,          # unknown address type
            "3.1.4.10.0.0.10": b"\x00" * 6,   # incomplete entry
            "3.1.4.10.0.0.11": MAC_B[:4],     # not a MAC
            "3.1.4.10.0.0.12": MAC_B,         # invalid (type 2)
            "3.1.4.224.0.0.251": bytes.fromhex("01005e0000fb"),  # multicast
            "3.1.10.0.0.13": MAC_B,           # no length arc (some agents)
        },
        "ipNetToPhysicalType": {"3.1.4.10.0.0.12": 2},
        "ipNetToMediaPhysAddress": {"3.300.0.0.1": MAC_A, "3.10.0": MAC_A},
    }
    rows = parse(walked).neighbours
    assert [(r.ip, r.family.value) for r in rows] == [("10.0.0.13", "ipv4"),
                                                       ("fe80::1", "ipv6")]


def test_ipv6_mib_rows_and_their_valid_flag() -> None:
    addr = ".".join(["253", "0"] + ["0"] * 13 + ["9"])
    walked = {
        "ipv6NetToMediaPhysAddress": {f"4.{addr}": MAC_A, f"5.{addr}": MAC_B},
        "ipv6NetToMediaType": {f"4.{addr}": 2, f"5.{addr}": 3},
        "ipv6NetToMediaValid": {f"5.{addr}": 2},
    }
    (row,) = parse(walked).neighbours
    assert (row.ip, row.if_index, row.state) == ("fd00::9", 4, "dynamic")
