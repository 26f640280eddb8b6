"""Discovery: what lives in a site's declared subnets (ARP/ICMP sweeps, SNMP identification,
LLDP/CDP crawl from the inventory's devices).
See :func:`infraaudit.probes.discovery.core.discover`."""

from infraaudit.errors import OutOfScope
from infraaudit.probes.discovery.core import Tools, discover
from infraaudit.probes.discovery.scope import Scope

__all__ = ["OutOfScope", "Scope", "Tools", "discover"]
