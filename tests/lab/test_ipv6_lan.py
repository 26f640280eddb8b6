"""IPv6 on the LAN, end to end (root only): what the ``segment`` probe finds on each segment of
the IPv6 LAN lab (tests/lab/ipv6lab.py): radvd's RA, dnsmasq's DHCPv6 Advertise, the hosts, and
a segment with no router at all. Also the recorder of the frames the unit tests parse."""

from __future__ import annotations

import ipaddress
import json
import os
from pathlib import Path

import pytest

from infraaudit.models.ipv6 import RaPrefix, SegmentIpv6
from tests.lab.ipv6lab import (
    H1,
    H2,
    MARKS,
    PROBE,
    ROUTER,
    SERVER,
    TIMEOUT_S,
    Lab6,
    Q,
    run_probe_code,
)

pytestmark = MARKS


def test_router_advert_on_segment_one(lab6: Lab6,
                                      segments: tuple[SegmentIpv6, SegmentIpv6]) -> None:
    seg = segments[0]
    assert seg.errors == [] and seg.segment == "lan1" and seg.segment_prefix == lab6.prefix
    assert seg.mac == lab6.mac(PROBE) and seg.link_local == lab6.link_local(PROBE)
    assert len(seg.ra) == 1, seg.ra
    ra = seg.ra[0]
    assert ra.source == lab6.link_local(ROUTER)
    assert ra.mac == ra.frame_mac == lab6.mac(ROUTER)
    assert (ra.managed, ra.other_config, ra.preference) == (False, True, "high")
    assert ra.router_lifetime_s == 1800 and ra.mtu == 1480
    assert ra.prefixes == [RaPrefix(prefix=lab6.prefix, on_link=True, autonomous=True,
                                    valid_lifetime_s=86400, preferred_lifetime_s=14400)]
    assert ra.rdnss == [lab6.addr("53")] and ra.rdnss_lifetime_s == 600
    assert ra.dnssl == ["lab.test"]
    # radvd answers our RS by unicast (AdvRASolicitedUnicast, default on) and multicasts every
    # 3-4 s, so a 4.5 s window holds both kinds
    assert ra.received - ra.multicast >= 1 and ra.multicast >= 1
    assert seg.ra_multicast == ra.multicast
    assert ra.first_seen_ms < 1000
    assert seg.duration_ms < TIMEOUT_S * 2 * 1000


def test_dhcpv6_advertise_on_segment_one(lab6: Lab6,
                                         segments: tuple[SegmentIpv6, SegmentIpv6]) -> None:
    seg = segments[0]
    assert len(seg.dhcpv6) == 1, seg.dhcpv6
    adv = seg.dhcpv6[0]
    assert adv.source == lab6.link_local(SERVER) and adv.mac == lab6.mac(SERVER)
    assert len(adv.addresses) == 1
    offered = ipaddress.IPv6Address(adv.addresses[0])
    assert ipaddress.IPv6Address(lab6.addr("1000")) <= offered <= ipaddress.IPv6Address(
        lab6.addr("1fff"))
    assert adv.dns_servers == [lab6.addr("53")]
    assert adv.status_code in (None, 0)
    assert adv.server_duid  # dnsmasq's DUID-LLT
    # read-only: the offer was never requested, so dnsmasq leased nothing
    leases = lab6.tmp / "dnsmasq.leases"
    assert not leases.exists() or offered.compressed not in leases.read_text()


def test_hosts_on_segment_one(lab6: Lab6, segments: tuple[SegmentIpv6, SegmentIpv6]) -> None:
    hosts = segments[0].hosts
    expected = {lab6.link_local(k): lab6.mac(k) for k in (ROUTER, SERVER, H1, H2)}
    assert hosts.error is None
    assert hosts.echo_count == len(expected) == 4
    assert {n.address: n.mac for n in hosts.echo_responders} == expected
    assert all(n.rtt_ms is not None and n.rtt_ms < 1000 for n in hosts.echo_responders)
    assert hosts.neighbour_count is not None
    assert {n.address for n in hosts.neighbours} <= set(expected)  # never the scanner itself


def test_segment_two_has_no_router(lab6: Lab6, segments: tuple[SegmentIpv6, SegmentIpv6]) -> None:
    seg = segments[1]
    assert seg.errors == [] and seg.interface == "eth1"
    assert seg.ra == [] and seg.ra_multicast == 0 and seg.dhcpv6 == []
    assert seg.hosts.echo_count == 1
    assert seg.hosts.echo_responders[0].mac == lab6.mac(Q)
    assert seg.hosts.echo_responders[0].address == lab6.link_local(Q)



CAPTURE_ENV = "INFRAAUDIT_IPV6_CAPTURE"
_CAPTURE = r"""
import json, socket, sys
from infraaudit.probes.ipv6 import dhcpv6, dns, hosts, ra
from infraaudit.probes.ipv6.link import PacketLink, exchange, interface_info

info = interface_info("eth0")
sol = dhcpv6.build_solicit(info.mac, info.link_local, trid=0x1a2b3c, iaid=0x0a0b0c0d)
echo = hosts.build_echo(info.mac, info.link_local, 0x4242, 1)
with PacketLink("eth0") as link:
    got = exchange(link, [(0.0, ra.build_rs(info.mac, info.link_local)), (0.1, sol.frame),
                          (0.2, echo)], 4.5, lambda f: True)
out = {
    "ra": [f.hex() for _, f in got if ra.looks_like_ra(f)],
    "dhcpv6_advertise": [f.hex() for _, f in got if dhcpv6.looks_like_advertise(f)],
    "echo_replies": [f.hex() for _, f in got if hosts.looks_like_echo_reply(f)],
    "dhcpv6_solicit": {"trid": sol.trid, "client_duid": sol.client_duid.hex()},
    "echo_ident": 0x4242,
    "dns": {},
}
with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as sock:
    sock.settimeout(2)
    sock.connect((sys.argv[1], 53))
    for k, (name, qtype) in enumerate([("dual.lab.test", "A"), ("dual.lab.test", "AAAA"),
                                       ("v4only.lab.test", "AAAA"), ("missing.lab.test", "A")]):
        sock.send(dns.build_query(name, qtype, 0x100 + k))
        out["dns"][f"{name} {qtype}"] = sock.recv(4096).hex()
print(json.dumps(out))
"""


@pytest.mark.skipif(not os.environ.get(CAPTURE_ENV), reason=f"set {CAPTURE_ENV}=FILE to record")
def test_capture_frames_for_unit_tests(lab6: Lab6) -> None:
    """Record the raw frames the unit tests parse (tests/unit/data/ipv6/lab_frames.json)."""
    res = run_probe_code(lab6, "p", _CAPTURE, lab6.addr("53"))
    frames = json.loads(res.stdout)
    frames["lab"] = {"prefix": lab6.prefix, "router_mac": lab6.mac(ROUTER),
                     "router_link_local": lab6.link_local(ROUTER),
                     "server_mac": lab6.mac(SERVER), "server_link_local": lab6.link_local(SERVER),
                     "scanner_mac": lab6.mac(PROBE),
                     "scanner_link_local": lab6.link_local(PROBE)}
    frames["SOURCE"] = (
        "Captured by tests/lab/test_ipv6_lan.py::test_capture_frames_for_unit_tests "
        f"({CAPTURE_ENV}=FILE), Debian 12, radvd 2.19 (MinRtrAdvInterval 3, MaxRtrAdvInterval 4, "
        "O flag, preference high, MTU 1480, RDNSS lifetime 600, DNSSL lab.test, prefix valid "
        "86400 / preferred 14400) on a Linux bridge, dnsmasq 2.90 (DHCPv6 range ::1000-::1fff, "
        "host-records dual.lab.test A+AAAA and v4only.lab.test A only, local=/lab.test/); "
        "frames read with an AF_PACKET socket (infraaudit.probes.ipv6.link.PacketLink) in the "
        "scanner namespace after one RS, one Solicit and one all-nodes echo; DNS replies over UDP.")
    Path(os.environ[CAPTURE_ENV]).write_text(json.dumps(frames, indent=1) + "\n")
