"""The site lab (root only): a small office network in namespaces, with faults declared as data.

:class:`SiteLab` ties the parts together, one file each: topology.py (the network as data),
network.py (building it), services.py (the daemons), readiness.py (waiting for them), faults.py
(scenarios on a running lab) and outputs.py (inventory, env, state and truth files), all over the
state and naming in core.py.

Why mixins and not composition: the lab is one object with one state (run id, octet, PIDs by role,
applied faults, truth), which every part reads and most parts change. As separate objects, each
part would be handed that same state and call the others through it: the same code with a second
name for everything. As classes over :class:`SiteCore`, each part keeps ``self.v4(...)`` and
``self._stop_role(...)`` as before, and mypy checks every call across parts through the chain
``Faults -> Readiness -> Services -> SiteCore`` (plus ``Outputs`` and ``Network``).
"""

from __future__ import annotations

import shutil

from lab.netns import _free_octet, netns_supported, teardown
from lab.site.faults import Faults
from lab.site.network import Network
from lab.site.scenario import Scenario


class SiteLab(Faults, Network):
    """The office network; a context manager that always tears down (see the module doc).

    Usage::

        with SiteLab(run_dir, scenario="loss", relay_links=["core-acc2"], seed=1) as lab:
            lab.run_scanner(["ping", "-c", "400", "-i", "0.01", "-q", lab.v4("acc1")])
            lab.apply("jitter")            # switch scenario (faults of the last one removed)
            lab.clear()                    # back to no faults

    Outputs in ``run_dir``: ``inventory-site.yaml`` (what the scanner reads; secrets as
    ``${ENV}``), ``lab-site.env`` (the secrets), ``site-state.json`` (LabState kind "site":
    ``python -m lab down`` tears it down) and ``site-truth.json`` (ground truth for tests:
    addresses, MACs and ifindexes, switch ports, wired/Wi-Fi hosts, applied faults, defective
    ports). Helpers: :attr:`scanner_ns`, :meth:`run_scanner`, :meth:`run_node`, :meth:`ns`,
    :meth:`v4`, :meth:`v6`, :meth:`node_v6`, :meth:`prefix6`, :meth:`gateway`,
    :meth:`lldp_neighbours`, :meth:`scanner_ipv6`; :attr:`devices` lists the inventory's devices.
    """

    def start(self) -> None:
        """Build the network, start every daemon, wait until all answer, apply the scenario."""
        if not netns_supported():
            raise PermissionError("the site lab needs root and a working `ip netns`")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.base, ignore_errors=True)
        self.base.mkdir(parents=True)
        self.octet = _free_octet()
        self.state.scratch_dirs = [str(self.sock_dir), *(str(d) for d in self.etc_dirs)]
        self.state.namespaces = self.namespaces  # recorded before they exist: `down` cleans up
        self.state.save(self.state_path)
        self._start_or_stop(self._bring_up, "site lab", logs=self.base)

    def _bring_up(self) -> None:
        self._build()
        self._start_daemons()
        self._wait_ready()
        self._write_outputs()
        self.apply(self.start_scenario or Scenario("baseline", "", ()))

    def stop(self) -> None:
        """Tear everything down: PIDs, namespaces, /run and /etc/netns scratch directories."""
        teardown(self.state)
        self.roles.clear()
        self._keep_state_while_left()
