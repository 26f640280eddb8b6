"""The short terminal summary of a scan."""

from __future__ import annotations

from rich.table import Table

from infraaudit.models import AuditDocument, ProbeStatus


def summary_table(doc: AuditDocument) -> Table:
    table = Table(title=f"{doc.site.name} — {doc.coverage.fully_probed}/{doc.coverage.targets} "
                        f"fully probed, {doc.coverage.reachable} reachable")
    for column in ("device", "sys name", "vendor / model", "role", "ports up/total", "probes"):
        table.add_column(column)
    for d in doc.devices:
        up = sum(1 for p in d.ports if p.oper_status == "up")
        failed = [p.probe for p in d.probes if p.status is ProbeStatus.FAILED]
        skipped = [p.probe for p in d.probes if p.status is ProbeStatus.SKIPPED]
        if failed:
            first = next(p.error for p in d.probes if p.status is ProbeStatus.FAILED)
            status = f"[red]failed: {', '.join(failed)}[/red] ({first})"
        elif skipped and not d.reachable:
            status = "[red]skipped[/red]"
        else:
            status = "[green]ok[/green]"
        table.add_row(
            f"{d.host}:{d.port}" + (f" ({d.name})" if d.name else ""),
            d.sys_name or "—",
            " ".join(x for x in (d.vendor, d.model) if x) or "—",
            d.role.value if d.reachable else "—",
            f"{up}/{len(d.ports)}" if d.ports else "—",
            status,
        )
    return table
