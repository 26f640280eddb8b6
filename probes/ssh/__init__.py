"""SSH: the per-platform allowlist of show commands, the injected CLI session (``transport``)
with its netmiko backend and a replay double, the CLI parsers. May import: models, errors."""

from typing import TYPE_CHECKING

from infraaudit.util.lazy import lazy_exports

if TYPE_CHECKING:  # imported on first use (util/lazy.py): an SNMP-only scan loads no parser
    from infraaudit.probes.ssh.allowlist import platforms, resolve
    from infraaudit.probes.ssh.device import collect_cli
    from infraaudit.probes.ssh.ifname import canonical_ifname
    from infraaudit.probes.ssh.netmiko_backend import CliSession
    from infraaudit.probes.ssh.parsers import CliFacts
    from infraaudit.probes.ssh.transport import SshCredentials, SshTarget

__all__ = [
    "CliFacts",
    "CliSession",
    "SshCredentials",
    "SshTarget",
    "canonical_ifname",
    "collect_cli",
    "platforms",
    "resolve",
]

__getattr__ = lazy_exports(__name__)
