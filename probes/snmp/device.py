"""Run the SNMP probes against one device and assemble one Device record from their facts."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from infraaudit.errors import DecodeError, TransportError, TransportTimeout
from infraaudit.models import Device, Port, PortMedia, ProbeResult, ProbeStatus, ServiceAge
from infraaudit.models.device_health import DeviceHealth
from infraaudit.probes.snmp import (
    bridge,
    entity,
    health,
    identity,
    interfaces,
    ip,
    l2,
    lldp,
    neighbours,
    system,
)
from infraaudit.probes.snmp.base import SnmpProbe
from infraaudit.probes.snmp.role import guess_role
from infraaudit.probes.snmp.table import count_values
from infraaudit.probes.snmp.transport import BadValue, BaseClient
from infraaudit.probes.snmp.values import ColumnErrors, Walked, collecting_errors

PROBES: tuple[SnmpProbe[Any], ...] = (
    system.PROBE, entity.PROBE, interfaces.PROBE, ip.PROBE, lldp.PROBE, bridge.PROBE,
    health.PROBE,
    l2.PROBE,
    neighbours.PROBE,
)


@dataclass
class Collected:
    facts: dict[str, BaseModel] = field(default_factory=dict)
    results: list[ProbeResult] = field(default_factory=list)
    decode_failed: bool = False


async def run_probe(probe: SnmpProbe[Any], client: BaseClient) -> tuple[BaseModel | None,
                                                                          ProbeResult, bool]:
    """Run one probe; any failure becomes the returned result, never an exception."""
    started = datetime.now(UTC).isoformat(timespec="milliseconds")
    t0 = time.perf_counter()
    facts: BaseModel | None = None
    count, error, decode = 0, None, False
    try:
        walked = await probe.collect(client)
        count = count_values(walked)
        if count:
            facts, error = parse_keeping_cells(probe, walked)
        status = ProbeStatus.OK if count else ProbeStatus.UNSUPPORTED
        if not count:
            error = "the agent has none of the objects this probe reads"
    except DecodeError as exc:
        status, error, decode = ProbeStatus.FAILED, f"malformed reply: {exc}", True
    except TransportError as exc:
        status, error = ProbeStatus.FAILED, failure_text(exc, client)
    except Exception as exc:  # a parser bug on odd data must not stop the scan
        status, error = ProbeStatus.FAILED, f"internal error while parsing: {exc!r}"
    result = ProbeResult(
        probe=probe.name, status=status, error=error, started_at=started,
        duration_ms=round((time.perf_counter() - t0) * 1000, 2),
        backend=client.label, varbinds=count,
    )
    return facts, result, decode


def parse_keeping_cells(probe: SnmpProbe[Any], walked: Walked) -> tuple[BaseModel, str | None]:
    """Parse with every bad cell left out: a ``BadValue`` from the decoder, or a value of the
    wrong type or range for its column (``values.column_error``). Each is named in the returned
    error text ("ifMtu.1: -2147483648: negative, out of range"); the rest of the table is kept
    and the probe stays OK, so the cell is neither wrong data nor silently dropped."""
    errors: ColumnErrors = []
    clean: Walked = {}
    for column, rows in walked.items():
        clean[column] = {}
        for index, value in rows.items():
            if isinstance(value, BadValue):
                errors.append((f"{column}.{index}", value, value.reason))
            else:
                clean[column][index] = value
    with collecting_errors(errors):
        facts = probe.parse(clean)
    if not errors:
        return facts, None
    named = []
    for what, bad, reason in errors:
        where = what or next((f"{c}.{i}" for c, rows in clean.items()
                              for i, v in rows.items() if v is bad), "a value")
        named.append(f"{where}: {reason}")
    return facts, "values not used (decode error): " + "; ".join(dict.fromkeys(named))


def failure_text(exc: TransportError, client: BaseClient) -> str:
    """What a failed request tells, for the record: the SNMP version before a timeout (a
    v1/v2c agent is silent to a wrong community, a v3 agent answers engine discovery whatever
    the user), whether the v3 agent answered discovery, the last Report PDU it sent."""
    text = str(exc)
    version = client.target.credentials.version
    if isinstance(exc, TransportTimeout):
        text = f"SNMP{version}: {text}"
        if version == "v3" and client.discovered:
            text += "; the agent answered SNMPv3 engine discovery, then nothing"
    routine = client.report == "usmStatsUnknownEngineIDs" and "authentication" not in text
    if client.report and not routine:  # discovery's report is routine, unless the last word
        text += f" (report {client.report})"
    return text


async def collect(client: BaseClient, probes: tuple[SnmpProbe[Any], ...] = PROBES) -> Collected:
    """The system probe first: if the device does not answer it, the rest are skipped."""
    out = Collected()
    first, *rest = probes
    facts, result, decode = await run_probe(first, client)
    out.results.append(result)
    out.decode_failed |= decode
    if facts is None:
        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        out.results += [
            ProbeResult(probe=p.name, status=ProbeStatus.SKIPPED, started_at=now, duration_ms=0,
                        error=f"skipped: {first.name} probe got no answer")
            for p in rest
        ]
        return out
    out.facts[first.name] = facts
    for probe, (f, r, d) in zip(rest, await asyncio.gather(*(run_probe(p, client) for p in rest)),
                                strict=True):
        out.results.append(r)
        out.decode_failed |= d
        if f is not None:
            out.facts[probe.name] = f
    return out


def map_lldp_ports(facts: lldp.LldpFacts, ports: list[Port],
                   base_ports: dict[int, int]) -> dict[int, int]:
    """localPortNum -> ifIndex: by the local port id or description matching a port's name,
    then through the bridge port table, then as an ifIndex itself (what LibreNMS does too)."""
    by_name: dict[str, int] = {}
    for port in ports:
        for label in (port.descr, port.alias, port.mac, port.name):
            if label:
                by_name[label.lower()] = port.if_index
    indexes = {p.if_index for p in ports}
    mapping = {}
    for local in facts.ports:
        for label in (local.local_port_id, local.local_port_descr):
            if label and label.lower() in by_name:
                mapping[local.local_port_num] = by_name[label.lower()]
                break
        else:
            if local.local_port_num in base_ports:
                mapping[local.local_port_num] = base_ports[local.local_port_num]
            elif local.local_port_num in indexes:
                mapping[local.local_port_num] = local.local_port_num
    return mapping


def _identity(device: Device, sys_facts: system.SystemFacts, ent: object) -> None:
    """Model, serial, firmware and age: ENTITY-MIB first, then the vendor's sysDescr."""
    if isinstance(ent, entity.EntityFacts):
        device.model, device.serial = ent.model, ent.serial
        device.firmware, device.hardware_rev = ent.firmware, ent.hardware_rev
        device.model_source = "entity-mib" if ent.model else None
        device.firmware_source = "entity-mib" if ent.firmware else None
        if ent.mfg_date:
            device.in_service = ServiceAge(year=int(ent.mfg_date[:4]), source="entity-mib",
                                           detail=ent.mfg_date)
    if not device.model or not device.firmware:  # ENTITY gave none: the vendor's sysDescr
        said = identity.from_sys_descr(sys_facts.sys_descr, sys_facts.sys_object_id)
        if not device.model and said.model:
            device.model, device.model_source = said.model, "sysDescr"
        if not device.firmware and said.firmware:
            device.firmware, device.firmware_source = said.firmware, "sysDescr"


def _attach_media(ports: list[Port], ent: object) -> None:
    """A port entity's medium (ENTITY-MIB) on the interface of that name (entPhysicalName is
    the ifName or ifDescr on the agents recorded: "GigabitEthernet1/0/6"), without case."""
    if not isinstance(ent, entity.EntityFacts) or not ent.port_media:
        return
    by_name: dict[str, PortMedia] = {n.casefold(): m for n, m in ent.port_media.items()}
    for port in ports:
        port.media = next((by_name[label.casefold()] for label in (port.name, port.descr)
                           if label and label.casefold() in by_name), None)


def assemble(device: Device, collected: Collected) -> Device:
    """Fill ``device`` (host, name, profile already set) from the probes' facts. Pure."""
    f = collected.facts
    device.probes = collected.results
    sys_facts = f.get("system")
    if not isinstance(sys_facts, system.SystemFacts):
        device.reachable = False
        return device
    device.reachable = True
    for name in ("sys_name", "sys_descr", "sys_object_id", "sys_location", "sys_contact",
                 "uptime_s", "vendor"):
        setattr(device, name, getattr(sys_facts, name))
    _identity(device, sys_facts, f.get("entity"))
    ifs = f.get("interfaces")
    ports = list(ifs.ports) if isinstance(ifs, interfaces.InterfaceFacts) else []
    _attach_media(ports, f.get("entity"))
    by_index = {p.if_index: p for p in ports}
    br = f.get("bridge")
    base_ports: dict[int, int] = {}
    if isinstance(br, bridge.BridgeFacts):
        base_ports = br.base_port_if_index
        by_if, _, used = bridge.place(br, set(by_index))
        if br.macs_by_bridge_port:
            device.bridge_port_mapping = used
        for if_index, macs in by_if.items():
            if if_index in by_index:
                by_index[if_index].mac_count = len(macs)
                by_index[if_index].macs = macs
    layer2 = f.get("l2")
    if isinstance(layer2, l2.L2Facts):
        device.vlans, device.poe = list(layer2.vlans), layer2.poe
        device.pvids, device.stp = l2.apply(layer2, ports, base_ports)
    if isinstance(br, bridge.BridgeFacts) and br.fdb_ids_by_mac:
        learnt_in = bridge.mac_vlans(br, {v.id for v in device.vlans})
        for learning in ports:
            learning.mac_vlans = {m: learnt_in[m] for m in learning.macs if m in learnt_in}
    nb = f.get("lldp")
    if isinstance(nb, lldp.LldpFacts):
        mapping = map_lldp_ports(nb, ports, base_ports)
        for local in nb.ports:
            target = by_index.get(mapping.get(local.local_port_num, -1))
            if target is not None:
                target.lldp_neighbours = list(local.neighbours)
    addrs = f.get("ip")
    if isinstance(addrs, ip.IpFacts):
        device.addresses = list(addrs.addresses)
        for address in addrs.addresses:
            port = by_index.get(address.if_index or -1)
            if port is not None:
                port.addresses.append(address)
    arp = f.get("neighbours")
    if isinstance(arp, neighbours.NeighbourFacts):
        device.neighbours = list(arp.neighbours)
    device.ports = ports
    condition = f.get("health")
    if isinstance(condition, DeviceHealth):
        device.health = condition
    device.role, device.role_reason = guess_role(sys_facts, ports)
    return device
