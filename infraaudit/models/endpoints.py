"""Where each endpoint of a site is plugged in: the routers' ARP/ND rows joined with the
switches' forwarding tables.

``Neighbour`` (``models/device.py``) is one row a device reports (``devices[].neighbours``);
``EndpointMap`` is the site's placement (``endpoints`` of the audit): each endpoint on the one
access port it was learnt on, the ports judged uplinks (and why), the access ports with several
endpoints and no LLDP neighbour (a hub or desk switch), and the site's endpoints against its
free wired ports.
"""

from typing import Literal

from pydantic import Field

from infraaudit.models.base import Strict


class EndpointPlace(Strict):
    """One endpoint (a MAC that is no network device's) and the access port it is on."""

    mac: str
    vendor: str | None = Field(default=None, description="IEEE OUI registry (netaddr)")
    ips: list[str] = Field(default_factory=list, description="from ARP/ND rows and discovery")
    name: str | None = Field(default=None, description="sysName when discovery identified it")
    device: str | None = Field(default=None, description="switch or AP it is learnt on")
    device_host: str | None = None
    port: str | None = None
    if_index: int | None = None
    vlan: int | None = Field(default=None, description="the VLAN its access switch learnt it "
                             "in, else the router's VLAN interface it is resolved on")
    wifi: bool = False
    via: str = Field(description="how it is placed: edge port, behind an access point, ARP only")
    seen_on: list[str] = Field(default_factory=list,
                               description="other 'device:port' (uplinks) the MAC is learnt on")
    learnt_from: list[str] = Field(default_factory=list,
                                   description="devices whose ARP/ND rows hold it")


UplinkReason = Literal["lldp", "many-switches", "network-device-mac"]


class UplinkPort(Strict):
    """A port that never counts as an endpoint's port."""

    device: str
    port: str
    if_index: int
    reason: UplinkReason
    detail: str = Field(description="the neighbour, or the MACs shared with other switches")


class SharedPort(Strict):
    """An access port with several endpoint MACs and no LLDP/CDP neighbour."""

    device: str
    device_host: str
    port: str
    if_index: int
    macs: list[str]
    vendors: list[str | None] = Field(default_factory=list, description="one per MAC")


class EndpointMap(Strict):
    """The site's endpoints, placed."""

    endpoints: list[EndpointPlace] = Field(default_factory=list)
    wired: int = 0
    wifi: int = 0
    unplaced: int = Field(default=0, description="in ARP/ND rows only: no switch learnt them")
    uplinks: list[UplinkPort] = Field(default_factory=list)
    shared_ports: list[SharedPort] = Field(default_factory=list)
    wired_ports: int = Field(default=0, description="ethernet ports of the switches, uplinks "
                             "left out")
    wired_ports_used: int = Field(default=0, description="of them, up or with an endpoint")
    wired_ports_free: int = 0
