from __future__ import annotations

import pytest

from infraaudit.probes.snmp.values import bits, index_ip, mac, text


def test_text_decodes_vietnamese_utf8_and_cuts_nul() -> None:
    assert text("Phòng máy chủ tầng 2".encode() + b"\x00junk") == "Phòng máy chủ tầng 2"
    assert text(b"  ") is None and text(None) is None
    assert text(b"\xe9t\xe9") == "été"  # not UTF-8: read as Latin-1, not dropped


def test_mac() -> None:
    assert mac(bytes.fromhex("001122aabbcc")) == "00:11:22:aa:bb:cc"
    assert mac(b"") is None and mac(bytes(6)) is None and mac(b"\x01\x02") is None


@pytest.mark.parametrize(
    ("arcs", "family", "expected"),
    [
        ([4, 10, 0, 0, 1], 1, ("10.0.0.1", [])),
        ([10, 0, 0, 1], 1, ("10.0.0.1", [])),  # agents that leave out the length
        ([16, 254, 128] + [0] * 14 + [7], 2, ("fe80::", [7])),
        ([16, 254, 128] + [0] * 13 + [7], 2, ("fe80::7", [])),
        ([4, 300, 0, 0, 1], 1, None),
        ([1, 2], 1, None),
        ([4, 1, 2, 3, 4], 9, None),
    ],
)
def test_index_ip(arcs: list[int], family: int, expected: tuple[str, list[int]] | None) -> None:
    assert index_ip(arcs, family) == expected


def test_bits_msb_first() -> None:
    names = ["other", "repeater", "bridge", "wlanAccessPoint", "router"]
    assert bits(b"\x28\x00", names) == ["bridge", "router"]
    assert bits(b"\x10", names) == ["wlanAccessPoint"]
    assert bits(None, names) == []
