"""Discovery: what lives in a site's declared subnets (ARP/ICMP sweeps, SNMP identification,
LLDP/CDP crawl from the inventory's devices). See :func:`probes.discovery.core.discover`."""

from probes.discovery.core import Tools, discover
from probes.discovery.scope import OutOfScope, Scope

__all__ = ["OutOfScope", "Scope", "Tools", "discover"]
