"""Phụ lục I's table of findings: identical findings of a site merged into one line naming every
subject ("06 cổng hoạt động dưới tốc độ thiết kế: …"), with the measured values that back it.

The wording of a merged line is ``finding_groups`` in report_words.yaml (``{k}`` the count,
``{subjects}`` the devices or ports); the measured values shown per code are ``evidence_keys``,
labelled by ``measured``. A year is printed as a year (2015, never 2.015).
"""

from typing import Any

from infraaudit.models.finding import Finding
from infraaudit.models.report import AgencyReport
from infraaudit.report.render.text import count, num

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}
#: measured keys that hold a year (printed without a thousands separator)
YEAR_KEYS = {"since", "ends", "year", "plan_until"}


def _value(key: str, value: Any, words: dict[str, Any]) -> str:
    if key in YEAR_KEYS and isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value))
    if isinstance(value, bool) or value is None:
        return str(words["values"][str(value).lower() if value is not None else "none"])
    if isinstance(value, str):
        return str(words["values"].get(value, value))
    return num(value)


def _subject(f: Finding) -> str:
    device, _, port = f.subject.partition(":")
    return f"{device} ({port})" if port else device


def _evidence(f: Finding, keys: list[str], words: dict[str, Any]) -> str:
    labels = words["measured"]
    parts = []
    for e in f.evidence:
        for key in keys:
            if key in e.measured and e.measured[key] is not None:
                parts.append(f"{labels.get(key, key)} {_value(key, e.measured[key], words)}")
    return "; ".join(dict.fromkeys(parts))


def _speeds(found: list[Finding]) -> str:
    """The speeds the findings measured, smallest first: "10 hoặc 100 Mb/s"."""
    speeds = sorted({float(v) for f in found for e in f.evidence
                     if isinstance(v := e.measured.get("speed_mbps"), int | float)})
    return " hoặc ".join(num(v) for v in speeds) + " Mb/s" if speeds else "thấp hơn 1 Gb/s"


def finding_groups(report: AgencyReport, site: str, words: dict[str, Any]) -> list[dict[str, str]]:
    """The merged lines of one site, most severe first: one per finding code and remedy (the
    faults of a copper and of a fibre port are mended differently)."""
    by_code: dict[tuple[str, str], list[Finding]] = {}
    for sf in report.findings:
        if sf.site == site:
            by_code.setdefault((sf.finding.code, sf.finding.recommendation), []).append(
                sf.finding)
    lines = []
    for (code, _), found in by_code.items():
        found.sort(key=lambda f: f.subject)
        phrase = words["finding_groups"].get(code)
        subjects = ", ".join(_subject(f) for f in found)
        if phrase and (len(found) > 1 or "{subjects}" in phrase):
            content = phrase.format(k=count(len(found)), subjects=subjects,
                                    speeds=_speeds(found))
        else:
            content = found[0].title if len(found) == 1 else f"{found[0].title} ({subjects})"
        keys = words["evidence_keys"].get(code, [])
        evidence = [f"{_subject(f)}: {text}" if len(found) > 1 else text
                    for f in found if (text := _evidence(f, keys, words))]
        lines.append({"severity": found[0].severity, "code": code, "content": content,
                      "evidence": "; ".join(evidence) or "-",
                      "remedy": found[0].recommendation})
    lines.sort(key=lambda g: (SEVERITY_ORDER[g["severity"]], g["code"]))
    return lines
