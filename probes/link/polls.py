"""Port stability from repeated SNMP polls: counter deltas, error rates and state changes.

The full scan is the first poll. While the scan waits ``poll_interval_s``, light status samples
(sysUpTime, ifOperStatus, ifLastChange) catch ports going down and up; the last poll re-reads the
interface table and its counters. :func:`port_polls` turns these into :class:`PortPoll` records;
it is pure, so replayed or hand-made samples test it.
"""

from __future__ import annotations

import itertools

from pydantic import BaseModel

from infraaudit.models import Device, Port
from infraaudit.models.link import PortPoll
from infraaudit.probes.snmp import IF_STATUS, SnmpProbe, Walked, integer

WRAP32 = 1 << 32
WRAP64 = 1 << 64
MAX_LOAD_PCT = 105.0


class StatusSample(BaseModel):
    """One light poll of a device: uptime and each port's oper status and last change."""

    at: float = 0.0  # monotonic seconds, set by the caller
    uptime_s: float | None = None
    oper: dict[int, str] = {}
    last_change_s: dict[int, float] = {}


def parse_status(walked: Walked) -> StatusSample:
    """Pure parser of :data:`STATUS_PROBE` output (``at`` is set by the caller)."""
    ticks = integer(walked.get("sysUpTime", {}).get("0"))
    sample = StatusSample(uptime_s=ticks / 100 if ticks is not None else None)
    for index, raw in walked.get("ifOperStatus", {}).items():
        status = IF_STATUS.get(integer(raw) or 0)
        if status is not None and index.isdigit():
            sample.oper[int(index)] = status
    for index, raw in walked.get("ifLastChange", {}).items():
        value = integer(raw)
        if value is not None and index.isdigit():
            sample.last_change_s[int(index)] = value / 100
    return sample


STATUS_PROBE: SnmpProbe[StatusSample] = SnmpProbe(
    name="port-status",
    parse=parse_status,
    scalars={"sysUpTime": "1.3.6.1.2.1.1.3"},
    columns={"ifOperStatus": "1.3.6.1.2.1.2.2.1.8", "ifLastChange": "1.3.6.1.2.1.2.2.1.9"},
)


def sample_of(device: Device) -> StatusSample:
    """The first poll (the full scan's ports) as a status sample."""
    return StatusSample(
        at=0.0, uptime_s=device.uptime_s,
        oper={p.if_index: p.oper_status for p in device.ports if p.oper_status},
        last_change_s={p.if_index: p.last_change_s for p in device.ports
                       if p.last_change_s is not None})


def transitions(samples: list[StatusSample], if_index: int) -> int:
    """State changes seen for one port across consecutive samples.

    A changed oper status is one change (or an odd number); the same status with a moved
    ifLastChange means the port went away and came back in between: at least two.
    """
    count = 0
    for before, after in itertools.pairwise(samples):
        a, b = before.oper.get(if_index), after.oper.get(if_index)
        if a is None or b is None:
            continue
        if a != b:
            count += 1
        elif _moved(before.last_change_s.get(if_index), after.last_change_s.get(if_index)):
            count += 2
    return count


def _moved(before: float | None, after: float | None) -> bool:
    return before is not None and after is not None and abs(after - before) >= 0.01


def _delta(first: int | None, last: int | None, wrap: int) -> int | None:
    """Counter increase, allowing one wrap of a 32-bit counter; None when a value is missing
    or a 64-bit counter went backwards (it cannot wrap in a lifetime: the counters were
    cleared or the agent has a discontinuity)."""
    if first is None or last is None:
        return None
    if last >= first:
        return last - first
    return None if wrap == WRAP64 else last + wrap - first


def _ppm(count: int | None, packets: int | None) -> float | None:
    if count is None or not packets:
        return None
    return round(count * 1e6 / packets, 1)


def _load_pct(octets: int | None, speed_mbps: float | None, interval_s: float,
              wide: int) -> float | None:
    """Mean load over the interval as % of the port speed. None without a speed, or when a
    32-bit octet counter could have wrapped more than once at that speed (a 1 Gb/s port wraps
    ifInOctets every 34 s): the delta would then be a guess."""
    if octets is None or not speed_mbps or interval_s <= 0:
        return None
    if wide == WRAP32 and speed_mbps * 1e6 / 8 * interval_s >= WRAP32:
        return None
    load = octets * 8 / interval_s / (speed_mbps * 1e6) * 100
    # more than the port can carry: a counter cleared between the polls (read as a wrap), not
    # traffic; a few % over is timing (the two reads are not exactly interval_s apart)
    return round(load, 1) if load <= MAX_LOAD_PCT else None


def port_polls(device: Device, last_ports: list[Port], samples: list[StatusSample],
               interval_s: float) -> list[PortPoll]:
    """Compare the device's first poll with ``last_ports`` (the last poll) for every port.

    ``samples`` are the status samples in time order, first poll to last poll included.
    A reboot between polls (uptime went down) or a counter reset is flagged, with no rates.
    """
    uptimes = [s.uptime_s for s in samples if s.uptime_s is not None]
    rebooted = any(b < a for a, b in itertools.pairwise(uptimes))
    last_uptime = uptimes[-1] if uptimes else None
    by_index = {p.if_index: p for p in last_ports}
    out = []
    for first in device.ports:
        last = by_index.get(first.if_index)
        if last is None:
            continue
        c0, c1 = first.counters, last.counters
        wide = WRAP64 if c0.hc and c1.hc else WRAP32
        deltas = {
            "in_packets": _delta(c0.in_ucast_pkts, c1.in_ucast_pkts, wide),
            "out_packets": _delta(c0.out_ucast_pkts, c1.out_ucast_pkts, wide),
            "in_errors": _delta(c0.in_errors, c1.in_errors, WRAP32),
            "out_errors": _delta(c0.out_errors, c1.out_errors, WRAP32),
            "in_discards": _delta(c0.in_discards, c1.in_discards, WRAP32),
            "out_discards": _delta(c0.out_discards, c1.out_discards, WRAP32),
            "fcs_errors": _delta(c0.fcs_errors, c1.fcs_errors, WRAP32),
            "in_octets": _delta(c0.in_octets, c1.in_octets, wide),
            "out_octets": _delta(c0.out_octets, c1.out_octets, wide),
        }
        pairs = ((c0.in_ucast_pkts, c1.in_ucast_pkts), (c0.out_ucast_pkts, c1.out_ucast_pkts),
                 (c0.in_octets, c1.in_octets), (c0.out_octets, c1.out_octets))
        cleared = wide == WRAP64 and any(a is not None and b is not None and b < a
                                         for a, b in pairs)
        reset = rebooted or cleared
        if reset or c0.hc != c1.hc:
            deltas = dict.fromkeys(deltas)
        discards = None
        if deltas["in_discards"] is not None or deltas["out_discards"] is not None:
            discards = (deltas["in_discards"] or 0) + (deltas["out_discards"] or 0)
        packets = None
        if deltas["in_packets"] is not None or deltas["out_packets"] is not None:
            packets = (deltas["in_packets"] or 0) + (deltas["out_packets"] or 0)
        age = None
        if last_uptime is not None and last.last_change_s is not None:
            age = round(max(0.0, last_uptime - last.last_change_s), 2)
        out.append(PortPoll(
            device=device.host, device_name=device.name, if_index=first.if_index,
            port=last.name or first.name, interval_s=round(interval_s, 2), samples=len(samples),
            oper_status_first=first.oper_status, oper_status_last=last.oper_status,
            transitions=transitions(samples, first.if_index), last_change_age_s=age,
            counter_reset=reset,
            in_error_ppm=_ppm(deltas["in_errors"], deltas["in_packets"]),
            out_error_ppm=_ppm(deltas["out_errors"], deltas["out_packets"]),
            discard_ppm=_ppm(discards, packets),
            fcs_ppm=_ppm(deltas["fcs_errors"], deltas["in_packets"]),
            speed_mbps=last.speed_mbps,
            in_util_pct=_load_pct(deltas["in_octets"], last.speed_mbps, interval_s, wide),
            out_util_pct=_load_pct(deltas["out_octets"], last.speed_mbps, interval_s, wide),
            **deltas,
        ))
    return out
