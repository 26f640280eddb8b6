"""Link rules over ping series: a target that never answered, loss, latency and jitter."""

from __future__ import annotations

from collections.abc import Iterable

from infraaudit.findings.thresholds import Thresholds
from infraaudit.findings.wording import make
from infraaudit.models.finding import Evidence, Finding
from infraaudit.models.link import PingSeries


def ping_findings(pings: Iterable[PingSeries], t: Thresholds) -> list[Finding]:
    limits = t.link
    out = []
    for p in pings:
        subject = p.name if p.name and p.kind == "device" else f"gateway {p.target}"
        measured = {"sent": p.sent, "received": p.received, "loss_pct": p.loss_pct,
                    "rtt_min_ms": p.rtt_min_ms, "rtt_avg_ms": p.rtt_avg_ms,
                    "rtt_max_ms": p.rtt_max_ms, "jitter_ms": p.jitter_ms,
                    "interval_ms": p.interval_ms}
        evidence = [Evidence(source="ping", device=subject, measured=measured, at=p.started_at)]
        values = {**measured, "target": p.target, "lost": p.sent - p.received}
        if p.sent and not p.received:
            out.append(make("LINK-UNREACHABLE", subject, values, evidence))
            continue
        if p.sent < limits.min_probes:
            continue
        if p.loss_pct is not None and p.loss_pct >= limits.loss_pct:
            out.append(make("LINK-LOSS", subject, {**values, "threshold": limits.loss_pct},
                            evidence))
        if p.rtt_avg_ms is not None and p.rtt_avg_ms >= limits.rtt_avg_ms:
            out.append(make("LINK-LATENCY", subject,
                            {**values, "threshold": limits.rtt_avg_ms}, evidence))
        if p.jitter_ms is not None and p.jitter_ms >= limits.jitter_ms:
            out.append(make("LINK-JITTER", subject, {**values, "threshold": limits.jitter_ms},
                            evidence))
    return out
