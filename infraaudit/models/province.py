"""The province report as data: every agency's latest audits side by side (Sở KH&CN).

Built by ``infraaudit.report.province.build_province`` from audit documents; rendered by
``infraaudit.report.render.province`` (Markdown, HTML, DOCX, XLSX). Counts are whole numbers so the
tables and the workbook can be added up and compared.
"""

from pydantic import Field

from infraaudit.models.base import Strict
from infraaudit.models.finding import Finding, Severity
from infraaudit.models.report import CatalogNote, ProposalTask, ReportMeta

SEVERITIES: tuple[Severity, ...] = ("high", "medium", "low", "info")


class SeverityCounts(Strict):
    high: int = 0
    medium: int = 0
    low: int = 0
    info: int = 0

    @property
    def total(self) -> int:
        return self.high + self.medium + self.low + self.info

    def count(self, severity: Severity) -> int:
        return int(getattr(self, severity))


class Measures(Strict):
    """What is compared between sites, agencies and the province."""

    devices: int = Field(default=0, description="devices in the inventories")
    devices_answered: int = 0
    ports_total: int = Field(default=0, description="Ethernet ports of network devices")
    ports_used: int = Field(default=0, description="of which up")
    findings: SeverityCounts = Field(default_factory=SeverityCounts)
    ipv6_scored: int = Field(default=0, description="devices given an IPv6 readiness score")
    ipv6_ready: int = Field(default=0, description="of which scored 4 or 5")
    past_lifetime: int = Field(default=0, description="devices past their service life or whose "
                               "firmware is past support (DEVICE-PAST-LIFETIME, SEC-FIRMWARE-EOS)")
    tasks: int = Field(default=0, description="proposal tasks")
    proposal_by_year: dict[int, int] = Field(default_factory=dict, description="year -> VND")
    proposal_vnd: int = 0


class SiteRow(Measures):
    agency_code: str
    agency_name: str
    site_id: str
    site_name: str
    address: str | None = None
    audit_id: str
    scanned_at: str
    complete: bool
    ipv6_phase: int | None = Field(default=None, description="IPv6 for Gov phase reached")


class AgencyRow(Measures):
    code: str
    name: str
    sites: int
    last_scan: str = Field(description="newest scan time of its sites")
    incomplete_sites: int = Field(default=0, description="sites whose scan was interrupted")
    ipv6_phase_min: int | None = Field(default=None, description="lowest phase of its sites")


class ProvinceFinding(Strict):
    agency_code: str
    agency_name: str
    site_name: str
    finding: Finding


class ProvinceTask(Strict):
    agency_code: str
    agency_name: str
    task: ProposalTask


class ProvinceReport(Strict):
    frame: ReportMeta | None = Field(
        default=None, description="the official frame (masthead, number, Kính gửi, signature) "
        "when the province gives one; without it the report is a plain summary")
    year: int = Field(description="the year reported on")
    date: str = Field(description="ISO date of the report")
    years: list[int] = Field(description="years of the 2026–2030 plan shown as columns")
    agencies: list[AgencyRow] = Field(default_factory=list)
    sites: list[SiteRow] = Field(default_factory=list)
    findings: list[ProvinceFinding] = Field(default_factory=list)
    tasks: list[ProvinceTask] = Field(default_factory=list)
    totals: Measures = Field(default_factory=Measures)
    superseded: int = Field(default=0, description="older audits of a site, not counted")
    prices: list[CatalogNote] = Field(default_factory=list, description="unit prices used")
