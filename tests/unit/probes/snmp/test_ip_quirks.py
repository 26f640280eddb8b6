"""IP-MIB tables with vendors' index quirks: one odd row skips that row, never the table."""

from __future__ import annotations

from infraaudit.probes.snmp import ip


def addresses(walked: dict[str, dict[str, object]]) -> list[tuple[str, int | None, int | None]]:
    return [(a.address, a.prefix_length, a.if_index)
            for a in ip.parse(walked).addresses]  # type: ignore[arg-type]


def test_trailing_extra_index_element() -> None:
    """The same last arc on every 5-arc row: it is the extra element (a VDOM-like number)."""
    walked = {"ipAdEntIfIndex": {"10.0.0.1.3": 5, "192.168.1.1.3": 6},
              "ipAdEntNetMask": {"10.0.0.1.3": "255.255.255.0", "192.168.1.1.3": "255.255.0.0"}}
    assert addresses(walked) == [("10.0.0.1", 24, 5), ("192.168.1.1", 16, 6)]


def test_leading_extra_index_element() -> None:
    walked = {"ipAdEntIfIndex": {"1.10.1.123.240": 31, "1.127.0.0.1": 31}}
    assert [a for a, _, _ in addresses(walked)] == ["10.1.123.240", "127.0.0.1"]


def test_an_odd_row_is_skipped_alone() -> None:
    walked = {"ipAdEntIfIndex": {"7": 3, "10.0.0.1": 1, "10.0.0.2.1.2.3": 2, "0.0.0.0": 4},
              "ipAdEntNetMask": {"10.0.0.1": "255.255.255.252"},
              "ipAddressIfIndex": {"1.4.10.0.0.9": 1, "9.4.1.2.3.4": 2},
              "ipAddressPrefix": {"1.4.10.0.0.9": "1.3.6.1.2.1.4.32.1.5.1.1.4.10.0.0.0.x"}}
    got = addresses(walked)
    assert ("10.0.0.9", None, 1) in got  # a prefix pointer it cannot read: prefix unknown
    assert [a for a, _, _ in got] == ["10.0.0.9"]  # IPv4 from ipAddressTable wins


def test_address_from_ip_ad_ent_addr_value() -> None:
    walked = {"ipAdEntIfIndex": {"1": 2}, "ipAdEntAddr": {"1": "60.1.254.225"},
              "ipAdEntNetMask": {"1": "255.255.255.0"}}
    assert addresses(walked) == [("60.1.254.225", 24, 2)]
