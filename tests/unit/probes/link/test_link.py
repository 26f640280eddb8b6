"""Link stability: ping statistics, packet codec, port polls, Wi-Fi share, host parsers."""

from __future__ import annotations

import asyncio
import socket
import struct
import time

import pytest

from infraaudit.models import Device, LldpNeighbour, Port, PortCounters, Role
from infraaudit.probes.host import parse_ipv4_routes, parse_ipv6_routes, parse_resolv_conf
from infraaudit.probes.link.endpoints import endpoint_share
from infraaudit.probes.link.ping import (
    PingStats,
    checksum,
    echo_request,
    mean_deviation,
    parse_echo_reply,
    rfc3550_jitter,
)
from infraaudit.probes.link.polls import (
    StatusSample,
    parse_status,
    port_polls,
    sample_of,
    transitions,
)


def test_ping_stats_loss_rtt_and_jitter() -> None:
    stats = PingStats(target="10.0.0.1", sent=5, rtts_ms=[1.0, 3.0, None, 2.0, 6.0])
    assert stats.received == 4
    assert stats.loss_pct == 20.0
    assert (stats.rtt_min_ms, stats.rtt_max_ms) == (1.0, 6.0)
    assert stats.rtt_avg_ms == 3.0
    # pairs both answered: (1,3) and (2,6): mean |D| = (2 + 4) / 2
    assert stats.jitter_ms == 3.0
    assert PingStats(target="x").loss_pct is None


def test_mean_deviation_matches_rfc3550_estimate_on_a_steady_series() -> None:
    rtts: list[float | None] = [10.0 + (2.0 if i % 2 else 0.0) for i in range(400)]
    assert mean_deviation(rtts) == pytest.approx(2.0)
    estimate = rfc3550_jitter(rtts)
    assert estimate is not None and estimate == pytest.approx(2.0, abs=1e-6)


def test_echo_request_checksum_verifies_and_reply_parses() -> None:
    packet = echo_request(socket.AF_INET, 0x1234, 7)
    assert checksum(packet) == 0  # a correct checksum sums to zero
    reply = bytes([0, 0]) + packet[2:]  # type 0 = echo reply, same id/seq
    assert parse_echo_reply(socket.AF_INET, reply, raw=False) == (0x1234, 7)
    ip_header = bytes([0x45]) + bytes(19)
    assert parse_echo_reply(socket.AF_INET, ip_header + reply, raw=True) == (0x1234, 7)
    assert parse_echo_reply(socket.AF_INET, packet, raw=False) is None  # a request is not one
    v6 = struct.pack("!BBHHH", 129, 0, 0, 5, 9)
    assert parse_echo_reply(socket.AF_INET6, v6, raw=True) == (5, 9)


def _port(index: int, **kw: object) -> Port:
    counters = kw.pop("counters", PortCounters())
    return Port(if_index=index, name=f"p{index}", counters=counters, **kw)  # type: ignore[arg-type]


def test_transitions_count_status_changes_and_hidden_flaps() -> None:
    s = [StatusSample(oper={1: "up", 2: "up"}, last_change_s={1: 5.0, 2: 5.0}),
         StatusSample(oper={1: "down", 2: "up"}, last_change_s={1: 8.0, 2: 9.0}),
         StatusSample(oper={1: "up", 2: "up"}, last_change_s={1: 9.5, 2: 9.0})]
    assert transitions(s, 1) == 2  # down, then up
    assert transitions(s, 2) == 2  # up at both ends but ifLastChange moved: down and up between
    assert transitions(s, 3) == 0


def test_port_polls_rates_and_32bit_wrap() -> None:
    first = Device(host="10.0.0.2", name="sw", uptime_s=100.0, ports=[
        _port(1, oper_status="up", last_change_s=1.0, counters=PortCounters(
            in_ucast_pkts=2**32 - 1000, out_ucast_pkts=0, in_errors=10, out_errors=0,
            in_discards=0, out_discards=0, fcs_errors=10)),
    ])
    last = [_port(1, oper_status="up", last_change_s=1.0, counters=PortCounters(
        in_ucast_pkts=99_000, out_ucast_pkts=0, in_errors=60, out_errors=0, in_discards=0,
        out_discards=0, fcs_errors=60))]
    samples = [sample_of(first), StatusSample(uptime_s=110.0, oper={1: "up"},
                                              last_change_s={1: 1.0})]
    (poll,) = port_polls(first, last, samples, 10.0)
    assert poll.in_packets == 100_000  # wrapped once
    assert (poll.in_errors, poll.fcs_errors) == (50, 50)
    assert poll.in_error_ppm == poll.fcs_ppm == 500.0
    assert poll.transitions == 0 and not poll.counter_reset
    assert poll.last_change_age_s == 109.0


def test_port_polls_flag_a_reboot_and_give_no_rates() -> None:
    first = Device(host="10.0.0.2", uptime_s=1000.0, ports=[
        _port(1, oper_status="up", counters=PortCounters(in_ucast_pkts=5000, in_errors=5))])
    last = [_port(1, oper_status="up", counters=PortCounters(in_ucast_pkts=10, in_errors=0))]
    (poll,) = port_polls(first, last, [sample_of(first), StatusSample(uptime_s=3.0)], 10.0)
    assert poll.counter_reset and poll.in_errors is None and poll.in_error_ppm is None


def test_parse_status_reads_uptime_oper_and_last_change() -> None:
    sample = parse_status({"sysUpTime": {"0": 12345}, "ifOperStatus": {"1": 1, "2": 2},
                           "ifLastChange": {"1": 500}})
    assert sample.uptime_s == 123.45
    assert sample.oper == {1: "up", 2: "down"}
    assert sample.last_change_s == {1: 5.0}


def test_endpoint_share_counts_wifi_behind_aps_and_wired_on_edge_ports() -> None:
    ap_nb = LldpNeighbour(sys_name="ap-1", capabilities=["bridge", "wlanAccessPoint"],
                          chassis_id="02:00:00:00:00:aa")
    sw_nb = LldpNeighbour(sys_name="core", capabilities=["bridge"])
    access = Device(host="10.0.0.3", name="acc", role=Role.SWITCH, ports=[
        _port(1, lldp_neighbours=[sw_nb], macs=["02:00:00:00:01:01"]),  # uplink: not counted
        _port(2, macs=["02:00:00:00:00:01", "02:00:00:00:00:02"]),      # edge: wired
        _port(3, lldp_neighbours=[ap_nb],
              macs=["02:00:00:00:00:aa", "02:00:00:00:00:03", "02:00:00:00:00:04"]),
    ])
    share = endpoint_share([access])
    assert share is not None
    assert (share.wired, share.wifi, share.wifi_pct) == (2, 2, 50.0)  # the AP's own MAC excluded
    assert any("ap-1" in ap for ap in share.access_points)
    assert endpoint_share([Device(host="10.0.0.9", ports=[_port(1)])]) is None


def test_endpoint_share_counts_the_radio_side_of_an_ap_device() -> None:
    ap = Device(host="10.0.0.5", name="ap", role=Role.AP, ports=[
        _port(1, lldp_neighbours=[LldpNeighbour(sys_name="acc")], macs=["02:00:00:00:00:01"]),
        _port(2, macs=["02:00:00:00:00:31"]), _port(3, macs=["02:00:00:00:00:32"])])
    share = endpoint_share([ap])
    assert share is not None and (share.wifi, share.wired) == (2, 0)


def test_route_and_resolver_parsers() -> None:
    v4 = ("Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
          "scan0\t00000000\t0101C80A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
          "scan0\t0001C80A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n")
    (route,) = parse_ipv4_routes(v4)
    assert (route.gateway, route.interface) == ("10.200.1.1", "scan0")
    v6 = ("00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
          "fe800000000000000000000000000001 00000400 00000001 00000000 00000003 scan0\n"
          "fd496161000100000000000000000000 40 00000000000000000000000000000000 00 "
          "00000000000000000000000000000000 00000100 00000001 00000000 00000001 scan0\n")
    (route6,) = parse_ipv6_routes(v6)
    assert (route6.gateway, route6.interface) == ("fe80::1", "scan0")
    assert parse_resolv_conf("# x\nnameserver 10.0.0.53\nsearch lab\nnameserver ::1 # y\n") == [
        "10.0.0.53", "::1"]


def test_a_busy_loop_does_not_turn_answers_into_loss() -> None:
    """The deadline passed while the process was busy, but the answer (in time by its kernel
    timestamp) is waiting to be read: it counts. One that came after the timeout does not."""
    from infraaudit.probes.link.ping import _within

    async def run(rtt_ms: float) -> float | None:
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[float | None] = loop.create_future()
        loop.call_soon(fut.set_result, rtt_ms)  # what the socket reader does on its next turn
        return await _within(fut, time.monotonic() - 1.0, 1.0)

    assert asyncio.run(run(5.0)) == 5.0
    assert asyncio.run(run(1500.0)) is None

    async def silent() -> float | None:
        fut: asyncio.Future[float | None] = asyncio.get_running_loop().create_future()
        return await _within(fut, time.monotonic() + 0.05, 1.0)

    assert asyncio.run(silent()) is None
