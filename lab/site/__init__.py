"""The site lab (root only): an office network in namespaces, faults declared as data.

One module per job, tied together in sitelab.py (whose docstring says how): topology.py (the
network as data), scenario.py (scenario files), core.py (shared state and naming), network.py,
services.py (daemons), readiness.py, faults.py, outputs.py and flapper.py. This file lists what
tests and ``python -m lab`` import, so they need not know which module holds what.
"""

from lab.site.scenario import SCENARIOS, Scenario, check_fault, load_scenario, scenario_names
from lab.site.sitelab import SiteLab
from lab.site.topology import LINKS, Link

__all__ = [
    "LINKS",
    "SCENARIOS",
    "Link",
    "Scenario",
    "SiteLab",
    "check_fault",
    "load_scenario",
    "scenario_names",
]
