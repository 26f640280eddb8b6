"""IPv6 on the LAN, end to end (root only): the scanning host's own view in the IPv6 LAN lab
(tests/lab/ipv6lab.py): its addresses, default routes and route lookups (the ``host`` probe), and
its DNS lookups (the ``resolve`` probe).

Order matters as it did when these tests shared one module with the segment tests: the host test
comes first, and its ``segments`` fixture gives the scanner radvd's prefix before the DNS tests
query fd6a:R:1::53."""

from __future__ import annotations

import ipaddress
import time

from pydantic import TypeAdapter

from infraaudit.models.ipv6 import DnsAnswer, HostIpv6, SegmentIpv6
from tests.lab.ipv6lab import MARKS, ROUTER, Lab6, run_probe

pytestmark = MARKS


def test_scanning_host_state(lab6: Lab6, segments: tuple[SegmentIpv6, SegmentIpv6]) -> None:
    # the scanner's kernel took the prefix and default route from radvd's RAs
    deadline = time.monotonic() + 10
    while True:
        res = run_probe(lab6, "p", ["host", "--route", lab6.addr("53"), "--route",
                                    "2001:db8::1"])
        host = HostIpv6.model_validate_json(res.stdout)
        if host.default_routes or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    net = ipaddress.IPv6Network(lab6.prefix)
    globals_ = [a for a in host.addresses if a.scope == "global"]
    assert host.errors == [] and host.global_addresses == len(globals_) >= 1
    assert all(a.interface == "eth0" and ipaddress.IPv6Address(a.address) in net
               for a in globals_)
    assert {(r.gateway, r.interface) for r in host.default_routes} == {
        (lab6.link_local(ROUTER), "eth0")}
    on_link, remote = host.route_lookups
    assert on_link.reachable and on_link.gateway is None and on_link.interface == "eth0"
    assert remote.reachable and remote.gateway == lab6.link_local(ROUTER)
    assert remote.source in {a.address for a in globals_}
    res = run_probe(lab6, "q", ["host", "--route", "2001:db8::1"])
    lonely = HostIpv6.model_validate_json(res.stdout)
    assert lonely.global_addresses == 0 and lonely.default_routes == []
    assert not lonely.route_lookups[0].reachable and lonely.route_lookups[0].error



def test_dns_a_and_aaaa(lab6: Lab6) -> None:
    # first server is a host without DNS (port unreachable): the probe moves on to dnsmasq
    res = run_probe(lab6, "p", ["resolve", "dual.lab.test", "v4only.lab.test", "missing.lab.test",
                                "--server", lab6.addr("11"), "--server", lab6.addr("53"),
                                "--timeout", "2"])
    answers = {a.name: a for a in TypeAdapter(list[DnsAnswer]).validate_json(res.stdout)}
    dual, v4, missing = (answers["dual.lab.test"], answers["v4only.lab.test"],
                         answers["missing.lab.test"])
    assert dual.error is None and dual.server == lab6.addr("53")
    assert dual.a == ["192.0.2.10"] and dual.aaaa == [lab6.addr("10")]
    assert (dual.rcode_a, dual.rcode_aaaa) == ("NOERROR", "NOERROR")
    assert v4.error is None and v4.a == ["192.0.2.11"] and v4.aaaa == []
    assert v4.rcode_aaaa == "NOERROR"
    assert missing.a == missing.aaaa == [] and missing.rcode_a == "NXDOMAIN"
    log = (lab6.tmp / "dnsmasq.log").read_text()
    assert "query[AAAA] dual.lab.test" in log and "query[PTR]" not in log


def test_dns_no_answer_is_recorded(lab6: Lab6) -> None:
    res = run_probe(lab6, "q", ["resolve", "dual.lab.test", "--server", "fe80::1%eth0",
                                "--timeout", "0.5"])
    (answer,) = TypeAdapter(list[DnsAnswer]).validate_json(res.stdout)
    assert answer.a == answer.aaaa == [] and answer.server is None
    assert answer.error is not None and "no answer" in answer.error
