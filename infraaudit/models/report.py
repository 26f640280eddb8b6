"""The agency report as data: what the renderers (Markdown, HTML, DOCX) turn into the
"Hạ tầng số" section and the 2026–2030 task list. Built from the sites' latest audits, the
findings engine and the proposal engine; wording lives in ``report_templates/``."""

from pydantic import Field

from infraaudit.models.base import Strict
from infraaudit.models.finding import Finding


class ReportMeta(Strict):
    """The official-document frame (Nghị định 30/2020/NĐ-CP)."""

    parent_org: str = Field(description="cơ quan chủ quản, e.g. ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA")
    agency_name: str = Field(description="e.g. THANH TRA TỈNH")
    number: str = Field(description="e.g. Số: …/BC-TTr (left for the office to fill)")
    place: str = Field(description="e.g. Khánh Hòa")
    date: str = Field(description="ISO date of the report")
    year: int = Field(description="the year reported on")
    title: str = Field(description="BÁO CÁO title line(s)")
    addressee: str | None = Field(default=None, description="Kính gửi: the body reported to")
    recipients: list[str] = Field(default_factory=list, description="Nơi nhận")
    signer_title: str = ""
    signer_name: str = ""


class SwitchPorts(Strict):
    """Port health of one device (a bar of the port-health chart)."""

    device: str
    model: str | None = None
    ports: int
    up: int
    down: int
    free: int = Field(description="ethernet ports down or never used: free capacity")
    with_errors: int = 0
    flapping: int = 0
    downgraded: int = Field(default=0, description="speed or duplex below capability")


class LinkRow(Strict):
    target: str
    loss_pct: float | None = None
    rtt_avg_ms: float | None = None
    jitter_ms: float | None = None


class TopologyEdge(Strict):
    a: str
    a_port: str | None = None
    b: str
    b_port: str | None = None


class DeviceAgeRow(Strict):
    """A device whose service start is known: its age against its role's service life."""

    device: str
    role: str
    since: int = Field(description="year in service (or made)")
    source: str = Field(description="inventory, entity-mib or serial")
    age: int
    life: int
    ends: int = Field(description="year its service life ends")


class HistoryDevice(Strict):
    device: str
    runs: int
    answered: int
    availability_pct: float


class HistoryLink(Strict):
    target: str
    runs: int
    loss_p50: float | None = None
    loss_p95: float | None = None
    rtt_p50_ms: float | None = None
    rtt_p95_ms: float | None = None
    jitter_p95_ms: float | None = None


class HistoryPort(Strict):
    device: str
    port: str
    samples: int
    runs_with_errors: int
    error_ppm_max: float | None = None
    fcs_ppm_max: float | None = None
    flaps: int = Field(description="runs in which the port had gone down and up")


class SiteHistory(Strict):
    """The nightly health checks of one site over the report's window (infraaudit health)."""

    days: int
    runs: int
    first: str = Field(description="ISO time of the first run in the window")
    last: str
    complete_runs: int
    devices: list[HistoryDevice] = Field(default_factory=list)
    links: list[HistoryLink] = Field(default_factory=list)
    ports: list[HistoryPort] = Field(
        default_factory=list, description="ports with errors or flaps in at least one run")


class SiteFacts(Strict):
    """What was measured at one site, for the tables and charts."""

    site_id: str
    name: str
    address: str | None = None
    audit_id: str
    scanned_at: str
    complete: bool
    devices: int
    devices_answered: int
    roles: dict[str, int] = Field(default_factory=dict, description="role -> device count")
    vendors: dict[str, int] = Field(default_factory=dict, description="vendor -> device count")
    ports: list[SwitchPorts] = Field(default_factory=list)
    links: list[LinkRow] = Field(default_factory=list)
    wired_endpoints: int | None = None
    wifi_endpoints: int | None = None
    wifi_pct: float | None = None
    ipv6_phase: int | None = None
    ipv6_scores: dict[str, int] = Field(default_factory=dict, description="device -> 1..5")
    topology: list[TopologyEdge] = Field(default_factory=list, description="LLDP/CDP links")
    topology_nodes: dict[str, str] = Field(
        default_factory=dict, description="node -> role (router, switch, ap, ...)")
    ages: list[DeviceAgeRow] = Field(default_factory=list, description="devices of known age")
    history: SiteHistory | None = Field(default=None, description="nightly checks, if any")
    history_error: str | None = Field(
        default=None, description="why the site's history database could not be read")


class SiteFinding(Strict):
    site: str = Field(description="site name")
    finding: Finding


class ProposalTask(Strict):
    """One line of the 2026–2030 task list: quantity x unit price, and why."""

    id: str = Field(description="stable: T-<year>-<n>")
    year: int
    priority: int = Field(description="1 urgent defects, 2 end of life, 3 IPv6, 4 capacity")
    site: str
    title: str = Field(description="Vietnamese task title")
    item: str = Field(description="catalog item key")
    item_name: str = Field(description="Vietnamese item name from the catalog")
    unit: str
    quantity: int
    unit_price_vnd: int
    cost_vnd: int
    answers: list[str] = Field(description="findings it answers: 'CODE subject'", min_length=1)
    basis: str = Field(description="how the quantity was derived from the measurements")


class CatalogNote(Strict):
    item: str
    name: str
    unit_price_vnd: int
    source: str
    date: str


class Proposal(Strict):
    tasks: list[ProposalTask] = Field(default_factory=list)
    totals_by_year: dict[int, int] = Field(default_factory=dict)
    totals_by_site: dict[str, int] = Field(default_factory=dict)
    total_vnd: int = 0
    prices: list[CatalogNote] = Field(default_factory=list, description="unit prices used")


class AgencyReport(Strict):
    meta: ReportMeta
    sites: list[SiteFacts] = Field(default_factory=list)
    findings: list[SiteFinding] = Field(default_factory=list)
    proposal: Proposal = Field(default_factory=Proposal)
    missing_sites: list[str] = Field(
        default_factory=list, description="sites listed without an audit: named, not hidden")
