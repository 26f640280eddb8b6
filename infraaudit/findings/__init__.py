"""Rules over measured evidence: findings with severity and evidence, thresholds, security
posture, firmware, IPv6 readiness scoring, service life. May import: models, util, errors.

Other stages import the names of ``__all__`` from here, never a module of this package
(``tests/unit/findings/test_public_surface.py`` checks it)."""

from typing import TYPE_CHECKING

from infraaudit.util.lazy import lazy_exports

if TYPE_CHECKING:  # imported on first use (util/lazy.py): the command line starts fast
    from infraaudit.findings.datafile import WordingTemplate
    from infraaudit.findings.firmware import FirmwareCatalog, firmware_findings
    from infraaudit.findings.firmware import load_catalog as load_firmware_catalog
    from infraaudit.findings.lifecycle import service_age
    from infraaudit.findings.not_audited import diagnose
    from infraaudit.findings.readiness import device_readiness, site_phase
    from infraaudit.findings.readiness import load_catalog as load_ipv6_catalog
    from infraaudit.findings.rules import findings
    from infraaudit.findings.rules.cabling import gigabit_capable
    from infraaudit.findings.rules.history import history_findings
    from infraaudit.findings.rules.link import ping_findings
    from infraaudit.findings.security import (
        config_findings,
        merge_findings,
        snmp_findings,
        ssh_legacy_findings,
    )
    from infraaudit.findings.thresholds import (
        HealthLimits,
        Thresholds,
        default_thresholds,
        load_thresholds,
    )
    from infraaudit.findings.wording import device_label, make, medium_of

__all__ = [
    "FirmwareCatalog",
    "HealthLimits",
    "Thresholds",
    "WordingTemplate",
    "config_findings",
    "default_thresholds",
    "device_label",
    "device_readiness",
    "diagnose",
    "findings",
    "firmware_findings",
    "gigabit_capable",
    "history_findings",
    "load_firmware_catalog",
    "load_ipv6_catalog",
    "load_thresholds",
    "make",
    "medium_of",
    "merge_findings",
    "ping_findings",
    "service_age",
    "site_phase",
    "snmp_findings",
    "ssh_legacy_findings",
]

__getattr__ = lazy_exports(__name__)
