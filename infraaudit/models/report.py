"""The agency report as data: what the renderers (Markdown, HTML, DOCX) turn into the
"Hạ tầng số" section and the 2026–2030 task list. Built from the sites' latest audits, the
findings engine and the proposal engine; wording lives in ``report_templates/``."""

from pydantic import Field

from infraaudit.models.base import Strict
from infraaudit.models.finding import Finding
from infraaudit.models.ports import PortMedia


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
    endpoints: int | None = Field(default=None, description="endpoints placed on a switch or AP "
                                  "port (audit ``endpoints``; None before schema 5)")
    wired_ports: int | None = Field(default=None, description="ethernet ports of the switches "
                                    "for endpoints, uplinks left out (audit ``endpoints``)")
    shared_ports: int | None = Field(default=None, description="access ports with at least "
                                     "cabling.shared_port_endpoints endpoints and no neighbour "
                                     "(hub or desk switch: PORT-SHARED-ENDPOINTS)")
    wired_ports_free: int | None = Field(default=None, description="free ethernet ports of the "
                                         "switches, uplinks left out")
    ipv6_phase: int | None = None
    ipv6_scores: dict[str, int] = Field(default_factory=dict, description="device -> 1..5")
    topology: list[TopologyEdge] = Field(default_factory=list, description="LLDP/CDP links")
    topology_nodes: dict[str, str] = Field(
        default_factory=dict, description="node -> role (router, switch, ap, ...)")
    topology_unnamed: int = Field(
        default=0, description="LLDP/CDP neighbours known only by an address (not drawn)")
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
    kind: str = Field(default="", description="task kind (report_templates/proposal.yaml)")
    group: str = Field(default="", description="group of Phụ lục II (Proposal.groups)")
    devices: list[str] = Field(default_factory=list, description="devices it is about")
    reasons: list[str] = Field(default_factory=list, description="why, in Vietnamese")
    evidence: list[str] = Field(default_factory=list,
                                description="tables of Phụ lục I it rests on")


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
    years: list[int] = Field(default_factory=lambda: list(range(2026, 2031)))
    groups: dict[str, str] = Field(default_factory=dict, description="group key -> title")
    draft: bool = Field(default=False, description="the catalog holds sample prices")
    vat_included: bool = Field(default=False, description="the unit prices include VAT")


# ---------------------------------------------------------------- the section, as numbers
# What the one-page "3. Hạ tầng số" section says, counted once (infraaudit/report/section.py)
# so that the body and Phụ lục I agree; the template words it.


class SitePlace(Strict):
    """A site as the body names it: the main site, or by its street address."""

    name: str = Field(description="the inventory's site name")
    main: bool = Field(description="the agency's main site (the first one listed)")
    street: str | None = Field(default=None, description="e.g. 20 Trần Hưng Đạo")
    ward: str | None = Field(default=None, description="e.g. phường Nha Trang")
    measured: bool = True


class DeviceRef(Strict):
    """A device as the body names it: role, site and model (never its address)."""

    name: str = Field(description="its name in the inventory or sysName (appendix only)")
    role: str
    site: int = Field(description="index into Section.sites")
    vendor: str | None = None
    model: str | None = None


class AgeItem(Strict):
    device: DeviceRef
    since: int
    age: int
    life: int
    ends: int
    source: str


class PortItem(Strict):
    """A port with a measured problem; ``value`` is the measured quantity of its kind (speed in
    Mb/s, errors per million packets, flaps)."""

    device: DeviceRef
    port: str
    value: float | None = None
    media: PortMedia | None = Field(default=None, description="the port's medium, where the "
                                    "finding's evidence names it (Port.media)")


class LoadItem(Strict):
    device: DeviceRef
    port: str
    speed_mbps: float | None = None
    util_pct: float
    threshold: float


class ConditionItem(Strict):
    """A device over one of its condition limits: its CPU load or memory use (``value`` in %,
    ``samples`` reads), a failed fan or power supply (``count`` of them), a temperature (°C),
    a PoE budget (% used), spanning-tree changes per day."""

    device: DeviceRef
    value: float | None = None
    threshold: float | None = None
    samples: int = 0
    window: str | None = Field(default=None, description="the agent's own averaging window")
    count: int = 0


class MismatchItem(Strict):
    """An LLDP/CDP link between two audited devices whose ends differ in duplex or speed."""

    kind: str = Field(description="duplex or speed")
    a: DeviceRef
    b: DeviceRef


class FullItem(Strict):
    device: DeviceRef
    free: int
    total: int


class LinkItem(Strict):
    """A link over a threshold: now (``runs`` = 1) or over the nightly checks."""

    target: str
    device: DeviceRef | None = None
    site: int
    loss_pct: float | None = None
    jitter_ms: float | None = None
    rtt_ms: float | None = None
    runs: int = 1


class WifiSite(Strict):
    site: int
    measured: bool = Field(description="an access point was audited: the share means something")
    wifi: int = 0
    wired: int = 0
    pct: float | None = None
    threshold: float
    free_ports: int = 0


class NotAudited(Strict):
    device: DeviceRef
    answers_ping: bool | None = Field(default=None, description="None: no ping was sent")
    cause: str | None = Field(default=None, description="likely cause key, if the scan told")


class SecurityItem(Strict):
    code: str
    title: str
    devices: list[DeviceRef]
    of: int = Field(description="devices audited at the sites where it was looked for")


class Ipv6Site(Strict):
    site: int
    phase: int
    scored: int
    ready: int = Field(description="devices at readiness 4/5 or above")
    with_address: int = Field(description="devices with a global or ULA IPv6 address")
    missing: list[str] = Field(default_factory=list,
                               description="programme requirement codes unmet for the next phase")


class DeviceRow(Strict):
    """A device of Phụ lục I's list: what it is and whether it could be audited."""

    device: DeviceRef
    software: str | None = Field(default=None, description="agent or router software named")
    firmware: str | None = None
    audited: bool


class Ipv6Row(Strict):
    device: DeviceRef
    score: int
    missing: list[str] = Field(default_factory=list, description="readiness reason codes unmet")


class Section(Strict):
    sites: list[SitePlace] = Field(default_factory=list)
    inventory: list[DeviceRow] = Field(default_factory=list)
    ipv6_devices: list[Ipv6Row] = Field(default_factory=list)
    dates: list[str] = Field(default_factory=list, description="scan days (dd/mm/yyyy)")
    devices: int = 0
    audited: int = 0
    roles: dict[str, int] = Field(default_factory=dict)
    vendors: dict[str, int] = Field(default_factory=dict, description="hardware makers")
    software: dict[str, int] = Field(default_factory=dict,
                                     description="agent software named where a maker was not")
    unknown_vendor: int = 0
    wired: int | None = None
    links: int = Field(default=0, description="links pinged")
    links_clean: int = Field(default=0, description="links without loss")
    rtt_max_ms: float | None = None
    history_runs: int = 0
    history_first: str | None = None
    history_last: str | None = None
    past_life: list[AgeItem] = Field(default_factory=list)
    ending: list[AgeItem] = Field(default_factory=list)
    aged: int = Field(default=0, description="network devices of known age")
    firmware_eos: list[DeviceRef] = Field(default_factory=list)
    port_errors: list[PortItem] = Field(default_factory=list)
    flapping: list[PortItem] = Field(default_factory=list)
    saturated: list[LoadItem] = Field(default_factory=list)
    full: list[FullItem] = Field(default_factory=list)
    downgraded: list[PortItem] = Field(default_factory=list)
    half_duplex: list[PortItem] = Field(default_factory=list)
    crc: list[PortItem] = Field(default_factory=list)
    shared: list[PortItem] = Field(default_factory=list, description="ports several endpoints "
                                   "share through a hub or desk switch (value: endpoints)")
    cpu_high: list[ConditionItem] = Field(default_factory=list)
    memory_high: list[ConditionItem] = Field(default_factory=list)
    fan_failed: list[ConditionItem] = Field(default_factory=list)
    power_failed: list[ConditionItem] = Field(default_factory=list)
    too_hot: list[ConditionItem] = Field(default_factory=list)
    poe_full: list[ConditionItem] = Field(default_factory=list)
    health_read: int = Field(default=0, description="devices whose CPU or memory was read")
    stp_churn: list[ConditionItem] = Field(default_factory=list)
    stp_blocking: list[PortItem] = Field(default_factory=list)
    mismatched: list[MismatchItem] = Field(default_factory=list)
    lossy: list[LinkItem] = Field(default_factory=list)
    jittery: list[LinkItem] = Field(default_factory=list)
    wifi: list[WifiSite] = Field(default_factory=list)
    ipv6: list[Ipv6Site] = Field(default_factory=list)
    not_audited: list[NotAudited] = Field(default_factory=list)
    security: list[SecurityItem] = Field(default_factory=list)
    loss_threshold: float = 0
    jitter_threshold: float = 0
    load_threshold: float = 0
    free_threshold: float = 0
    cpu_threshold: float = 0
    memory_threshold: float = 0
    poe_threshold: float = 0
    stp_threshold: float = Field(default=0, description="topology changes per day")
    ipv6_target_phase: int = 2


class AgencyReport(Strict):
    meta: ReportMeta
    sites: list[SiteFacts] = Field(default_factory=list)
    findings: list[SiteFinding] = Field(default_factory=list)
    proposal: Proposal = Field(default_factory=Proposal)
    missing_sites: list[str] = Field(
        default_factory=list, description="sites listed without an audit: named, not hidden")
    section: Section = Field(default_factory=Section,
                             description="the numbers the section's text states")
