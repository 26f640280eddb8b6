"""The IANAifType registry as data: the types the recordings showed unnamed get their names."""

from __future__ import annotations

from infraaudit.probes.snmp import interfaces


def test_registry_names_the_types_seen_as_numbers() -> None:
    types = interfaces.if_types()
    assert {7: "iso88023Csmacd", 31: "sip", 33: "rs232", 54: "propMultiplexor",
            108: "pppMultilinkBundle", 160: "usb", 250: "gpon"}.items() <= types.items()
    assert types[6] == "ethernetCsmacd" and types[24] == "softwareLoopback"
    assert len(set(types.values())) == len(types)  # a name is assigned once
    assert 273 not in types and set(range(1, 273)) <= set(types)


def test_an_unassigned_number_stays_visible() -> None:
    walked = {"ifDescr": {"1": b"x", "2": b"y"}, "ifType": {"1": 0, "2": 250}}
    ports = interfaces.parse(walked).ports
    assert [p.type for p in ports] == ["iftype-0", "gpon"]
