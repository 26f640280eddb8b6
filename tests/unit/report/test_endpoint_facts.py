"""The site facts carry the endpoint placement: endpoints placed, hubs, free wired ports."""

from __future__ import annotations

from infraaudit.report.agency import site_facts
from tests.unit.findings.test_endpoint_rules import _doc
from tests.unit.probes.link.test_placement import office


def test_the_report_facts_count_endpoints_hubs_and_free_ports() -> None:
    facts = site_facts(_doc(office()), "Trụ sở")
    assert (facts.endpoints, facts.shared_ports, facts.wired_ports_free) == (7, 1, 3)
    doc = _doc(office())
    doc.endpoints = None
    facts = site_facts(doc, "Trụ sở")
    assert (facts.endpoints, facts.shared_ports, facts.wired_ports_free) == (None, None, None)
