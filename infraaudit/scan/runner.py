"""Scan every device of a site inventory: bounded concurrency, one failure is one record.

``Scanner.run`` may be interrupted at any await (Ctrl-C); ``Scanner.document`` then still builds a
valid audit in which the devices not yet finished are marked skipped and ``complete`` is false.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil

from infraaudit import __version__
from infraaudit.errors import TransportError
from infraaudit.findings import (
    FirmwareCatalog,
    config_findings,
    firmware_findings,
    merge_findings,
    service_age,
    snmp_findings,
    ssh_legacy_findings,
)
from infraaudit.inventory import (
    DeviceEntry,
    Inventory,
    Limits,
    LoadedInventory,
    snmp_credentials,
)
from infraaudit.models import (
    AuditDocument,
    Coverage,
    Device,
    ProbeResult,
    ProbeStatus,
    ScanMeta,
)
from infraaudit.models.discovery import Discovery
from infraaudit.models.host import ScanningHost
from infraaudit.models.link import LinkReport
from infraaudit.models.readiness import Ipv6Report
from infraaudit.probes.host import scanning_host
from infraaudit.probes.link import endpoint_share, place_endpoints
from infraaudit.probes.snmp import (
    DEVICE_ROWS_PER_WALK_CAP,
    PROBES,
    Backend,
    Collected,
    SnmpProbe,
    SnmpTarget,
    assemble,
    collect,
    make_client,
    release_backends,
)
from infraaudit.scan.merge import mark_snmp_sources, merge_cli
from infraaudit.scan.sitescan import (
    PollTarget,
    management_over_ipv6,
    poll_again,
    readiness,
    run_ipv6_lan,
    run_pings,
)

if TYPE_CHECKING:  # SSH and discovery are imported when an inventory uses them
    from infraaudit.probes.ssh import SshTarget

log = logging.getLogger(__name__)
# What one walked row holds in memory (tests/bench/bench_hostile_walk.py: 250,000 rows, ~70 MB),
# and the share of the memory free at the start that devices filling their row budgets may take.
ROW_BYTES = 280
MEMORY_SHARE = 0.5


def device_slots(limits: Limits, available_bytes: int) -> int:
    """How many devices are scanned at once: ``limits.concurrency``, fewer when that many
    devices, each filling its row budget (every walk together: 2.5 × ``max_walk_rows``), would
    take more than half the memory available. Defaults: ~70 MB a device, 16 devices ~1.1 GB."""
    per_device = limits.max_walk_rows * DEVICE_ROWS_PER_WALK_CAP * ROW_BYTES
    return max(1, min(limits.concurrency, int(available_bytes * MEMORY_SHARE // per_device)))


@dataclass(frozen=True)
class ScanOptions:
    backend: Backend = Backend.GUFO
    fallback: bool = True  # rescan with pysnmp a device whose replies gufo cannot decode
    firmware_catalog: FirmwareCatalog | None = None  # the agency's end-of-support list


def library_noise(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """The scan loop's exception handler: what a library leaves to asyncio (pysnmp's callbacks
    failing on a malformed datagram, a task destroyed pending at exit) is one log line, shown
    with ``-v`` (and in a log file), never a traceback on the terminal of a normal run."""
    exc = context.get("exception")
    what = f"{type(exc).__name__}: {exc}" if exc is not None else ""
    first = (what or str(context.get("message", ""))).splitlines()
    log.info("library noise: %s %s", context.get("message", ""), first[0][:200] if first else "")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def target_for(entry: DeviceEntry, inventory: Inventory) -> SnmpTarget | None:
    if entry.snmp is None:
        return None
    creds = snmp_credentials(inventory.credentials.snmp[entry.snmp])
    limits = inventory.limits
    return SnmpTarget(
        host=entry.host, port=entry.port, credentials=creds, timeout_s=limits.timeout_s,
        retries=limits.retries, requests_per_second=limits.requests_per_second,
        concurrency=limits.per_device_concurrency, max_repetitions=limits.max_repetitions,
        deadline_s=limits.device_deadline_s, max_walk_rows=limits.max_walk_rows,
    )


def default_known_hosts(site_id: str) -> Path:
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "infraaudit" / "known_hosts" / site_id


def ssh_target_for(entry: DeviceEntry, inventory: Inventory) -> SshTarget | None:
    if entry.ssh is None:
        return None
    from infraaudit.probes.ssh import SshCredentials, SshTarget

    profile = inventory.credentials.ssh[entry.ssh]
    options = inventory.ssh_options
    return SshTarget(
        host=entry.host, port=entry.ssh_port, platform=entry.platform,
        credentials=SshCredentials(
            username=profile.username,
            password=profile.password.get_secret_value() if profile.password else "",
            key_file=profile.key_file,
            enable_secret=profile.enable_secret.get_secret_value()
            if profile.enable_secret else "",
            enable=profile.enable,
        ),
        timeout_s=inventory.limits.ssh_timeout_s,
        known_hosts=options.known_hosts or default_known_hosts(inventory.site.id),
        strict_host_keys=options.host_key_policy == "strict",
        legacy_algorithms=options.legacy_algorithms,
        retries=inventory.limits.retries,
    )


def _all_probes(status: ProbeStatus, error: str) -> list[ProbeResult]:
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    return [ProbeResult(probe=p.name, status=status, error=error, started_at=now, duration_ms=0)
            for p in PROBES]


async def _collect_with(target: SnmpTarget, backend: Backend,
                        probes: tuple[SnmpProbe[Any], ...] = PROBES) -> Collected:
    """The client stops at the device's deadline between requests; the outer timeout only
    catches a backend that would not return (it costs what was collected)."""
    client = make_client(target, backend)
    backstop = target.deadline + target.timeout_s * (target.retries + 1) + 5
    try:
        async with asyncio.timeout(backstop):
            await client.open()
            return await collect(client, probes)
    except TransportError as exc:
        return Collected(results=_all_probes(ProbeStatus.FAILED, str(exc)))
    except TimeoutError:
        return Collected(results=_all_probes(
            ProbeStatus.FAILED, f"device deadline of {target.deadline:g} s reached: stopped"))
    finally:
        await client.close()


async def scan_device(entry: DeviceEntry, inventory: Inventory, options: ScanOptions) -> Device:
    """Scan one device. Never raises (but for cancellation): any failure is a device record."""
    device = Device(host=entry.host, port=entry.port, name=entry.name, snmp_profile=entry.snmp,
                    ssh_profile=entry.ssh)
    target = target_for(entry, inventory)
    ssh_target = ssh_target_for(entry, inventory)
    if target is None and ssh_target is None:
        device.probes = _all_probes(ProbeStatus.SKIPPED, "no snmp or ssh profile for device")
        return device
    try:
        findings = []
        if target is not None:
            device = await _scan_snmp(device, target, options)
            mark_snmp_sources(device)
            if entry.role is not None:
                device.role, device.role_reason = entry.role, "set in the inventory"
            if device.reachable:
                cred = target.credentials
                findings.append(snmp_findings(cred.version, entry.snmp or "?",
                                              cred.community or None, device.sys_name))
        if ssh_target is not None:
            from infraaudit.probes.ssh import CliSession, collect_cli, resolve

            cli = await collect_cli(ssh_target, CliSession.open)
            device.probes += cli.results
            if cli.facts is not None:
                device.reachable = True
                merge_cli(device, cli.facts)
            if cli.platform is not None:
                findings.append(config_findings(resolve(cli.platform), cli.kept, device.sys_name))
                findings.append(ssh_legacy_findings(cli.legacy_algorithms))
        device.in_service = service_age(device, entry.installed_year)
        if options.firmware_catalog is not None:
            findings.append(firmware_findings(device, options.firmware_catalog,
                                              datetime.now(UTC).date()))
        device.security = merge_findings(*findings)
        return device
    except Exception as exc:  # a bug must cost one device, not the scan
        log.exception("%s: internal error", entry.host)
        device.reachable = False
        device.probes = _all_probes(ProbeStatus.FAILED, f"internal error: {exc!r}")
        return device


async def collect_snmp(target: SnmpTarget, backend: Backend, fallback: bool = True,
                       probes: tuple[SnmpProbe[Any], ...] = PROBES) -> Collected:
    """Run ``probes`` against one device; pysnmp when gufo cannot (SNMPv3 context) or when
    gufo could not decode the replies (and ``fallback``)."""
    if target.credentials.context and backend is Backend.GUFO:
        backend = Backend.PYSNMP  # gufo-snmp has no SNMPv3 context parameter
        log.info("%s: SNMPv3 context set, scanning with pysnmp", target.host)
    started = time.monotonic()
    collected = await _collect_with(target, backend, probes)
    left = target.deadline - (time.monotonic() - started)
    if collected.decode_failed and fallback and backend is Backend.GUFO and left > 1:
        log.info("%s: gufo could not decode the replies, rescanning with pysnmp", target.host)
        # one deadline for the device: the rescan gets what is left of it
        first = collected.results[0] if collected.results else None
        collected = await _collect_with(replace(target, deadline_s=left), Backend.PYSNMP,
                                        probes)
        again = collected.results[0] if collected.results else None
        if first is not None and again is not None and again.status is ProbeStatus.FAILED:
            # pysnmp ignores what gufo refused: keep why the device could not be read
            again.error = f"{again.error}; first read (gufo): {first.error}"
    return collected


async def _scan_snmp(device: Device, target: SnmpTarget, options: ScanOptions) -> Device:
    return assemble(device, await collect_snmp(target, options.backend, options.fallback))


class Scanner:
    def __init__(self, loaded: LoadedInventory, options: ScanOptions | None = None,
                 on_device: Callable[[Device], None] | None = None,
                 on_phase: Callable[[str], None] | None = None) -> None:
        self.loaded = loaded
        self.options = options or ScanOptions()
        self.on_device = on_device
        self.on_phase = on_phase or (lambda _: None)
        self.started_at = now_iso()
        self.finished: dict[int, Device] = {}
        self.host: ScanningHost | None = None
        self.link: LinkReport | None = None
        self.ipv6: Ipv6Report | None = None
        self.discovery: Discovery | None = None
        self._poll: list[PollTarget] = []
        self._management: dict[str, str | None] = {}

    async def run(self) -> None:
        """Devices and the site probes (discovery, pings, IPv6 on the LAN) at once; then the
        second port poll and the IPv6 management check; then the readiness scores."""
        inventory = self.loaded.inventory
        available = psutil.virtual_memory().available
        at_once = device_slots(inventory.limits, available)
        if at_once < inventory.limits.concurrency:
            log.warning("scanning %d devices at once instead of %d (limits.concurrency): "
                        "%d MB of memory available", at_once, inventory.limits.concurrency,
                        available // 2**20)
        slots = asyncio.Semaphore(at_once)
        asyncio.get_running_loop().set_exception_handler(library_noise)
        self.host = scanning_host()
        self.link = LinkReport() if inventory.link.enabled else None
        self.ipv6 = Ipv6Report() if inventory.ipv6.enabled else None

        async def one(position: int, entry: DeviceEntry) -> None:
            async with slots:
                device = await scan_device(entry, inventory, self.options)
            self.finished[position] = device
            if self.on_device is not None:
                self.on_device(device)
            target = target_for(entry, inventory)
            if device.reachable and target is not None:
                await self._after_scan(PollTarget(device, target, time.monotonic()))

        try:
            async with asyncio.TaskGroup() as group:
                if inventory.discovery.enabled:
                    group.create_task(self._discover())
                if self.link is not None:
                    group.create_task(self._pings(self.link))
                if self.ipv6 is not None:
                    group.create_task(self._ipv6_lan(self.ipv6))
                for position, entry in enumerate(inventory.devices):
                    group.create_task(one(position, entry))
        finally:
            release_backends()

    async def _discover(self) -> None:
        self.on_phase("discovery: sweeping the declared subnets")
        from infraaudit.probes.discovery import discover

        self.discovery = await discover(self.loaded.inventory, snmp_backend=self.options.backend)

    async def _pings(self, link: LinkReport) -> None:
        options = self.loaded.inventory.link
        self.on_phase(f"link: {options.ping_count} pings per target, one every "
                      f"{options.ping_interval_ms:g} ms")
        link.pings, link.ping_error, link.notes = await run_pings(self.loaded.inventory, self.host)

    async def _ipv6_lan(self, report: Ipv6Report) -> None:
        found = await run_ipv6_lan(self.loaded.inventory, self.host)
        report.segments, report.dns, report.host = found.segments, found.dns, found.host
        report.notes += found.notes

    async def _after_scan(self, pt: PollTarget) -> None:
        """Right after a device's scan: its second port poll and its IPv6 management check."""
        inventory = self.loaded.inventory
        jobs = []
        if self.link is not None and inventory.link.poll_interval_s > 0 and pt.device.ports:
            jobs.append(self._poll_again(self.link, pt))
        if self.ipv6 is not None:
            jobs.append(self._ipv6_management(pt))
        await asyncio.gather(*jobs)

    async def _poll_again(self, link: LinkReport, pt: PollTarget) -> None:
        options = self.loaded.inventory.link
        if not self._poll:
            self.on_phase(f"link: polling ports again {options.poll_interval_s:g} s after each "
                          "device's first poll")
        self._poll.append(pt)
        ports, errors = await poll_again([pt], options, self.options.backend)
        link.ports += ports
        link.errors += errors
        link.poll_interval_s = options.poll_interval_s

    async def _ipv6_management(self, pt: PollTarget) -> None:
        self._management[pt.device.host] = await management_over_ipv6(
            pt.device, pt.target, self.loaded.inventory.subnets, self.options.backend)

    def document(self, *, complete: bool) -> AuditDocument:
        inventory = self.loaded.inventory
        devices = []
        for position, entry in enumerate(inventory.devices):
            device = self.finished.get(position)
            if device is None:
                device = Device(host=entry.host, port=entry.port, name=entry.name,
                                snmp_profile=entry.snmp,
                                probes=_all_probes(ProbeStatus.SKIPPED, "scan interrupted"))
            devices.append(device)
        doc = AuditDocument(
            agency=inventory.agency,
            site=inventory.site,
            scan=ScanMeta(
                tool_version=__version__, started_at=self.started_at, finished_at=now_iso(),
                scanning_host=socket.gethostname(), inventory_digest=self.loaded.digest,
                snmp_backend=self.options.backend.value,
                complete=complete and len(self.finished) == len(devices),
            ),
            coverage=Coverage(targets=0, reachable=0, fully_probed=0),
            devices=devices,
            host=self.host,
            link=self.link,
            ipv6=self.ipv6,
            discovery=self.discovery,
        )
        if self.link is not None:
            self.link.endpoints = endpoint_share(devices)
        doc.endpoints = place_endpoints(devices, self.discovery)
        if self.ipv6 is not None:
            readiness(self.ipv6, devices, self._management, inventory)
        doc.recount()
        return doc
