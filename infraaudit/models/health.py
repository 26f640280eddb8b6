"""A nightly health run: the light measurements the history store keeps and compares."""

from pydantic import Field

from infraaudit.models.audit import Agency, Site
from infraaudit.models.base import Strict
from infraaudit.models.device import Duplex, PortCounters
from infraaudit.models.finding import Finding
from infraaudit.models.link import PingSeries


class PortHealth(Strict):
    if_index: int
    name: str | None = None
    admin_status: str | None = None
    oper_status: str | None = None
    speed_mbps: float | None = None
    duplex: Duplex | None = None
    last_change_s: float | None = None
    counters: PortCounters = Field(default_factory=PortCounters)


class DeviceHealth(Strict):
    host: str
    port: int = 161
    name: str | None = None
    reachable: bool = False
    checked: bool = Field(default=True, description="false: no SNMP profile, nothing was tried "
                          "(not counted in the availability history)")
    uptime_s: float | None = None
    error: str | None = None
    ports: list[PortHealth] = Field(default_factory=list)

    @property
    def label(self) -> str:
        return self.name or self.host


class HealthRun(Strict):
    run_id: str
    agency: Agency
    site: Site
    tool_version: str
    inventory_digest: str
    started_at: str = Field(description="ISO 8601 UTC")
    finished_at: str
    complete: bool
    devices: list[DeviceHealth] = Field(default_factory=list)
    pings: list[PingSeries] = Field(default_factory=list)
    ping_error: str | None = None


class HealthReport(Strict):
    """What one run found compared with the previous one: the alert document."""

    run: HealthRun
    previous_run_id: str | None = None
    previous_started_at: str | None = None
    alerts: list[Finding] = Field(default_factory=list)

    @property
    def needs_attention(self) -> bool:
        return any(a.severity != "info" for a in self.alerts)
