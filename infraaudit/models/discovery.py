"""What discovery found in a site's declared subnets: sweeps, hosts and the LLDP/CDP crawl.

Discovery never leaves the inventory's ``subnets``: a neighbour whose management address is
outside them is recorded as an edge that was not followed, and nothing is sent to it.
"""

from typing import Literal

from pydantic import Field

from infraaudit.models.base import Strict

HowFound = Literal["arp", "icmp", "lldp", "cdp", "inventory"]


class DiscoveredHost(Strict):
    """One address that answered (or that the inventory or a neighbour table names)."""

    address: str
    mac: str | None = Field(default=None, description="from the ARP reply (local subnets only)")
    how: list[HowFound] = Field(description="every way the address was found, first one first")
    interface: str | None = Field(default=None, description="scanning host's interface (ARP)")
    rtt_ms: float | None = Field(default=None, description="best ARP or ICMP response time")
    subnet: str | None = Field(default=None, description="declared subnet (name or prefix)")
    in_inventory: bool = False
    snmp_profile: str | None = Field(
        default=None, description="name of the credentials.snmp profile that answered"
    )
    sys_name: str | None = None
    sys_object_id: str | None = None
    sys_descr: str | None = None
    vendor: str | None = Field(default=None, description="from the sysObjectID enterprise")


class DiscoverySweep(Strict):
    """One sweep of one declared subnet (or the record of why it was not swept)."""

    subnet: str = Field(description="the prefix, e.g. 10.1.0.0/24")
    name: str | None = None
    method: Literal["arp", "icmp", "none"]
    interface: str | None = Field(default=None, description="interface the ARP sweep used")
    targets: int = Field(default=0, description="host addresses of the subnet that were probed")
    sent: int = Field(default=0, description="requests sent (both attempts)")
    answered: int = 0
    duration_ms: float = 0.0
    error: str | None = Field(
        default=None, description="why the sweep failed or was not done; null when it ran"
    )


class CrawlEdge(Strict):
    """One neighbour that a crawled device lists in its LLDP or CDP table."""

    device: str = Field(description="address of the device whose table lists the neighbour")
    device_name: str | None = None
    protocol: Literal["lldp", "cdp"]
    local_port: str | None = Field(default=None, description="the device's port (id or name)")
    neighbour_name: str | None = None
    neighbour_port: str | None = None
    neighbour_address: str | None = Field(default=None, description="its management address")
    followed: bool = Field(description="the neighbour is crawled (now or already)")
    reason: str | None = Field(
        default=None,
        description="why not followed (outside subnets, no management address, max depth, "
                    "max devices) or 'already crawled'",
    )


class CrawledDevice(Strict):
    """A device whose neighbour tables the crawl read (or tried to)."""

    address: str
    depth: int = Field(description="0 for the inventory's devices (the seeds)")
    name: str | None = None
    neighbours: int = 0
    error: str | None = None


class Discovery(Strict):
    started_at: str = Field(description="ISO 8601 UTC")
    duration_ms: float
    sweeps: list[DiscoverySweep] = Field(default_factory=list)
    hosts: list[DiscoveredHost] = Field(default_factory=list)
    crawled: list[CrawledDevice] = Field(default_factory=list)
    edges: list[CrawlEdge] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list, description="problems of the whole run")
