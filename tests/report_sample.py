"""The sample agency's report for the renderer tests, built from real audits.

The four audits in ``tests/unit/data/sample-agency/`` were written by ``make demo`` on
2026-12-04 (audit schema 6): scans of the loopback lab's four sample sites
(``127.78.S.N``), whose snmpsim agents serve the ``sample-*`` recordings derived by
``lab/recordings/derive_sample.py`` from BSD-2-Clause ones (see its SOURCES.md). The report
is built the way ``infraaudit report inventories/sample-agency/agency.yaml`` builds it, on a
fixed date and without the health history (which lives on the machine that ran the checks).
"""

import datetime as dt
from pathlib import Path

from infraaudit.models.migrate import load_audit
from infraaudit.models.report import AgencyReport
from infraaudit.report import build_report, load_agency
from tests.paths import INVENTORIES, UNIT_DATA

AUDITS = UNIT_DATA / "sample-agency"
AGENCY = INVENTORIES / "sample-agency" / "agency.yaml"
DATE = dt.date(2026, 12, 4)


def sample_audits() -> dict:
    docs = [load_audit(p.read_text(encoding="utf-8")) for p in sorted(AUDITS.glob("*.json"))]
    return {d.site.id: d for d in docs}


def sample_report(missing_site: Path | None = None) -> AgencyReport:
    """The sample agency's report; ``missing_site`` adds a site inventory without an audit."""
    config = load_agency(AGENCY)
    if missing_site is not None:
        config.sites.append(config.sites[0].model_copy(update={"inventory": missing_site}))
    return build_report(config, 2025, DATE, audits=sample_audits(), read_history=False)
