"""Device condition rules over health read from real recordings (tests/replay/health/)."""

from __future__ import annotations

import asyncio

from infraaudit.findings import findings
from infraaudit.models import AuditDocument, Device
from infraaudit.models.device_health import CpuSample, DeviceHealth
from infraaudit.probes.snmp.health import PROBE
from infraaudit.probes.snmp.replay import ReplayClient, decode_line
from tests.paths import REPO

CASES = REPO / "tests" / "replay" / "health"


def _health(case: str, patch: dict[str, str] | None = None) -> DeviceHealth:
    lines = (CASES / case / "walk.snmprec").read_text(encoding="utf-8").splitlines()
    varbinds = []
    for line in lines:
        oid = line.split("|", 1)[0]
        if (vb := decode_line((patch or {}).get(oid, line))) is not None:
            varbinds.append(vb)
    return PROBE.parse(asyncio.run(PROBE.collect(ReplayClient(varbinds))))


def _codes(health: DeviceHealth) -> list[str]:
    doc = AuditDocument.model_validate({
        "agency": {"code": "T", "name": "Thanh tra tỉnh"}, "site": {"id": "s", "name": "Trụ sở"},
        "scan": {"tool_version": "t", "started_at": "2026-12-03T00:00:00Z",
                 "finished_at": "2026-12-03T00:01:00Z", "scanning_host": "h",
                 "inventory_digest": "d", "snmp_backend": "gufo", "complete": True},
        "coverage": {"targets": 1, "reachable": 1, "fully_probed": 1}})
    doc.devices = [Device(host="127.0.0.1", name="sw1", reachable=True, health=health)]
    return [f.code for f in findings(doc) if f.code.startswith("DEVICE-")]


def test_one_instant_high_cpu_read_is_not_sustained() -> None:
    health = _health("hpe-procurve-6120xg")  # hpSwitchCpuStat 97 %, one read, no window
    assert health.cpu[0].percent == 97 and "DEVICE-CPU-HIGH" not in _codes(health)


def test_two_high_reads_fire_and_one_low_second_read_does_not() -> None:
    health = _health("hpe-procurve-6120xg")
    high = health.cpu[0].model_copy(update={"poll": 2, "percent": 91.0})
    low = health.cpu[0].model_copy(update={"poll": 2, "percent": 35.0})
    assert "DEVICE-CPU-HIGH" in _codes(health.model_copy(update={"cpu": [*health.cpu, high]}))
    assert "DEVICE-CPU-HIGH" not in _codes(health.model_copy(update={"cpu": [*health.cpu, low]}))


def test_a_five_minute_average_is_sustained_in_one_read() -> None:
    health = _health("cisco-c3750")
    assert health.cpu[0].window == "5min" and "DEVICE-CPU-HIGH" not in _codes(health)
    busy = [CpuSample(poll=1, percent=88.0, window="5min", source=health.cpu[0].source)]
    assert "DEVICE-CPU-HIGH" in _codes(health.model_copy(update={"cpu": busy}))


def test_a_failed_fan_in_the_recording_fires() -> None:
    assert "DEVICE-FAN-FAILED" not in _codes(_health("cisco-c3750"))
    fan = "1.3.6.1.4.1.9.9.13.1.4.1.3.1004"  # ciscoEnvMonFanState: 4 = shutdown
    health = _health("cisco-c3750", {fan: f"{fan}|2|4"})
    assert [s.state for s in health.sensors if s.kind == "fan"] == ["failed"]
    assert "DEVICE-FAN-FAILED" in _codes(health)


def test_temperature_fires_only_over_the_sensors_threshold() -> None:
    health = _health("cisco-c3560")  # 61 °C, threshold 66 °C, state warning
    assert "DEVICE-TEMPERATURE-HIGH" not in _codes(health)
    hot = [s.model_copy(update={"value": 70.0}) for s in health.sensors]
    assert "DEVICE-TEMPERATURE-HIGH" in _codes(health.model_copy(update={"sensors": hot}))


def test_a_sensor_scale_or_precision_outside_its_range_gives_no_reading() -> None:
    """A real Arista sensor (scale units, precision 1: 28.2 °C); an agent sending scale 1000 or
    precision 500 (a float overflow if applied) leaves that sensor without a value."""
    row = "100006001"
    good = next(s for s in _health("arista-7150s").sensors if s.index == row)
    assert good.value == 28.2 and good.kind == "temperature"
    for column, bad in (("2", "1000"), ("3", "500"), ("3", "-9")):
        oid = f"1.3.6.1.2.1.99.1.1.1.{column}.{row}"
        sensors = _health("arista-7150s", {oid: f"{oid}|2|{bad}"}).sensors
        hit = next(s for s in sensors if s.index == row)
        assert hit.value is None and hit.unit is None, (column, bad)
        assert len(sensors) == len(_health("arista-7150s").sensors)


def test_busy_polling_cores_are_not_a_loaded_router() -> None:
    """The Vyatta recording: hrProcessorLoad 6, 5, 100, 100 (two packet-engine cores poll at
    100 % by design) is 52.8 % over the box, not an overloaded router; its "Physical memory" is
    94 % "used" only because net-snmp counts buffers and page cache (31.0 % without them)."""
    health = _health("vyatta-router")
    assert health.cpu[0].processors == [6.0, 5.0, 100.0, 100.0]
    assert health.cpu[0].percent == 52.8
    assert health.memory[0].percent == 31.0
    assert health.memory[0].used_bytes == (7363288 - 826920 - 4102228) * 1024
    twice = health.model_copy(update={"cpu": [*health.cpu, health.cpu[0].model_copy(
        update={"poll": 2})], "memory": [*health.memory, health.memory[0].model_copy(
            update={"poll": 2})]})
    assert _codes(twice) == []


def test_an_available_memory_row_is_what_can_still_be_allocated() -> None:
    """Newer net-snmp agents add an "Available memory" row (MemAvailable): used is the
    physical size less it, whatever the buffers and cache rows say."""
    patch = {"1.3.6.1.2.1.25.2.3.1.2.11": "1.3.6.1.2.1.25.2.3.1.2.11|6|1.3.6.1.2.1.25.2.1.1",
             "1.3.6.1.2.1.25.2.3.1.3.11": "1.3.6.1.2.1.25.2.3.1.3.11|4|Available memory",
             "1.3.6.1.2.1.25.2.3.1.4.11": "1.3.6.1.2.1.25.2.3.1.4.11|2|1024",
             "1.3.6.1.2.1.25.2.3.1.5.11": "1.3.6.1.2.1.25.2.3.1.5.11|2|388205",
             "1.3.6.1.2.1.25.2.3.1.6.11": "1.3.6.1.2.1.25.2.3.1.6.11|2|0"}
    lines = (CASES / "linux-host" / "walk.snmprec").read_text(encoding="utf-8").splitlines()
    varbinds = [vb for line in sorted([*lines, *patch.values()],
                                      key=lambda x: [int(a) for a in x.split("|")[0].split(".")])
                if (vb := decode_line(line)) is not None]
    health = PROBE.parse(asyncio.run(PROBE.collect(ReplayClient(varbinds))))
    assert health.memory[0].total_bytes == 3882052 * 1024
    assert health.memory[0].used_bytes == (3882052 - 388205) * 1024
    assert health.memory[0].percent == 90.0
