"""Link-stability measurements of one site scan: ping series, counter deltas, Wi-Fi share.

Everything here is a measurement with the numbers it rests on; judging it (thresholds,
severities) is the findings engine's job.
"""

from typing import Literal

from pydantic import Field

from infraaudit.models.base import Strict


class PingSeries(Strict):
    """A series of ICMP echo requests from the scanning host to one target."""

    target: str
    name: str | None = Field(default=None, description="inventory device name, or 'gateway'")
    kind: Literal["gateway", "device"]
    count: int
    interval_ms: float
    started_at: str = Field(description="ISO 8601 UTC")
    sent: int = 0
    received: int = 0
    loss_pct: float | None = None
    rtt_min_ms: float | None = None
    rtt_avg_ms: float | None = None
    rtt_max_ms: float | None = None
    jitter_ms: float | None = Field(
        default=None, description="RFC 3550 mean deviation: mean |RTT(i) - RTT(i-1)|"
    )
    error: str | None = None


class PortPoll(Strict):
    """One port between the first and the last interface poll of the scan."""

    device: str = Field(description="device management address")
    device_name: str | None = None
    if_index: int
    port: str | None = Field(default=None, description="ifName, else ifDescr")
    interval_s: float = Field(description="seconds between the first and the last poll")
    samples: int = Field(description="status samples taken (first and last poll included)")
    oper_status_first: str | None = None
    oper_status_last: str | None = None
    transitions: int = Field(
        default=0, description="state changes seen: oper-status changes and ifLastChange moves"
    )
    last_change_age_s: float | None = Field(
        default=None, description="sysUpTime - ifLastChange at the last poll"
    )
    counter_reset: bool = Field(
        default=False, description="a counter went backwards (agent restart): no rates"
    )
    in_packets: int | None = Field(default=None, description="unicast packets received (delta)")
    out_packets: int | None = None
    in_errors: int | None = None
    out_errors: int | None = None
    in_discards: int | None = None
    out_discards: int | None = None
    fcs_errors: int | None = None
    in_error_ppm: float | None = Field(default=None, description="errors per million packets")
    out_error_ppm: float | None = None
    discard_ppm: float | None = None
    fcs_ppm: float | None = None
    in_octets: int | None = Field(default=None, description="octets received (delta)")
    out_octets: int | None = None
    speed_mbps: float | None = Field(default=None, description="port speed at the last poll")
    in_util_pct: float | None = Field(
        default=None, description="mean inbound load over the interval, % of the port speed; "
        "None when a 32-bit counter could have wrapped more than once")
    out_util_pct: float | None = None


class Endpoint(Strict):
    """A MAC address learnt on an edge port, with where it was learnt."""

    mac: str
    device: str
    port: str | None = None
    wifi: bool
    via: str = Field(description="why it counts as Wi-Fi or wired")


class EndpointShare(Strict):
    """Endpoints learnt behind Wi-Fi access points versus on wired edge ports."""

    wired: int = 0
    wifi: int = 0
    wifi_pct: float | None = None
    access_points: list[str] = Field(
        default_factory=list, description="access points and how each was recognised")
    endpoints: list[Endpoint] = Field(default_factory=list)


class LinkReport(Strict):
    """The link-stability section of the audit."""

    pings: list[PingSeries] = Field(default_factory=list)
    ping_error: str | None = Field(default=None, description="why no ping series could run")
    notes: list[str] = Field(default_factory=list, description="targets left out, and why")
    poll_interval_s: float | None = None
    ports: list[PortPoll] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list, description="devices whose re-poll failed")
    endpoints: EndpointShare | None = None
