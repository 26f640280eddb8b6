"""A device's own health as its agent reports it: CPU load, memory use, and the environment
sensors (temperatures, fans, power supplies). Read by ``probes/snmp/health.py``."""

from typing import Literal

from pydantic import Field

from infraaudit.models.base import Strict

SensorKind = Literal["temperature", "fan", "power"]
SensorState = Literal["ok", "warning", "critical", "failed", "absent", "unknown"]


class CpuSample(Strict):
    """One read of the device's CPU load: the figure judged and each processor's (or module's)."""

    poll: int = Field(description="1: the scan's read, 2: the second poll's read")
    percent: float = Field(description="load in %: of the busiest module (vendor tables of "
                           "modules or boards), or the mean of the cores (HOST-RESOURCES-MIB)")
    processors: list[float] = Field(default_factory=list, description="each one's load, in %")
    window: str | None = Field(default=None, description="the agent's averaging window (e.g. "
                               "5min: one read is already a sustained figure); None: instant")
    source: str = Field(description="MIB object and numeric OID the load was read from")


class MemorySample(Strict):
    """One read of memory use; ``percent`` always, bytes when the agent gives them."""

    poll: int
    percent: float
    used_bytes: int | None = None
    total_bytes: int | None = None
    source: str


class Sensor(Strict):
    """One environment sensor: a temperature (°C, with the agent's threshold if it has one), a
    fan or a power supply (a state)."""

    kind: SensorKind
    index: str = Field(description="the row's index in its table")
    name: str | None = None
    value: float | None = Field(default=None, description="the reading, in ``unit``")
    unit: str | None = Field(default=None, description="°C for a temperature, rpm for a fan")
    threshold: float | None = Field(default=None, description="the agent's own limit, in °C")
    state: SensorState = "unknown"
    raw_state: int | None = Field(default=None, description="the state code the agent sent")
    source: str


class DeviceHealth(Strict):
    family: str = Field(description="vendor table set used (health.yaml), or generic")
    cpu: list[CpuSample] = Field(default_factory=list)
    memory: list[MemorySample] = Field(default_factory=list)
    sensors: list[Sensor] = Field(default_factory=list)
