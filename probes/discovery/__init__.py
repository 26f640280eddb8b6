"""Discovery: what lives in a site's declared subnets (ARP/ICMP sweeps, SNMP identification,
LLDP/CDP crawl from the inventory's devices); the second step of the data flow, so it reads the
inventory. May import: inventory, probes.snmp, probes.link,
models, errors."""

from infraaudit.probes.discovery.core import Tools, discover

__all__ = ["Tools", "discover"]
