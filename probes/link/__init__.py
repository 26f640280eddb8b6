"""Link stability: ping series (loss, RTT, jitter), counter-delta analysis between polls, the
share of endpoints behind access points, where each endpoint is plugged in (ARP/ND joined with
the forwarding tables). May import: probes.snmp, models, errors."""

from infraaudit.probes.link.endpoints import endpoint_share
from infraaudit.probes.link.ping import Pinger, ping_many
from infraaudit.probes.link.placement import place_endpoints, vendor
from infraaudit.probes.link.polls import (
    STATUS_PROBE,
    StatusSample,
    parse_status,
    port_polls,
    sample_of,
)

__all__ = [
    "STATUS_PROBE",
    "Pinger",
    "StatusSample",
    "endpoint_share",
    "parse_status",
    "ping_many",
    "place_endpoints",
    "port_polls",
    "sample_of",
    "vendor",
]
