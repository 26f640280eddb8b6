"""History rules over the nightly health checks of the report's window: devices that often did
not answer, ports whose errors or flaps recur, links with persistent loss."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infraaudit.findings.thresholds import Thresholds
from infraaudit.findings.wording import make
from infraaudit.models import PortMedia
from infraaudit.models.finding import Evidence, Finding
from infraaudit.models.report import SiteHistory


def history_findings(history: SiteHistory, t: Thresholds,
                     media: Mapping[str, PortMedia] | None = None) -> list[Finding]:
    """Findings over a site's nightly checks (infraaudit health): devices that often did not
    answer, ports whose errors or flaps recur, links with persistent loss. ``media``: the
    ports' medium by subject (``wording.media_by_subject``)."""
    limits = t.history
    if history.runs < limits.min_runs:
        return []
    window = {"days": history.days, "first": history.first, "last": history.last}
    source = f"health history ({history.runs} runs, {history.days} days)"
    out = []
    for d in history.devices:
        if d.runs >= limits.min_runs and d.availability_pct < limits.availability_pct:
            measured: dict[str, Any] = {"runs": d.runs, "answered": d.answered,
                                        "availability_pct": d.availability_pct}
            out.append(make("HISTORY-AVAILABILITY", d.device, {
                **measured, **window, "threshold": limits.availability_pct},
                [Evidence(source=source, device=d.device, measured=measured)]))
    for p in history.ports:
        subject = f"{p.device}:{p.port}"
        measured = {"samples": p.samples, "runs_with_errors": p.runs_with_errors,
                    "error_ppm_max": p.error_ppm_max, "fcs_ppm_max": p.fcs_ppm_max,
                    "flaps": p.flaps}
        medium = (media or {}).get(subject)
        evidence = [Evidence(source=source, device=p.device, port=p.port,
                             measured={**measured, "media": medium} if medium else measured)]
        if p.runs_with_errors >= limits.recurring_runs:
            out.append(make("HISTORY-PORT-ERRORS", subject, {
                **measured, **window, "threshold": t.health.error_ppm,
                "error_ppm_max": p.error_ppm_max if p.error_ppm_max is not None else "—",
                "fcs_ppm_max": p.fcs_ppm_max if p.fcs_ppm_max is not None else "—"}, evidence))
        if p.flaps >= limits.recurring_runs:
            out.append(make("HISTORY-PORT-FLAPS", subject, {
                **measured, **window, "threshold": limits.recurring_runs}, evidence))
    for link in history.links:
        if (link.runs >= limits.min_runs and link.loss_p50 is not None
                and link.loss_p50 >= limits.loss_p50_pct):
            measured = {"runs": link.runs, "loss_p50": link.loss_p50, "loss_p95": link.loss_p95,
                        "rtt_p95_ms": link.rtt_p95_ms}
            out.append(make("HISTORY-LINK-LOSS", link.target, {
                **measured, **window, "threshold": limits.loss_p50_pct},
                [Evidence(source=source, device=link.target, measured=measured)]))
    return out
