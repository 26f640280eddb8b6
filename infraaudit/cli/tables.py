"""The short terminal summary of a scan. Every cell is a ``Text``: names and errors come from
devices and files and are shown as written, never read as markup."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from infraaudit.models import AuditDocument, Device, ProbeStatus
from infraaudit.models.finding import Finding

SEVERITY_STYLE = {"high": "red", "medium": "yellow", "low": "cyan", "info": "white"}


def _result(device: Device) -> Text:
    failed = [p for p in device.probes if p.status is ProbeStatus.FAILED]
    if failed:
        error = failed[0].error or ""
        error = error if len(error) <= 40 else error[:39] + "…"
        return Text.assemble((f"{len(failed)} failed", "red"), f" ({failed[0].probe}: {error})")
    if not device.reachable:
        return Text("skipped", style="yellow")
    unsupported = sum(p.status is ProbeStatus.UNSUPPORTED for p in device.probes)
    return Text.assemble(("ok", "green"), f" ({unsupported} MIB absent)" if unsupported else "")


def summary_table(doc: AuditDocument) -> Table:
    table = Table(title=Text(f"{doc.site.name}: {doc.coverage.fully_probed}/"
                             f"{doc.coverage.targets} devices fully probed, "
                             f"{doc.coverage.reachable} answered"))
    table.add_column("device")
    table.add_column("address", no_wrap=True)
    table.add_column("vendor / model")
    table.add_column("role")
    table.add_column("ports up", justify="right")
    table.add_column("result")
    for d in doc.devices:
        up = sum(1 for p in d.ports if p.oper_status == "up")
        table.add_row(
            Text(d.name or d.sys_name or "—"),
            Text(f"{d.host}:{d.port}" if d.port != 161 else d.host),
            Text(" ".join(x for x in (d.vendor, d.model) if x) or "—"),
            Text(d.role.value if d.reachable else "—"),
            Text(f"{up}/{len(d.ports)}" if d.ports else "—"),
            _result(d),
        )
    return table


def findings_table(found: list[Finding]) -> Table:
    """One row per finding: severity, code, subject, title."""
    table = Table(title=f"{len(found)} findings")
    table.add_column("severity")
    table.add_column("code", no_wrap=True)
    table.add_column("subject")
    table.add_column("finding")
    order = {"high": 0, "medium": 1, "low": 2, "info": 3}
    for f in sorted(found, key=lambda f: (order[f.severity], f.code, f.subject)):
        style = SEVERITY_STYLE[f.severity]
        table.add_row(Text(f.severity, style=style), Text(f.code), Text(f.subject),
                      Text(f.title))
    return table
