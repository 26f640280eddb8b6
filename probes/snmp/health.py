"""Device health: CPU load, memory use and environment sensors, read with the per-vendor tables
of ``data/health.yaml`` (the family the device's sysObjectID names), each part falling back to
HOST-RESOURCES-MIB / ENTITY-SENSOR-MIB when the vendor's tables give nothing.

Gentle by construction: the first column of each reader is walked alone and the others only if
it has rows, and a family's tables are never tried on another vendor's device. ``parse`` is pure;
``resample`` re-reads CPU and memory in the scan's second poll (the second sample)."""

from __future__ import annotations

from dataclasses import dataclass

from infraaudit.models.device_health import CpuSample, DeviceHealth, MemorySample, Sensor
from infraaudit.probes.snmp.base import SnmpProbe
from infraaudit.probes.snmp.health_tables import (
    GENERIC,
    Column,
    CpuReader,
    FamilyReaders,
    MemoryReader,
    SensorReader,
    tables,
)
from infraaudit.probes.snmp.system import vendor_from_oid
from infraaudit.probes.snmp.table import walk_columns
from infraaudit.probes.snmp.transport import BaseClient, Value
from infraaudit.probes.snmp.values import Walked, integer, text

SYS_OBJECT_ID = "1.3.6.1.2.1.1.2.0"
FAMILY_KEY = "family"  # walked[FAMILY_KEY]["0"]: the vendor family whose tables were read
Part = str  # "cpu", "memory", "sensor<i>"
UNITS = {"temperature": "°C", "fan": "rpm"}


def key(family: str, part: Part, column: Column) -> str:
    return f"{family}:{part}:{column.name}"


def _parts(readers: FamilyReaders) -> list[tuple[Part, list[Column], bool]]:
    out: list[tuple[Part, list[Column], bool]] = []
    if readers.cpu is not None:
        out.append(("cpu", [readers.cpu], readers.cpu.scalar))
    if readers.memory is not None:
        out.append(("memory", readers.memory.columns(), False))
    for i, sensor in enumerate(readers.sensors):
        out.append((f"sensor{i}", sensor.columns(), sensor.scalar))
    return out


async def _read(client: BaseClient, family: str, part: Part, columns: list[Column],
                scalar: bool) -> Walked:
    """One reader's columns: the first alone, the others only when it has rows."""
    names = {key(family, part, c): c.oid for c in columns}
    if scalar:
        got = await client.get([oid + ".0" for oid in names.values()])
        return {name: {"0": got[oid + ".0"]} if oid + ".0" in got else {}
                for name, oid in names.items()}
    first, *rest = names.items()
    walked = await walk_columns(client, dict([first]))
    if walked[first[0]] and rest:
        walked.update(await walk_columns(client, dict(rest)))
    return walked


async def read_health(client: BaseClient, family: str | None,
                      parts: tuple[str, ...] = ("cpu", "memory", "sensor")) -> Walked:
    """Walk the family's readers of ``parts``; generic ones for a part the family left empty."""
    walked: Walked = {}
    chosen = tables().readers(family) if family else FamilyReaders()
    generic = {part: (cols, scalar) for part, cols, scalar in _parts(tables().generic)}
    got_any: set[str] = set()
    for part, columns, scalar in _parts(chosen):
        if not part.startswith(parts):
            continue
        assert family is not None
        rows = await _read(client, family, part, columns, scalar)
        walked.update(rows)
        if any(rows.values()):
            got_any.add(part.rstrip("0123456789"))
    for part, (columns, scalar) in generic.items():
        if part.startswith(parts) and part.rstrip("0123456789") not in got_any:
            walked.update(await _read(client, GENERIC, part, columns, scalar))
    if any(walked.values()):  # nothing read: the probe is unsupported, not an empty record
        walked[FAMILY_KEY] = {"0": (family or GENERIC).encode()}
    return walked


@dataclass(frozen=True)
class HealthProbe(SnmpProbe[DeviceHealth]):
    """One GET of sysObjectID picks the vendor family, then its readers (see ``read_health``)."""

    async def collect(self, client: BaseClient) -> Walked:
        got = await client.get([SYS_OBJECT_ID])
        oid = got.get(SYS_OBJECT_ID)
        family = tables().family_of(vendor_from_oid(oid if isinstance(oid, str) else None))
        return await read_health(client, family)

    @property
    def oids(self) -> list[str]:
        every = [tables().generic, *tables().families.values()]
        return [SYS_OBJECT_ID] + [c.oid for r in every for _, cols, _ in _parts(r) for c in cols]


async def resample(client: BaseClient, health: DeviceHealth) -> DeviceHealth:
    """The second poll's read of CPU and memory, as samples of poll 2 (sensors are not read)."""
    family = None if health.family == GENERIC else health.family
    return parse(await read_health(client, family, ("cpu", "memory")), poll=2)


# --- parsing (pure) -----------------------------------------------------------------------------


def _rows(walked: Walked, family: str, part: Part, column: Column | None) -> dict[str, Value]:
    return walked.get(key(family, part, column), {}) if column is not None else {}


def _order(index: str) -> tuple[int, ...]:
    return tuple(int(a) for a in index.split(".") if a.isdigit())


def _cpu(walked: Walked, family: str, reader: CpuReader, poll: int) -> CpuSample | None:
    loads = []
    for index in sorted(_rows(walked, family, "cpu", reader), key=_order):
        load = integer(_rows(walked, family, "cpu", reader)[index])
        if load is None or not 0 <= load <= 100 or (reader.skip_zero and load == 0):
            continue
        loads.append(float(load))
    if not loads:
        return None
    percent = max(loads) if reader.combine == "max" else round(sum(loads) / len(loads), 1)
    return CpuSample(poll=poll, percent=percent, processors=loads, window=reader.window,
                     source=reader.source)


def _memory(walked: Walked, family: str, r: MemoryReader, poll: int) -> MemorySample | None:
    def col(column: Column | None) -> dict[str, int]:
        rows = _rows(walked, family, "memory", column)
        return {i: v for i, raw in rows.items() if (v := integer(raw)) is not None and v >= 0}

    source = ", ".join(c.source for c in r.columns())
    if r.style == "percent":
        values = [v for v in col(r.percent).values() if v <= 100 and not (r.skip_zero and v == 0)]
        if not values:
            return None
        return MemorySample(poll=poll, percent=float(max(values)), source=source)
    pairs: list[tuple[int, int]] = []  # (used, total) per row
    if r.style == "used_free":
        used, free = col(r.used), col(r.free)
        pairs = [(used[i], used[i] + free[i]) for i in used if i in free]
    elif r.style == "total_free":
        total, free = col(r.total), col(r.free)
        pairs = [(total[i] - free[i], total[i]) for i in total if i in free and free[i] <= total[i]]
    else:  # hr_storage: the RAM rows, in allocation units
        types = _rows(walked, family, "memory", r.type)
        units, size, used = col(r.units), col(r.total), col(r.used)
        ram = [i for i, t in types.items() if t == r.ram_type and i in size and i in used]
        if ram:
            ram_total = sum(size[i] * units.get(i, 1) for i in ram)
            in_use = sum(used[i] * units.get(i, 1) for i in ram)
            names = {n: i for i, v in _rows(walked, family, "memory", r.descr).items()
                     if (n := text(v))}
            available = names.get(r.available or "")
            if available is not None and available in size:  # net-snmp's MemAvailable row
                in_use = ram_total - size[available] * units.get(available, 1)
            else:  # buffers and page cache listed apart: the kernel gives them back on demand
                in_use -= sum(used[i] * units.get(i, 1) for n in r.reclaimable
                              if (i := names.get(n)) is not None and i in used)
            pairs = [(max(0, in_use), ram_total)]
    pairs = [(u, t) for u, t in pairs if t > 0 and u <= t]
    if not pairs:
        return None
    u, t = max(pairs, key=lambda p: p[0] / p[1])  # the fullest pool: where allocation fails
    return MemorySample(poll=poll, percent=round(u * 100 / t, 1), used_bytes=u, total_bytes=t,
                        source=source)


def _sensors(walked: Walked, family: str, part: Part, r: SensorReader) -> list[Sensor]:
    def rows(column: Column | None) -> dict[str, Value]:
        return _rows(walked, family, part, column)

    values, states, types = rows(r.value), rows(r.state), rows(r.type)
    out = []
    for index in sorted(set(values) | set(states), key=_order):
        kind = r.kind
        if r.kind_by_type:
            raw_type = types.get(index)
            found = r.kind_by_type.get(str(raw_type)) if raw_type is not None else None
            if found is None:
                continue  # a kind of sensor not read (voltage, current...)
            kind = found
        value: float | None = None
        raw = integer(values.get(index))
        scale = integer(rows(r.scale_column).get(index))
        precision = integer(rows(r.precision).get(index)) or 0
        # SensorDataScale is yocto(1)..yotta(17), SensorPrecision -8..9: outside, no reading
        if raw is not None and (scale is None or 1 <= scale <= 17) and -8 <= precision <= 9:
            value = raw * r.scale
            if scale is not None:
                value *= 10.0 ** ((scale - 9) * 3)
            value = round(value / 10.0 ** precision, 2)
        state_code = integer(states.get(index))
        if r.skip_zero and not value and state_code is None:
            continue
        limit = integer(rows(r.threshold).get(index))
        out.append(Sensor(
            kind=kind, index=index, name=text(rows(r.name).get(index)), value=value,
            unit=UNITS.get(kind) if value is not None else None,
            threshold=float(limit) if limit else None,
            state=r.states.get(state_code, "unknown") if state_code is not None else "unknown",
            raw_state=state_code,
            source=", ".join(c.source for c in (r.value, r.state) if c is not None)))
    return out


def parse(walked: Walked, poll: int = 1) -> DeviceHealth:
    family = str(text(walked.get(FAMILY_KEY, {}).get("0")) or GENERIC)
    health = DeviceHealth(family=family)
    sources = [(family, tables().readers(family))] if family != GENERIC else []
    sources.append((GENERIC, tables().generic))
    for name, readers in sources:
        if readers.cpu is not None and not health.cpu:
            sample = _cpu(walked, name, readers.cpu, poll)
            health.cpu = [sample] if sample else []
        if readers.memory is not None and not health.memory:
            memory = _memory(walked, name, readers.memory, poll)
            health.memory = [memory] if memory else []
        if not health.sensors:
            health.sensors = [s for i, r in enumerate(readers.sensors)
                              for s in _sensors(walked, name, f"sensor{i}", r)]
    return health


PROBE = HealthProbe(name="health", parse=parse)
