"""Edge cases of the pure parsers that the recorded devices do not show."""

from __future__ import annotations

from infraaudit.probes.snmp import interfaces, ip


def test_speed_prefers_exact_if_speed_below_the_counter_limit() -> None:
    walked = {"ifDescr": {"1": b"t1", "2": b"10g", "3": b"down"},
              "ifSpeed": {"1": 1_544_000, "2": 4_294_967_295, "3": 0},
              "ifHighSpeed": {"1": 2, "2": 10_000, "3": 0}}
    ports = interfaces.parse(walked).ports  # type: ignore[arg-type]
    assert [p.speed_mbps for p in ports] == [1.544, 10_000.0, 0.0]


def test_odd_netmasks_keep_the_address() -> None:
    walked = {"ipAdEntIfIndex": {"10.0.0.1": 1, "10.0.1.1": 2, "10.0.2.1": 3},
              "ipAdEntNetMask": {"10.0.0.1": "255.255.255.0", "10.0.1.1": "255.0.255.0",
                                 "10.0.2.1": "0.0.0.255"}}
    found = {a.address: a.prefix_length for a in ip.parse(walked).addresses}  # type: ignore[arg-type]
    assert found == {"10.0.0.1": 24, "10.0.1.1": None, "10.0.2.1": None}
