"""discover() end to end with fake transports: sweeps, crawl and identification merged into one
record; nothing is ever sent outside the declared subnets; failures are records; no secret in
the output."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any

from infraaudit.errors import PingUnavailable, TransportTimeout
from infraaudit.inventory import Inventory
from infraaudit.models.discovery import Discovery
from infraaudit.probes.discovery import Tools, discover
from infraaudit.probes.discovery.arp import ArpReply, ArpResult
from infraaudit.probes.discovery.scope import LocalAddress, Scope
from infraaudit.probes.discovery.snmp import CDP_COLUMNS, lldp_rows, parse_cdp, port_label
from infraaudit.probes.snmp import lldp
from infraaudit.probes.snmp.replay import ReplayClient
from infraaudit.probes.snmp.transport import Backend, BaseClient, SnmpTarget, VarBind
from infraaudit.probes.snmp.values import Walked

SECRETS = {"old": "0ld-community-s3cret", "good": "g00d-community-s3cret"}
LLDP_REM, LLDP_MAN = "1.0.8802.1.1.2.1.4.1.1", "1.0.8802.1.1.2.1.4.2.1.3"


def inventory(**discovery: Any) -> Inventory:
    return Inventory.model_validate({
        "agency": {"code": "T", "name": "Thanh tra"},
        "site": {"id": "hq", "name": "Trụ sở"},
        "credentials": {"snmp": {name: {"version": "v2c", "community": secret}
                                 for name, secret in SECRETS.items()}},
        "devices": [{"host": "10.1.0.1", "snmp": "old", "name": "core"},
                    {"host": "10.1.0.2", "snmp": "good"}],
        "subnets": [{"prefix": "10.1.0.0/24", "name": "LAN tầng 1"}, "10.2.0.0/29",
                    "10.3.0.0/16", {"prefix": "fd00:1::/64", "name": "LAN v6"}],
        "discovery": discovery,
    })


def system(name: str, enterprise: int) -> list[VarBind]:
    return [("1.3.6.1.2.1.1.1.0", f"{name} switch".encode()),
            ("1.3.6.1.2.1.1.2.0", f"1.3.6.1.4.1.{enterprise}.1.1"),
            ("1.3.6.1.2.1.1.5.0", name.encode())]


def neighbour(port: int, name: str, address: str) -> list[VarBind]:
    arcs = ".".join(address.split("."))
    return [(f"{LLDP_REM}.9.0.{port}.1", name.encode()), (f"{LLDP_REM}.7.0.{port}.1", b"gi0/1"),
            (f"{LLDP_MAN}.0.{port}.1.1.4.{arcs}", 2)]


# host -> (profile that answers, what the agent holds)
AGENTS: dict[str, tuple[str, list[VarBind]]] = {
    "10.1.0.1": ("old", [*system("core", 9), *neighbour(3, "floor-2", "10.1.0.7"),
                         *neighbour(24, "isp-router", "172.16.0.1"),
                         *neighbour(25, "branch", "10.3.9.9")]),
    "10.1.0.7": ("good", [*system("floor-2", 11), *neighbour(1, "core", "10.1.0.1")]),
    "10.2.0.3": ("old", system("printer", 11)),
    "10.3.9.9": ("good", system("branch", 2011)),
}


class Dead(BaseClient):
    backend = Backend.GUFO

    async def _get_once(self, oids: Sequence[str]) -> list[VarBind]:
        raise TransportTimeout(f"no answer from {self.target.host}")

    def _cursor(self, root: str) -> object:
        return root

    async def _batch(self, cursor: object, repetitions: int) -> tuple[list[VarBind], bool]:
        raise TransportTimeout(f"no answer from {self.target.host}")


class Fakes:
    def __init__(self, arp_error: str | None = None, ping: bool = True) -> None:
        self.snmp_hosts: list[str] = []
        self.pinged: list[str] = []
        self.arp_targets: list[str] = []
        self.arp_error = arp_error
        self.ping = ping
        outer = self

        class Pinger:
            async def __aenter__(self) -> Pinger:
                return self

            async def __aexit__(self, *exc: object) -> None:
                return None

            async def sweep(self, addresses: Iterable[str], attempts: int = 2,
                            timeout_s: float = 1.0, rate_pps: float = 200.0) -> dict[str, float]:
                if not outer.ping:
                    raise PingUnavailable("cannot open an ICMP socket: run as root")
                todo = list(addresses)
                outer.pinged += todo
                return {a: 0.8 for a in todo if a in ("10.2.0.3", "10.1.0.7")}

        self.tools = Tools(local_addresses=self.local, arp_sweep=self.arp, pinger=Pinger,
                           snmp_client=self.client)

    @staticmethod
    def local() -> list[LocalAddress]:
        return [LocalAddress("lo", ipaddress.IPv4Interface("127.0.0.1/8"), "00:00:00:00:00:00"),
                LocalAddress("eth0", ipaddress.IPv4Interface("10.1.0.5/24"), "02:00:00:00:00:05")]

    async def arp(self, interface: str, mac: str, ip: str, targets: Sequence[str], scope: Scope,
                  **kwargs: Any) -> ArpResult:
        assert (interface, mac, ip) == ("eth0", "02:00:00:00:00:05", "10.1.0.5")
        self.arp_targets += targets
        if self.arp_error:
            return ArpResult(error=self.arp_error)
        live = {"10.1.0.1": "02:00:00:00:00:01", "10.1.0.7": "02:00:00:00:00:07",
                "10.1.0.9": "02:00:00:00:00:09"}
        return ArpResult(sent=len(targets) * 2 - 3,
                         replies={a: ArpReply(m, 0.4) for a, m in live.items()})

    def client(self, target: SnmpTarget, backend: Backend) -> BaseClient:
        self.snmp_hosts.append(target.host)
        profile, varbinds = AGENTS.get(target.host, ("", []))
        if profile and target.credentials.community == SECRETS[profile]:
            return ReplayClient(varbinds)
        return Dead(target)


def run(fakes: Fakes, **discovery: Any) -> Discovery:
    return asyncio.run(discover(inventory(**discovery), tools=fakes.tools))


def test_sweeps_crawl_and_identification_are_merged() -> None:
    fakes = Fakes()
    result = run(fakes)
    sweeps = {s.subnet: s for s in result.sweeps}
    lan = sweeps["10.1.0.0/24"]
    assert (lan.method, lan.name, lan.interface, lan.targets, lan.answered) == (
        "arp", "LAN tầng 1", "eth0", 253, 3)
    assert "10.1.0.5" not in fakes.arp_targets and "10.1.0.0" not in fakes.arp_targets
    routed = sweeps["10.2.0.0/29"]
    assert (routed.method, routed.targets, routed.sent, routed.answered) == ("icmp", 6, 11, 1)
    big = sweeps["10.3.0.0/16"]
    assert big.method == "icmp" and big.sent == 0 and "max_hosts" in (big.error or "")
    v6 = sweeps["fd00:1::/64"]
    assert (v6.method, v6.name) == ("none", "LAN v6") and v6.error is not None
    assert v6.error.startswith("not swept: IPv6 prefixes are too large")
    hosts = {h.address: h for h in result.hosts}
    assert list(hosts) == ["10.1.0.1", "10.1.0.2", "10.1.0.7", "10.1.0.9", "10.2.0.3",
                           "10.3.9.9"]
    core = hosts["10.1.0.1"]
    assert (core.how, core.in_inventory, core.mac, core.sys_name) == (
        ["inventory", "arp", "lldp"], True, "02:00:00:00:00:01", None)
    assert hosts["10.1.0.2"].how == ["inventory"] and hosts["10.1.0.2"].mac is None
    floor = hosts["10.1.0.7"]
    assert (floor.how, floor.snmp_profile, floor.sys_name, floor.vendor, floor.subnet) == (
        ["arp", "lldp"], "good", "floor-2", "HP", "LAN tầng 1")
    assert floor.sys_object_id == "1.3.6.1.4.1.11.1.1" and floor.rtt_ms == 0.4
    assert hosts["10.1.0.9"].snmp_profile is None and hosts["10.1.0.9"].how == ["arp"]
    printer = hosts["10.2.0.3"]
    assert (printer.how, printer.snmp_profile, printer.rtt_ms, printer.mac) == (
        ["icmp"], "old", 0.8, None)
    branch = hosts["10.3.9.9"]  # a /16 too large to sweep, reached by the crawl
    assert (branch.how, branch.sys_name, branch.subnet) == (["lldp"], "branch", "10.3.0.0/16")
    edges = {e.neighbour_name: e for e in result.edges}
    assert (edges["floor-2"].followed, edges["floor-2"].device_name) == (True, "core")
    assert (edges["isp-router"].followed, edges["isp-router"].reason) == (
        False, "seen, not followed (outside subnets)")
    assert edges["core"].reason == "already crawled"
    assert {c.address: c.depth for c in result.crawled} == {
        "10.1.0.1": 0, "10.1.0.2": 0, "10.1.0.7": 1, "10.3.9.9": 1}
    (dead,) = [c for c in result.crawled if c.address == "10.1.0.2"]
    assert dead.error == "no answer from 10.1.0.2"
    assert result.errors == []
    assert Discovery.model_validate_json(result.model_dump_json()) == result


def test_nothing_is_sent_outside_the_subnets() -> None:
    fakes = Fakes()
    result = run(fakes)
    scope = Scope(ipaddress.ip_network(n) for n in ("10.1.0.0/24", "10.2.0.0/29",
                                                   "10.3.0.0/16"))
    assert "172.16.0.1" not in fakes.snmp_hosts  # learned over LLDP, never contacted
    assert any(e.neighbour_address == "172.16.0.1" for e in result.edges)
    for address in [*fakes.snmp_hosts, *fakes.pinged, *fakes.arp_targets]:
        assert scope.contains(address), address


def test_profiles_are_tried_in_order_and_no_secret_is_written() -> None:
    fakes = Fakes()
    result = run(fakes)
    # 10.1.0.9 answers no profile: both were tried, once each (identification is shared)
    assert fakes.snmp_hosts.count("10.1.0.9") == 2
    assert fakes.snmp_hosts.count("10.1.0.7") == 3  # old, good (identify), good (LLDP walk)
    text = result.model_dump_json()
    assert not any(secret in text for secret in SECRETS.values())


def test_no_icmp_socket_and_no_packet_socket_are_records() -> None:
    fakes = Fakes(arp_error="cannot open a packet socket on eth0: needs root or CAP_NET_RAW",
                  ping=False)
    result = run(fakes)
    lan = [s for s in result.sweeps if s.subnet == "10.1.0.0/24"]
    assert [(s.method, s.answered) for s in lan] == [("arp", 0), ("icmp", 0)]
    assert "CAP_NET_RAW" in (lan[0].error or "")
    assert "ICMP socket" in (lan[1].error or "")
    routed = next(s for s in result.sweeps if s.subnet == "10.2.0.0/29")
    assert routed.answered == 0 and "ICMP socket" in (routed.error or "")
    assert {"10.1.0.1", "10.1.0.7"} <= {h.address for h in result.hosts}  # the crawl still ran


def test_options_turn_steps_off() -> None:
    fakes = Fakes()
    result = run(fakes, arp=False, lldp_crawl=False, max_hosts=65536, rate_pps=1000)
    assert {s.subnet: s.method for s in result.sweeps}["10.1.0.0/24"] == "icmp"
    assert result.edges == [] and result.crawled == []
    assert not fakes.arp_targets
    big = next(s for s in result.sweeps if s.subnet == "10.3.0.0/16")
    assert big.targets == 65534 and big.error is None
    off = run(Fakes(), enabled=False)
    assert off.sweeps == [] and off.errors and "disabled" in off.errors[0]


def test_cdp_cache_rows() -> None:
    assert CDP_COLUMNS["cdpCacheAddress"] == "1.3.6.1.4.1.9.9.23.1.2.1.1.4"
    walked: Walked = {
        "cdpCacheAddressType": {"10001.3": 1, "10002.1": 1},
        "cdpCacheAddress": {"10001.3": bytes([10, 1, 0, 8]), "10002.1": b"\x01\x02"},
        "cdpCacheDeviceId": {"10001.3": b"sw-floor3.lab", "10002.1": b"SEP001122334455"},
        "cdpCacheDevicePort": {"10001.3": b"GigabitEthernet0/1", "10002.1": b"Port 1"},
    }
    rows = parse_cdp(walked, {10001: "Gi1/0/1"})
    assert [(r.protocol, r.local_port, r.name, r.port, r.address) for r in rows] == [
        ("cdp", "Gi1/0/1", "sw-floor3.lab", "GigabitEthernet0/1", "10.1.0.8"),
        ("cdp", "ifIndex 10002", "SEP001122334455", "Port 1", None),
    ]


def test_ports_are_named_not_numbered_by_mac() -> None:
    assert port_label("e6:99:e2:da:ae:d4", "eth1") == "eth1"
    assert port_label("Gi1/0/24", "GigabitEthernet1/0/24") == "Gi1/0/24"
    assert port_label("e6:99:e2:da:ae:d4", None) == "e6:99:e2:da:ae:d4"
    assert port_label(None, None) is None
    client = ReplayClient([*neighbour(3, "floor-2", "10.1.0.7"),
                           ("1.0.8802.1.1.2.1.3.7.1.3.3", bytes.fromhex("0200000000aa")),
                           ("1.0.8802.1.1.2.1.3.7.1.2.3", 3),
                           ("1.0.8802.1.1.2.1.3.7.1.4.3", b"ge-0/0/3")])
    facts = lldp.parse(asyncio.run(lldp.PROBE.collect(client)))
    (row,) = lldp_rows(facts)
    assert (row.local_port, row.name, row.port, row.address) == (
        "ge-0/0/3", "floor-2", "gi0/1", "10.1.0.7")
