"""Findings: pure rules over an audit document, each finding citing the measurements it rests on.

One module per group of rules (``link``, ``ports``, ``cabling``, ``wifi``, ``ipv6``,
``devices``, ``condition``, ``load``, ``lifetime``, ``history``, ``l2``, ``links``,
``endpoints``); ``RULES`` is their index and ``findings`` applies them. Thresholds are data
(``findings/thresholds.py``: ``data/thresholds.yaml``, or a file the caller passes); wording is
in ``report_templates/findings.yaml`` (``findings/wording.py``). Codes are stable: reports,
history and the province compare audits by code and subject.

Subjects: a device is named by its inventory name (else sysName, else address); a port is
``device:port``; a LAN segment by its subnet name; a DNS name as itself.

Part of the findings stage: May import: what the findings stage may.
"""

from __future__ import annotations

from collections.abc import Callable

from infraaudit.findings.rules.cabling import cabling_findings
from infraaudit.findings.rules.condition import condition_findings
from infraaudit.findings.rules.devices import device_findings
from infraaudit.findings.rules.endpoints import shared_port_findings
from infraaudit.findings.rules.history import history_findings
from infraaudit.findings.rules.ipv6 import ipv6_findings
from infraaudit.findings.rules.l2 import l2_findings
from infraaudit.findings.rules.lifetime import lifetime_findings
from infraaudit.findings.rules.link import ping_findings
from infraaudit.findings.rules.links import mismatch_findings
from infraaudit.findings.rules.load import load_findings
from infraaudit.findings.rules.ports import poll_findings
from infraaudit.findings.rules.wifi import wifi_findings
from infraaudit.findings.thresholds import Thresholds, default_thresholds
from infraaudit.findings.wording import media_by_subject
from infraaudit.models import AuditDocument
from infraaudit.models.finding import Finding
from infraaudit.models.report import SiteHistory

RULES: tuple[Callable[[AuditDocument, Thresholds], list[Finding]], ...] = (
    lambda doc, t: ping_findings(doc.link.pings if doc.link else [], t),
    lambda doc, t: poll_findings(doc.link.ports if doc.link else [], t,
                                 media_by_subject(doc.devices)),
    lambda doc, t: cabling_findings(doc.devices, t),
    wifi_findings,
    ipv6_findings,
    device_findings,
    condition_findings,
    load_findings,
    lifetime_findings,
    l2_findings,
    mismatch_findings,
    shared_port_findings,
)


def findings(doc: AuditDocument, thresholds: Thresholds | None = None,
             history: SiteHistory | None = None) -> list[Finding]:
    """Every finding the audit's measurements (and the site's nightly history, when given)
    support, in a stable order."""
    t = thresholds or default_thresholds()
    out = [f for rule in RULES for f in rule(doc, t)]
    if history is not None:
        out += history_findings(history, t, media_by_subject(doc.devices))
    return sorted(out, key=lambda f: (f.category, f.code, f.subject))
