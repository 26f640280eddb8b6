"""Device condition from the scan's health reads (``devices[].health``): sustained high CPU or
memory, a failed fan or power supply, a temperature over the sensor's own threshold."""

from __future__ import annotations

from typing import Any

from infraaudit.findings.thresholds import ConditionLimits, Thresholds
from infraaudit.findings.wording import _fmt, device_label, make, wording
from infraaudit.models import AuditDocument, Device
from infraaudit.models.device_health import CpuSample, MemorySample, Sensor
from infraaudit.models.finding import Evidence, Finding

FAILED = ("failed", "critical")
STATE_CODES = {"fan": "DEVICE-FAN-FAILED", "power": "DEVICE-POWER-FAILED"}


def sustained(samples: list[CpuSample] | list[MemorySample], limit: float,
              windows: list[str]) -> bool:
    """Every sample at or above ``limit``, and either two samples (the scan's and the second
    poll's read) or one the agent averages over a sustained window (a 5-min average)."""
    if not samples or any(s.percent < limit for s in samples):
        return False
    if len({s.poll for s in samples}) >= 2:
        return True
    return any(getattr(s, "window", None) in windows for s in samples)


def _samples_evidence(device: str, samples: list[CpuSample] | list[MemorySample]
                      ) -> list[Evidence]:
    out = []
    for s in samples:
        measured: dict[str, Any] = {"poll": s.poll, "percent": s.percent}
        if isinstance(s, CpuSample):
            measured.update(window=s.window or "instant",
                            processors=", ".join(f"{v:g}" for v in s.processors))
        else:
            measured.update(used_bytes=s.used_bytes, total_bytes=s.total_bytes)
        out.append(Evidence(source=f"snmp:{s.source}", device=device, measured=measured))
    return out


def _load(device: Device, name: str, c: ConditionLimits) -> list[Finding]:
    assert device.health is not None
    out = []
    for code, samples, limit in (("DEVICE-CPU-HIGH", device.health.cpu, c.cpu_pct),
                                 ("DEVICE-MEMORY-HIGH", device.health.memory, c.memory_pct)):
        if not sustained(samples, limit, c.sustained_windows):
            continue
        lowest = min(s.percent for s in samples)
        words = wording().words
        window = next((w for s in samples if (w := getattr(s, "window", None))), None)
        how = (words["condition-reads"].format(samples=f"{len(samples):02d}", lowest=_fmt(lowest))
               if len({s.poll for s in samples}) >= 2
               else words["condition-average"].format(window=_window(window)))
        values = {"percent": max(s.percent for s in samples), "lowest": lowest,
                  "samples": len(samples), "threshold": limit, "how": how}
        out.append(make(code, name, values, _samples_evidence(name, samples)))
    return out


def _window(window: str | None) -> str:
    """``5min`` -> ``05 phút`` (counts below 10 in two digits)."""
    minutes = (window or "").removesuffix("min")
    return f"{int(minutes):02d} phút" if minutes.isdigit() else (window or "")


def _sensor_evidence(name: str, s: Sensor) -> Evidence:
    return Evidence(source=f"snmp:{s.source}", device=name, measured={
        "sensor": s.name or s.index, "kind": s.kind, "value": s.value, "unit": s.unit,
        "threshold": s.threshold, "state": s.state, "raw_state": s.raw_state})


def _too_hot(s: Sensor) -> bool:
    over = s.value is not None and s.threshold is not None and s.value >= s.threshold
    return s.kind == "temperature" and (over or s.state in FAILED)


def _sensors(device: Device, name: str) -> list[Finding]:
    assert device.health is not None
    out = []
    for kind, code in STATE_CODES.items():
        bad = [s for s in device.health.sensors if s.kind == kind and s.state in FAILED]
        if bad:
            out.append(make(code, name, {
                "count": f"{len(bad):02d}",
                "total": f"{sum(s.kind == kind for s in device.health.sensors):02d}",
                "names": "; ".join(s.name or s.index for s in bad)},
                [_sensor_evidence(name, s) for s in bad]))
    hot = [s for s in device.health.sensors if _too_hot(s)]
    if hot:
        top = max(hot, key=lambda s: s.value if s.value is not None else float("-inf"))
        words = wording().words
        reading = (words["temperature-reading"].format(value=_fmt(top.value),
                                                       threshold=_fmt(top.threshold))
                   if top.value is not None and top.threshold is not None
                   else words["temperature-state"])
        out.append(make("DEVICE-TEMPERATURE-HIGH", name, {
            "count": f"{len(hot):02d}", "names": "; ".join(s.name or s.index for s in hot),
            "reading": reading, "value": top.value, "threshold": top.threshold},
            [_sensor_evidence(name, s) for s in hot]))
    return out


def condition_findings(doc: AuditDocument, t: Thresholds) -> list[Finding]:
    """DEVICE-CPU-HIGH, DEVICE-MEMORY-HIGH, DEVICE-FAN-FAILED, DEVICE-POWER-FAILED,
    DEVICE-TEMPERATURE-HIGH for each device whose health was read."""
    out: list[Finding] = []
    for device in doc.devices:
        if device.health is None:
            continue
        name = device_label(device)
        out += _load(device, name, t.condition) + _sensors(device, name)
    return out
