"""IPv6 readiness on the LAN (issue 5, part 3a): routers, DHCPv6, hosts, DNS, scanning host.

Entry points (none raises; failures are fields of the returned models):

- :func:`probe_segment` (async): RS/RA, DHCPv6 Solicit/Advertise and all-nodes echo on one
  interface -> :class:`~infraaudit.models.ipv6.SegmentIpv6`
- :func:`resolve`: A and AAAA over plain UDP -> list of :class:`~infraaudit.models.ipv6.DnsAnswer`
- :func:`host_state` / :func:`route_lookup`: the scanning host's addresses, default routes and
  the route to given destinations -> :class:`~infraaudit.models.ipv6.HostIpv6`

``python -m infraaudit.probes.ipv6 --help`` runs them from a shell (JSON on stdout), e.g. inside a
network namespace with ``ip netns exec``.

May import: probes.host, models, errors.
"""

from infraaudit.probes.ipv6.dns import resolve
from infraaudit.probes.ipv6.hoststate import host_state, route_lookup
from infraaudit.probes.ipv6.segment import probe_segment

__all__ = ["host_state", "probe_segment", "resolve", "route_lookup"]
