"""The scanning host: where the audit was measured from, so results can be read in context."""

from typing import Literal

from pydantic import Field

from infraaudit.models.base import Strict


class HostInterface(Strict):
    name: str
    kind: Literal["wired", "wireless", "loopback", "virtual", "other"]
    up: bool
    mac: str | None = None
    speed_mbps: int | None = None
    duplex: Literal["full", "half", "unknown"] | None = None
    mtu: int | None = None
    addresses: list[str] = Field(default_factory=list, description="address/prefix length")


class HostRoute(Strict):
    family: Literal["ipv4", "ipv6"]
    gateway: str
    interface: str | None = None


class ScanningHost(Strict):
    hostname: str
    os: str
    interfaces: list[HostInterface] = Field(default_factory=list)
    default_routes: list[HostRoute] = Field(default_factory=list)
    dns_servers: list[str] = Field(default_factory=list, description="from /etc/resolv.conf")
    errors: list[str] = Field(default_factory=list)
