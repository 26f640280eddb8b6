"""The short terminal summary of a scan."""

from __future__ import annotations

from rich.table import Table

from infraaudit.models import AuditDocument, Device, ProbeStatus


def _result(device: Device) -> str:
    failed = [p for p in device.probes if p.status is ProbeStatus.FAILED]
    if failed:
        error = failed[0].error or ""
        error = error if len(error) <= 40 else error[:39] + "…"
        return f"[red]{len(failed)} failed[/red] ({failed[0].probe}: {error})"
    if not device.reachable:
        return "[yellow]skipped[/yellow]"
    unsupported = sum(p.status is ProbeStatus.UNSUPPORTED for p in device.probes)
    return "[green]ok[/green]" + (f" ({unsupported} MIB absent)" if unsupported else "")


def summary_table(doc: AuditDocument) -> Table:
    table = Table(title=f"{doc.site.name}: {doc.coverage.fully_probed}/{doc.coverage.targets} "
                        f"devices fully probed, {doc.coverage.reachable} answered")
    table.add_column("device")
    table.add_column("address", no_wrap=True)
    table.add_column("vendor / model")
    table.add_column("role")
    table.add_column("ports up", justify="right")
    table.add_column("result")
    for d in doc.devices:
        up = sum(1 for p in d.ports if p.oper_status == "up")
        table.add_row(
            d.name or d.sys_name or "—",
            f"{d.host}:{d.port}" if d.port != 161 else d.host,
            " ".join(x for x in (d.vendor, d.model) if x) or "—",
            d.role.value if d.reachable else "—",
            f"{up}/{len(d.ports)}" if d.ports else "—",
            _result(d),
        )
    return table
