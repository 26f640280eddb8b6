"""What every part of the site lab shares: its state, and how nodes, namespaces and addresses
are named (the only place that turns a node name into ``ialab-R-<node>`` or ``10.X.S.H``)."""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lab.lifecycle import Lifecycle
from lab.model import Device, LabState, new_secret
from lab.netns import PREFIX, existing_namespaces, run_in
from lab.site.scenario import Scenario, load_scenario
from lab.site.topology import ADDRESSES, LINKS, MANAGED, NODES, SEGMENTS

LAB = Path(__file__).resolve().parent.parent  # lab/
REPO = LAB.parent

SNMP_PORT = 161
COMMUNITY_ENV = "INFRAAUDIT_LAB_SITE_COMMUNITY"
OLD_COMMUNITY_ENV = "INFRAAUDIT_LAB_SITE_OLD_COMMUNITY"
PROFILE, OLD_PROFILE = "lab-site-v2c", "lab-site-old-v2c"


class SiteCore(Lifecycle):
    """The site lab's state, set in ``__init__`` only, plus naming and running a command in a
    node. Every other part of :class:`lab.site.SiteLab` is a subclass of this one."""

    def __init__(self, run_dir: Path | str, scenario: str | None = None,
                 relay_links: Sequence[str] = (), timeout: float = 60.0,
                 seed: int | None = None) -> None:
        self.run_dir = Path(run_dir).resolve()
        self.base = self.run_dir / "site"
        self.timeout = timeout
        self.seed = seed
        self.start_scenario = load_scenario(scenario) if scenario else None
        links = {lk.name for lk in LINKS}
        wanted = list(relay_links)
        if self.start_scenario:
            wanted += [f["link"] for f in self.start_scenario.of_kind("delay")]
        unknown = sorted(set(wanted) - links)
        if unknown:
            raise ValueError(f"unknown link(s) {unknown}; links: {', '.join(sorted(links))}")
        self.relay_links = tuple(dict.fromkeys(wanted))
        self.run_id = self._new_run_id()
        self.octet = 0
        self.state_path = self.run_dir / "site-state.json"
        self.inventory_path = self.run_dir / "inventory-site.yaml"
        self.env_file = self.run_dir / "lab-site.env"
        self.truth_path = self.run_dir / "site-truth.json"
        self.secrets = {COMMUNITY_ENV: new_secret("site-"), OLD_COMMUNITY_ENV: new_secret("old-")}
        self.state = LabState(kind="site", run_id=self.run_id)
        self.devices: list[Device] = []
        self.sock_dir = Path(f"/run/ialab-{self.run_id}")
        # /etc/netns/<ns>/resolv.conf (the site's DNS on srv) for the scanner and the devices
        self.etc_dirs = [Path(f"/etc/netns/{self.ns(n)}") for n in (*MANAGED, "scan")]
        self.roles: dict[str, int] = {}  # "snmpd:core", "radvd", "relay:core-acc2", ... -> PID
        self.scenario: Scenario | None = None
        self.applied: list[dict[str, Any]] = []
        self.truth: dict[str, Any] = {}

    @staticmethod
    def _new_run_id() -> str:
        """4 hex digits no namespace uses yet."""
        taken = {n.split("-")[1] for n in existing_namespaces() if n.startswith(PREFIX)}
        while True:
            run_id = secrets.token_hex(2)
            if run_id not in taken:
                return run_id

    def ns(self, node: str) -> str:
        """Namespace of ``node`` (``ialab-R-<node>``)."""
        return f"{PREFIX}{self.run_id}-{node}"

    def relay_ns(self, link: str) -> str:
        """Namespace of the relay on ``link``."""
        return self.ns(f"relay-{link}")

    @property
    def scanner_ns(self) -> str:
        """The scanner's namespace (scan0 on lan-a, scan1 on lan-b)."""
        return self.ns("scan")

    @property
    def namespaces(self) -> list[str]:
        """Every namespace of this lab."""
        return [*(self.ns(n) for n in NODES), *(self.relay_ns(lk) for lk in self.relay_links)]

    def v4(self, node: str, segment: str | None = None) -> str:
        """``node``'s IPv4 address (on ``segment``, default its first)."""
        for _, seg, host, _ in ADDRESSES[node]:
            if segment in (None, seg):
                return f"10.{self.octet}.{SEGMENTS[seg]}.{host}"
        raise KeyError(f"{node} has no address on {segment}")

    def prefix6(self, segment: str = "lan-a") -> str:
        """The /64 of ``segment``."""
        return f"fd49:6161:{self.octet:x}:{SEGMENTS[segment]}::/64"

    def v6(self, host: str, segment: str = "lan-a") -> str:
        """Address ``<prefix>::<host>`` (host part in hex, e.g. ``'53'``)."""
        return f"fd49:6161:{self.octet:x}:{SEGMENTS[segment]}::{host}"

    def node_v6(self, node: str) -> str | None:
        """``node``'s static IPv6 address, if it has one."""
        for _, seg, _, host6 in ADDRESSES.get(node, []):
            if host6 is not None:
                return self.v6(host6, seg)
        return None

    def gateway(self, segment: str) -> str:
        """rtr's address on ``segment``."""
        return f"10.{self.octet}.{SEGMENTS[segment]}.1"

    def run_scanner(self, argv: Sequence[str], timeout: float | None = 60.0,
                    ) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` inside the scanner namespace; text output captured."""
        return run_in(self.scanner_ns, argv, timeout)

    def run_node(self, node: str, argv: Sequence[str], timeout: float | None = 30.0,
                 ) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` inside ``node``'s namespace."""
        return run_in(self.ns(node), argv, timeout)
