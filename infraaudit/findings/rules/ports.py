"""Port rules over two polls of the interface counters: flaps, FCS and other errors, discards."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from infraaudit.findings.thresholds import Thresholds
from infraaudit.findings.wording import make
from infraaudit.models import PortMedia
from infraaudit.models.finding import Evidence, Finding
from infraaudit.models.link import PortPoll


def poll_findings(polls: Iterable[PortPoll], t: Thresholds,
                  media: Mapping[str, PortMedia] | None = None) -> list[Finding]:
    """``media``: the ports' medium by subject (``wording.media_by_subject``)."""
    limits = t.port
    out = []
    for p in polls:
        device = p.device_name or p.device
        port = p.port or str(p.if_index)
        subject = f"{device}:{port}"
        medium = (media or {}).get(subject)
        measured = p.model_dump(exclude={"device", "device_name", "port", "if_index"})
        if medium:
            measured["media"] = medium
        evidence = [Evidence(source="snmp:ifTable+EtherLike-MIB (two polls)", device=device,
                             port=port, measured=measured)]
        base = {"device": device, "port": port, "interval_s": p.interval_s,
                "samples": p.samples, "transitions": p.transitions}
        if p.transitions >= limits.flap_transitions:
            out.append(make("PORT-FLAP", subject, base, evidence, medium))
        if p.counter_reset:
            continue
        packets_in = p.in_packets or 0
        if (p.fcs_ppm is not None and p.fcs_ppm >= limits.fcs_ppm
                and (p.fcs_errors or 0) >= limits.min_errors):
            out.append(make("PORT-FCS", subject, {**base, "fcs_errors": p.fcs_errors,
                                                  "packets": packets_in, "fcs_ppm": p.fcs_ppm,
                                                  "threshold": limits.fcs_ppm}, evidence,
                                  medium))
        else:
            for errors, ppm, packets in ((p.in_errors, p.in_error_ppm, p.in_packets),
                                         (p.out_errors, p.out_error_ppm, p.out_packets)):
                if (ppm is not None and ppm >= limits.error_ppm
                        and (errors or 0) >= limits.min_errors):
                    out.append(make("PORT-ERRORS", subject, {
                        **base, "errors": errors, "packets": packets, "error_ppm": ppm,
                        "threshold": limits.error_ppm}, evidence, medium))
                    break
        discards = (p.in_discards or 0) + (p.out_discards or 0)
        if (p.discard_ppm is not None and p.discard_ppm >= limits.discard_ppm
                and discards >= limits.min_errors):
            out.append(make("PORT-DISCARDS", subject, {
                **base, "discards": discards, "packets": packets_in + (p.out_packets or 0),
                "discard_ppm": p.discard_ppm, "threshold": limits.discard_ppm}, evidence))
    return out
