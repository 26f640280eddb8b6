"""The IPv6 parsers against raw frames recorded in the namespace lab.

``data/ipv6/lab_frames.json`` says in its SOURCE field how they were captured (radvd 2.19 and
dnsmasq 2.90 on Debian 12, re-recorded with ``INFRAAUDIT_IPV6_CAPTURE=FILE pytest
tests/lab/test_ipv6_lan.py -k capture``).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from scapy.layers.dhcp6 import DHCP6_Solicit, DHCP6OptIA_NA, DHCP6OptOptReq, DHCP6OptRapidCommit
from scapy.layers.inet6 import ICMPv6ND_RS, ICMPv6NDOptSrcLLAddr, IPv6
from scapy.layers.l2 import Ether

from infraaudit.models.ipv6 import RaPrefix, RouterAdvert
from infraaudit.probes.ipv6 import dhcpv6, dns, hosts, ra
from tests.paths import UNIT_DATA

DATA = json.loads((UNIT_DATA / "ipv6" / "lab_frames.json").read_text())
LAB: dict[str, Any] = DATA["lab"]
PREFIX = "fd6a:7fff:1::/64"


def frame(hex_text: str) -> bytes:
    return bytes.fromhex(hex_text)


def test_recording_is_the_documented_lab() -> None:
    assert "radvd 2.19" in DATA["SOURCE"] and "dnsmasq 2.90" in DATA["SOURCE"]
    assert LAB["prefix"] == PREFIX


def test_router_advert_unicast_answer_and_periodic_multicast() -> None:
    unicast, multicast = (ra.parse_ra(frame(f), at_ms=k * 10.0) for k, f in enumerate(DATA["ra"]))
    assert unicast is not None and multicast is not None
    assert unicast.multicast == 0 and multicast.multicast == 1
    for ad in (unicast, multicast):
        assert ad.source == LAB["router_link_local"] == "fe80::a6:7fff:feff:1"
        assert ad.mac == ad.frame_mac == LAB["router_mac"]
        assert (ad.managed, ad.other_config, ad.preference) == (False, True, "high")
        assert (ad.router_lifetime_s, ad.hop_limit, ad.mtu) == (1800, 64, 1480)
        assert (ad.reachable_time_ms, ad.retrans_timer_ms) == (0, 0)
        assert ad.prefixes == [RaPrefix(prefix=PREFIX, on_link=True, autonomous=True,
                                        valid_lifetime_s=86400, preferred_lifetime_s=14400)]
        assert ad.rdnss == ["fd6a:7fff:1::53"] and ad.rdnss_lifetime_s == 600
        assert ad.dnssl == ["lab.test"]
    (merged,) = ra.merge_adverts([unicast, multicast])
    assert (merged.received, merged.multicast, merged.first_seen_ms) == (2, 1, 0.0)
    assert merged.prefixes == unicast.prefixes and merged.rdnss == unicast.rdnss


def test_merge_keeps_routers_apart_and_unions_options() -> None:
    base = ra.parse_ra(frame(DATA["ra"][0]))
    assert base is not None
    other_prefix = RaPrefix(prefix="2001:db8:1::/64", on_link=True, autonomous=False,
                            valid_lifetime_s=10, preferred_lifetime_s=5)
    later = base.model_copy(update={"prefixes": [other_prefix], "rdnss": ["2001:db8::53"],
                                    "mtu": None, "router_lifetime_s": 0, "first_seen_ms": 99.0})
    second = base.model_copy(update={"source": "fe80::2", "mac": "02:00:00:00:00:02"})
    merged = ra.merge_adverts([base, later, second])
    assert [m.source for m in merged] == [base.source, "fe80::2"]
    first = merged[0]
    assert [p.prefix for p in first.prefixes] == [PREFIX, "2001:db8:1::/64"]
    assert first.rdnss == ["fd6a:7fff:1::53", "2001:db8::53"]
    assert first.mtu == 1480 and first.router_lifetime_s == 0  # last header wins, MTU kept
    assert (first.received, first.first_seen_ms) == (2, 0.0)


def test_invalid_router_adverts_are_ignored() -> None:
    good = frame(DATA["ra"][0])
    pkt = Ether(good)
    pkt[IPv6].hlim = 64  # forwarded by a router: RFC 4861 says drop it
    assert ra.parse_ra(bytes(pkt)) is None
    pkt = Ether(good)
    pkt[IPv6].src = "2001:db8::1"  # not link-local
    assert ra.parse_ra(bytes(pkt)) is None
    assert ra.parse_ra(good[:60]) is None
    assert ra.parse_ra(b"\x00" * 10) is None
    assert not ra.looks_like_ra(frame(DATA["dhcpv6_advertise"][0]))


def test_router_solicitation() -> None:
    with_source = Ether(ra.build_rs("02:00:00:00:00:05", "fe80::5"))
    assert with_source[Ether].dst == "33:33:00:00:00:02"
    assert (with_source[IPv6].src, with_source[IPv6].dst, with_source[IPv6].hlim) == (
        "fe80::5", "ff02::2", 255)
    assert ICMPv6ND_RS in with_source
    assert with_source[ICMPv6NDOptSrcLLAddr].lladdr == "02:00:00:00:00:05"
    unspecified = Ether(ra.build_rs("02:00:00:00:00:05", None))
    assert unspecified[IPv6].src == "::" and ICMPv6NDOptSrcLLAddr not in unspecified


def test_dhcpv6_advertise_from_dnsmasq() -> None:
    sol = DATA["dhcpv6_solicit"]
    raw = frame(DATA["dhcpv6_advertise"][0])
    assert dhcpv6.looks_like_advertise(raw)
    adv = dhcpv6.parse_advertise(raw, sol["trid"], bytes.fromhex(sol["client_duid"]), 2.5)
    assert adv is not None
    assert adv.server_duid == "00:01:00:01:32:97:85:2c:02:a6:7f:ff:00:02"  # DUID-LLT
    assert adv.source == LAB["server_link_local"] and adv.mac == LAB["server_mac"]
    assert adv.addresses == ["fd6a:7fff:1::117a"] and adv.valid_lifetime_s == 3600
    assert adv.dns_servers == ["fd6a:7fff:1::53"] and adv.domain_search == []
    assert (adv.status_code, adv.status_message, adv.preference) == (0, "success", 0)
    assert adv.first_seen_ms == 2.5
    # another transaction or another client's DUID: not ours
    assert dhcpv6.parse_advertise(raw, sol["trid"] + 1) is None
    assert dhcpv6.parse_advertise(raw, None, b"\x00\x03\x00\x01" + b"\x02" * 6) is None


def test_solicit_asks_without_committing() -> None:
    sol = dhcpv6.build_solicit("02:00:00:00:00:05", "fe80::5", trid=0x123456, iaid=7)
    pkt = Ether(sol.frame)
    assert (pkt[Ether].dst, pkt[IPv6].dst) == ("33:33:00:01:00:02", "ff02::1:2")
    assert pkt[DHCP6_Solicit].trid == 0x123456 == sol.trid
    assert pkt[DHCP6OptIA_NA].iaid == 7
    assert set(pkt[DHCP6OptOptReq].reqopts) == {23, 24}
    assert DHCP6OptRapidCommit not in pkt  # the server may only offer, never commit
    assert sol.client_duid == bytes.fromhex("00030001020000000005")  # DUID-LL


def test_echo_replies_and_responders() -> None:
    replies = [(1.0 + k, frame(f)) for k, f in enumerate(DATA["echo_replies"])]
    ident = DATA["echo_ident"]
    assert all(hosts.looks_like_echo_reply(f) for _, f in replies)
    assert hosts.parse_echo_reply(replies[0][1], ident + 1) is None
    seen = hosts.responders([*replies, replies[0]], ident, {1: 0.5})
    assert [(n.address, n.mac) for n in seen] == [
        (f"fe80::a6:7fff:feff:{k}", f"02:a6:7f:ff:00:0{k}") for k in (1, 2, 3, 4)]
    assert all(n.rtt_ms is not None and n.rtt_ms > 0 for n in seen)
    assert len(hosts.responders(replies, ident, {}, exclude={"02:a6:7f:ff:00:01"})) == 3
    assert len(hosts.responders(replies, ident, {}, exclude={"fe80::a6:7fff:feff:2"})) == 3


@pytest.mark.parametrize(("key", "rcode", "addresses"), [
    ("dual.lab.test A", "NOERROR", ("192.0.2.10",)),
    ("dual.lab.test AAAA", "NOERROR", ("fd6a:7fff:1::10",)),
    ("v4only.lab.test AAAA", "NOERROR", ()),
    ("missing.lab.test A", "NXDOMAIN", ()),
])
def test_dns_replies_from_dnsmasq(key: str, rcode: str, addresses: tuple[str, ...]) -> None:
    reply = dns.parse_reply(frame(DATA["dns"][key]))
    name, qtype = key.split()
    assert reply is not None
    assert (reply.qname, reply.qtype) == (name, dns.QTYPES[qtype])
    assert (reply.rcode, reply.addresses, reply.truncated) == (rcode, addresses, False)


def test_dns_query_and_garbage() -> None:
    query = dns.build_query("Dual.Lab.Test.", "AAAA", 0x0102)
    assert query[:2] == b"\x01\x02" and query[2] & 0x01  # id, RD
    assert dns.parse_reply(query) is None  # a query is not a response
    assert dns.parse_reply(b"\x01") is None
    with pytest.raises(ValueError, match="invalid name"):
        dns.build_query("a" * 70 + ".test", "A", 1)
    assert dns.build_query("bộ.gov.vn", "A", 1).find(b"xn--") > 0  # IDNA


def test_router_advert_model_rejects_unknown_fields() -> None:
    with pytest.raises(ValueError, match="extra"):
        RouterAdvert.model_validate({"bogus": 1})
