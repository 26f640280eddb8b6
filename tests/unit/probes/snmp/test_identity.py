"""Firmware and model from sysDescr per vendor family (probes/snmp/data/identity.yaml)."""

from __future__ import annotations

import asyncio

import pytest

from infraaudit.models import Device
from infraaudit.probes.snmp import system
from infraaudit.probes.snmp.device import Collected, assemble
from infraaudit.probes.snmp.identity import families, from_sys_descr
from infraaudit.probes.snmp.replay import ReplayClient
from tests.paths import REPLAY

# sysDescr strings in each vendor's documented format (typed here, not recorded), except where
# the comment names a recording of snmpsim-data-lextudio 1.0.0.
CASES = [
    ("Cisco IOS Software, C2960 Software (C2960-LANBASEK9-M), Version 12.2(55)SE7, RELEASE "
     "SOFTWARE (fc1)", "1.3.6.1.4.1.9.1.1208", "cisco-ios", "12.2(55)SE7", None),
    ("Juniper Networks, Inc. ex2200-24t-4g Ethernet Switch, kernel JUNOS 12.3R12.4, Build date: "
     "2016-01-20", "1.3.6.1.4.1.2636.1.1.1.2.43", "junos", "12.3R12.4", "ex2200-24t-4g"),
    ("S5720-36C-EI-AC \r\nHuawei Versatile Routing Platform Software \r\n VRP (R) software,"
     "Version 5.160 (S5720 V200R007C00SPC500)", "1.3.6.1.4.1.2011.2.23.276", "huawei-vrp",
     "V200R007C00SPC500", "S5720-36C-EI-AC"),  # recording network/router/huawei-s5720
    ("H3C Switch E528 Software Version 5.20, Release 1513P62", "1.3.6.1.4.1.25506.1.578",
     "h3c-comware", "5.20 1513P62", "E528"),  # recording network/switch/h3c-e528-1
    ("HP J9773A 2530-24G-PoEP Switch, revision YA.16.02.0012, ROM YA.15.20",
     "1.3.6.1.4.1.11.2.3.7.11.152", "procurve-arubaos-switch", "YA.16.02.0012", "J9773A"),
    ("Aruba JL636A 6300M 48SR5 CL6 PoE 4SFP56 Swch FL.10.06.0110",
     "1.3.6.1.4.1.47196.4.1.1.1.300", "aos-cx", "FL.10.06.0110", "JL636A"),
    ("DGS-1210-28 6.10.007", "1.3.6.1.4.1.171.10.76.28.2", "dlink", "6.10.007", "DGS-1210-28"),
    ("DES-3200-18 Fast Ethernet Switch", "1.3.6.1.4.1.171.10.113.3.1", "dlink", None,
     "DES-3200-18"),  # recording network/switch/dlink-des3200
    ("RouterOS RB750Gr3", "1.3.6.1.4.1.14988.1", "mikrotik", None, "RB750Gr3"),
    ("GS724Tv4 ProSafe 24-port Gigabit Ethernet Smart Switch, 6.3.1.4, B1.0.0.4",
     "1.3.6.1.4.1.4526.100.4.33", "netgear", "6.3.1.4", "GS724Tv4"),
    ("Router Model: Vigor2925 Version: 3.8.4 English", "1.3.6.1.4.1.7367", "draytek", "3.8.4",
     "Vigor2925"),
    ("GS1900-24E", "1.3.6.1.4.1.890.1.15", "zyxel-by-number", None, "GS1900-24E"),
    ("APC Web/SNMP Management Card (MB:v4.1.0 PF:v6.7.2 PN:apc_hw05_aos_672.bin AF1:v6.7.2 "
     "AN1:apc_hw05_rpdu2g_672.bin MN:AP7902B HR:02 SN: 5A1234E12345 MD:01/01/2019)",
     "1.3.6.1.4.1.318.1.3.4.8", "apc-ups", "6.7.2", "AP7902B"),
    ("Brother NC-8300h, Firmware Ver.1.03  (15.04.07),MID 8C5-F26", "1.3.6.1.4.1.2435.2.3.9.1",
     "printer-firmware-ver", "1.03", "Brother NC-8300h"),
    ("Linux host 5.10.0 #1 SMP x86_64", "1.3.6.1.4.1.8072.3.2.10", None, None, None),
]


@pytest.mark.parametrize(("descr", "oid", "family", "firmware", "model"), CASES,
                         ids=[c[2] or "none" for c in CASES])
def test_family(descr: str, oid: str, family: str | None, firmware: str | None,
                model: str | None) -> None:
    got = from_sys_descr(descr, oid)
    assert (got.family, got.firmware, got.model) == (family, firmware, model)


def test_every_family_is_named_once() -> None:
    names = [f.name for f in families()]
    assert len(names) == len(set(names))


def test_device_without_entity_gets_firmware_from_sys_descr() -> None:
    walk = REPLAY / "system" / "juniper-mx960-12" / "walk.snmprec"
    facts = system.parse(asyncio.run(system.PROBE.collect(ReplayClient.from_file(walk))))
    device = assemble(Device(host="replay"), Collected(facts={"system": facts}))
    assert (device.firmware, device.firmware_source) == ("12.3R6.6", "sysDescr")
    assert (device.model, device.model_source) == ("mx960", "sysDescr")
