"""The nightly health check: a light probe set, compared with the previous run.

:func:`run_health` reads each device's sysUpTime and interface table (status, speed, duplex,
counters) and pings the gateway and the devices; :func:`compare` turns the differences with the
previous run into alerts (findings with Vietnamese wording, ``report_templates/findings.yaml``)
and the per-port rates the history keeps. ``compare`` is pure.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Any

from infraaudit import __version__
from infraaudit.findings import HealthLimits, Thresholds, make, ping_findings
from infraaudit.health.store import PortRates
from infraaudit.inventory import DeviceEntry, LinkOptions, LoadedInventory
from infraaudit.models import Device
from infraaudit.models.finding import Evidence, Finding
from infraaudit.models.health import DeviceHealth, HealthReport, HealthRun, PortHealth
from infraaudit.probes.host import scanning_host
from infraaudit.probes.snmp import (
    INTERFACES_PROBE,
    SYSTEM_PROBE,
    Backend,
    assemble,
    release_backends,
)
from infraaudit.scan import collect_snmp, now_iso, run_pings, target_for

PROBES = (SYSTEM_PROBE, INTERFACES_PROBE)
WRAP32 = 1 << 32
UPTIME_WRAP_S = WRAP32 / 100  # sysUpTime (TimeTicks) wraps after ~497 days


async def device_health(entry: DeviceEntry, loaded: LoadedInventory,
                        backend: Backend) -> DeviceHealth:
    """sysUpTime and the interface table of one device; never raises."""
    out = DeviceHealth(host=entry.host, port=entry.port, name=entry.name)
    target = target_for(entry, loaded.inventory)
    if target is None:
        out.error, out.checked = "no SNMP profile: not checked", False
        return out
    device = assemble(Device(host=entry.host), await collect_snmp(target, backend, True, PROBES))
    if not device.reachable:
        out.error = next((p.error for p in device.probes if p.error), "no answer")
        return out
    out.reachable, out.uptime_s = True, device.uptime_s
    out.ports = [PortHealth(if_index=p.if_index, name=p.name, admin_status=p.admin_status,
                            oper_status=p.oper_status, speed_mbps=p.speed_mbps, duplex=p.duplex,
                            last_change_s=p.last_change_s, counters=p.counters)
                 for p in device.ports]
    return out


async def run_health(loaded: LoadedInventory, options: LinkOptions,
                     backend: Backend = Backend.GUFO) -> HealthRun:
    """Check every device and ping them (and the gateway) at once."""
    inventory = loaded.inventory
    started = now_iso()
    slots = asyncio.Semaphore(inventory.limits.concurrency)

    async def one(entry: DeviceEntry) -> DeviceHealth:
        async with slots:
            return await device_health(entry, loaded, backend)

    try:
        pings = asyncio.create_task(run_pings(inventory, scanning_host(), options))
        devices = await asyncio.gather(*(one(e) for e in inventory.devices))
        series, ping_error, _ = await pings
    finally:
        release_backends()
    return HealthRun(run_id=str(uuid.uuid4()), agency=inventory.agency, site=inventory.site,
                     tool_version=__version__, inventory_digest=loaded.digest,
                     started_at=started, finished_at=now_iso(), complete=True,
                     devices=list(devices), pings=series, ping_error=ping_error)


# --- comparison ---------------------------------------------------------------------------------


def _elapsed(before: str, after: str) -> float:
    return (datetime.fromisoformat(after) - datetime.fromisoformat(before)).total_seconds()


def _delta(a: int | None, b: int | None, wrap: int = WRAP32) -> int | None:
    if a is None or b is None:
        return None
    return b - a if b >= a else b + wrap - a


def _sum(*values: int | None) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _rebooted(prev: DeviceHealth, cur: DeviceHealth, elapsed: float, slack: float) -> bool:
    """Uptime did not advance with the clock: the device (or its agent) restarted. The slack
    covers clock drift and the time between the two reads (1% of the interval at least)."""
    if prev.uptime_s is None or cur.uptime_s is None:
        return False
    slack = max(slack, 0.01 * elapsed)
    if prev.uptime_s + elapsed > UPTIME_WRAP_S - slack:
        return False  # the counter may have wrapped: no claim
    return cur.uptime_s < prev.uptime_s + elapsed - slack


def _port_rates(before: PortHealth, after: PortHealth) -> tuple[PortRates, dict[str, Any]]:
    """Error and FCS rates between two runs (counters wrap at 32 bits for errors)."""
    c0, c1 = before.counters, after.counters
    wide = (1 << 64) if c0.hc and c1.hc else WRAP32
    packets = _sum(_delta(c0.in_ucast_pkts, c1.in_ucast_pkts, wide),
                   _delta(c0.out_ucast_pkts, c1.out_ucast_pkts, wide))
    errors = _sum(_delta(c0.in_errors, c1.in_errors), _delta(c0.out_errors, c1.out_errors))
    fcs = _delta(c0.fcs_errors, c1.fcs_errors)
    error_ppm = round(errors * 1e6 / packets, 1) if errors is not None and packets else None
    fcs_ppm = round(fcs * 1e6 / packets, 1) if fcs is not None and packets else None
    moved = (before.last_change_s is not None and after.last_change_s is not None
             and abs(after.last_change_s - before.last_change_s) >= 0.01)
    flapped = moved and before.oper_status == after.oper_status
    return (PortRates(error_ppm, fcs_ppm, flapped),
            {"errors": errors, "fcs_errors": fcs or 0, "packets": packets})


def compare(prev: HealthRun | None, prev_rates: dict[tuple[str, int], PortRates],
            cur: HealthRun, thresholds: Thresholds) -> tuple[HealthReport,
                                                             dict[tuple[str, int], PortRates]]:
    """Alerts for ``cur`` against ``prev`` (None: first run, only the ping checks), and the
    per-port rates to store with ``cur``."""
    t = thresholds.health
    alerts: list[Finding] = list(ping_findings(cur.pings, thresholds))
    rates: dict[tuple[str, int], PortRates] = {}
    report = HealthReport(run=cur)
    if prev is None:
        report.alerts = alerts
        return report, rates
    report.previous_run_id, report.previous_started_at = prev.run_id, prev.started_at
    elapsed = _elapsed(prev.started_at, cur.started_at)
    before = {d.host: d for d in prev.devices}
    for dev in cur.devices:
        old = before.get(dev.host)
        if old is None:
            continue
        base = {"previous": prev.started_at, "error": dev.error or "", "elapsed_s": elapsed,
                "uptime_s": dev.uptime_s}
        evidence = [Evidence(source="snmp:sysUpTime", device=dev.label, at=cur.started_at,
                             measured={"reachable_before": old.reachable,
                                       "reachable_now": dev.reachable,
                                       "uptime_before_s": old.uptime_s,
                                       "uptime_now_s": dev.uptime_s, "elapsed_s": elapsed})]
        if old.reachable and not dev.reachable:
            alerts.append(make("DEVICE-DOWN", dev.label, base, evidence))
            continue
        if not old.reachable and dev.reachable:
            alerts.append(make("DEVICE-BACK", dev.label, base, evidence))
            continue
        if not dev.reachable:
            continue
        rebooted = _rebooted(old, dev, elapsed, t.reboot_slack_s)
        if rebooted:
            alerts.append(make("DEVICE-REBOOT", dev.label, base, evidence))
        alerts += _port_alerts(old, dev, prev, prev_rates, rates, rebooted, t)
    report.alerts = sorted(alerts, key=lambda a: (a.category, a.code, a.subject))
    return report, rates


def _port_alerts(old: DeviceHealth, dev: DeviceHealth, prev: HealthRun,
                 prev_rates: dict[tuple[str, int], PortRates],
                 rates: dict[tuple[str, int], PortRates], rebooted: bool,
                 t: HealthLimits) -> list[Finding]:
    out: list[Finding] = []
    ports_before = {p.if_index: p for p in old.ports}
    for port in dev.ports:
        was = ports_before.get(port.if_index)
        if was is None:
            continue
        name = port.name or str(port.if_index)
        subject = f"{dev.label}:{name}"
        values: dict[str, Any] = {
            "device": dev.label, "port": name, "previous": prev.started_at,
            "oper_status": port.oper_status, "admin_status": port.admin_status,
            "previous_status": was.oper_status}
        measured: dict[str, Any] = {
            "oper_before": was.oper_status, "oper_now": port.oper_status,
            "speed_before_mbps": was.speed_mbps, "speed_now_mbps": port.speed_mbps,
            "duplex_before": was.duplex.value if was.duplex else None,
            "duplex_now": port.duplex.value if port.duplex else None,
            "last_change_before_s": was.last_change_s, "last_change_now_s": port.last_change_s}
        evidence = [Evidence(source="snmp:ifTable (two health runs)", device=dev.label,
                             port=name, measured=measured)]
        if was.oper_status == "up" and port.oper_status != "up":
            out.append(make("PORT-DOWN", subject, values, evidence))
        elif was.oper_status != "up" and port.oper_status == "up":
            out.append(make("PORT-UP", subject, values, evidence))
        if port.oper_status == "up" and was.oper_status == "up":
            if was.speed_mbps and port.speed_mbps and was.speed_mbps != port.speed_mbps:
                out.append(make("PORT-SPEED-CHANGE", subject, {
                    **values, "speed_before": was.speed_mbps, "speed_after": port.speed_mbps},
                    evidence))
            if was.duplex and port.duplex and was.duplex != port.duplex:
                out.append(make("PORT-DUPLEX-CHANGE", subject, {
                    **values, "duplex_before": was.duplex.value,
                    "duplex_after": port.duplex.value}, evidence))
        if rebooted:
            continue  # counters and ifLastChange restarted with the agent
        rate, counts = _port_rates(was, port)
        rates[(dev.host, port.if_index)] = rate
        if rate.flapped:
            out.append(make("PORT-FLAPPED", subject, {
                **values, "last_change_before": was.last_change_s,
                "last_change_after": port.last_change_s}, evidence))
        ppm = rate.error_ppm
        if ppm is None or ppm < t.error_ppm or (counts["errors"] or 0) < t.min_errors:
            continue
        previous_ppm = prev_rates.get((dev.host, port.if_index), PortRates()).error_ppm
        numbers = {**values, **counts, "error_ppm": ppm, "threshold": t.error_ppm,
                   "previous_ppm": previous_ppm, "factor": t.rising_factor}
        evidence[0].measured.update({"error_ppm": ppm, "fcs_ppm": rate.fcs_ppm,
                                     "previous_error_ppm": previous_ppm, **counts})
        if previous_ppm is None or previous_ppm < t.error_ppm:
            out.append(make("PORT-ERRORS-NEW", subject, numbers, evidence))
        elif ppm > previous_ppm * t.rising_factor:
            out.append(make("PORT-ERRORS-RISING", subject, numbers, evidence))
    return out
