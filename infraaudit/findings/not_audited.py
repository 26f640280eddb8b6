"""Why a device could not be audited, read from what its probes recorded and from the site's
ping series: the cause of a DEVICE-NOT-AUDITED finding and of the scan's console hint.

A device "answered something" when it answered ping, or when a probe's failure can only come
from the device itself: an SNMPv3 Report PDU or authentication failure, a refused port (ICMP port
unreachable, TCP reset), an SSH login refused, a malformed reply, an SNMP error-status. A device
that answered nothing (no ping answer, or ping not measured, and nothing else) is not diagnosed:
it stays DEVICE-NO-ANSWER.

Causes (the keys of ``report_templates/report_words.yaml``'s ``not_audited``), first that holds:

- ``v3-credentials``: an SNMPv3 report (usmStats*) or authentication failure, or a v3 agent that
  answered engine discovery (which needs no credentials) and then nothing: wrong privacy key;
- ``ssh-login``: the SSH server refused the login;
- ``malformed``: replies that fail the BER/SMI checks;
- ``port``: the host refused the port (ICMP port unreachable on SNMP, TCP reset on SSH);
- ``acl``: an SNMPv3 agent silent even to engine discovery while the host answers: the agent is
  not reachable from the scanning host (access list, firewall, or SNMP off);
- ``community``: an SNMPv1/v2c agent silent while the host answers — *likely* a wrong
  community. A v1/v2c agent drops a wrong community and a request its access list refuses
  alike, without a word: the two cannot be told apart from outside, so a silent v1/v2c agent
  is ``community`` and the wording says "likely" and names the access list as well.

Nothing of this decides from error text alone what it cannot see: the patterns are the texts the
probes write (``probes/snmp/device.py``'s ``failure_text``, the backends, the SSH backend), and
the lab tests hold them to what real agents make the probes record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from infraaudit.models import Device, ProbeStatus
from infraaudit.models.link import PingSeries

_REPORT = re.compile(r"\(report (usmStats\w+|[\d.]+)\)")
_V3_AUTH = ("SNMPv3 authentication failed", "usmStats")
_V3_DISCOVERED = "answered SNMPv3 engine discovery"
_SSH_LOGIN = ("SSH authentication failed", "Failed to enter enable mode")
_MALFORMED = ("malformed reply",)
_PORT = ("Connection refused", "connection refused", "Port unreachable")
_ERROR_STATUS = ("error-status", "genErr", "tooBig", "noSuchName", "noAccess")
_SNMP_SILENT = re.compile(r"^SNMP(v1|v2c|v3): no answer")
# a banner, a key or a prompt came back
_SSH_ANSWERED = ("SSH error on", "SSH host key", "SSH on ", "SSH login on", "SSH: could not")


@dataclass(frozen=True)
class Diagnosis:
    """Why one device could not be audited; ``cause`` is None when nothing tells."""

    cause: str | None
    answered: list[str]  # what answered: "ping", "snmp", "ssh", in that order
    probe: str | None  # the probe whose record tells the cause
    error: str | None  # that record's error text (no secret: probes never write one)
    detail: str  # English, one line: what the scan saw
    check: str  # English, one line: what to check next

    def evidence(self) -> dict[str, object]:
        return {"cause": self.cause, "answered": ", ".join(self.answered), "probe": self.probe,
                "error": self.error}


_CHECKS = {
    "v3-credentials": "check the SNMPv3 user, auth and privacy protocols and keys",
    "ssh-login": "check the SSH user name, password or key",
    "malformed": "check the device's SNMP agent (firmware) and what else answers on that port",
    "port": "check that the management service is enabled and listens on that port",
    "acl": "check the device's SNMP access list and any firewall between it and this host",
    "community": "check the SNMP community and the device's SNMP access list",
}


def _failures(device: Device) -> list[tuple[str, str]]:
    return [(p.probe, p.error or "") for p in device.probes
            if p.status is ProbeStatus.FAILED and p.error]


def _first(failures: list[tuple[str, str]], needles: tuple[str, ...]) -> tuple[str, str] | None:
    return next(((probe, error) for probe, error in failures
                 if any(n in error for n in needles)), None)


def _snmp_detail(error: str) -> str:
    report = _REPORT.search(error)
    return "SNMPv3 authentication failed" + (f" ({report.group(1)})" if report else "")


def diagnose(device: Device, ping: PingSeries | None) -> Diagnosis | None:
    """The diagnosis of a device the scan could not audit (``device.reachable`` false) that
    answered something; None for an audited device or one that answered nothing at all."""
    if device.reachable:
        return None
    failures = _failures(device)
    snmp = [(p, e) for p, e in failures if not p.startswith("ssh")]
    ssh = [(p, e) for p, e in failures if p.startswith("ssh")]
    answered = []
    if ping is not None and ping.received > 0:
        answered.append("ping")
    hit = None
    cause = None
    if found := _first(snmp, _V3_AUTH):
        hit, cause, detail = found, "v3-credentials", _snmp_detail(found[1])
    elif found := _first(snmp, (_V3_DISCOVERED,)):
        hit, cause = found, "v3-credentials"
        detail = "the SNMPv3 agent answered engine discovery, then not the request (privacy key?)"
    elif found := _first(ssh, _SSH_LOGIN):
        hit, cause, detail = found, "ssh-login", "SSH login refused"
    elif found := _first(failures, _MALFORMED):
        hit, cause, detail = found, "malformed", "malformed SNMP replies (BER/SMI checks failed)"
    elif found := _first(failures, _PORT):
        what = "SSH (TCP)" if found[0].startswith("ssh") else "SNMP (UDP)"
        hit, cause, detail = found, "port", f"{what} port refused by the host"
    if hit is not None:
        answered.append("ssh" if hit[0].startswith("ssh") else "snmp")
    if _first(snmp, _ERROR_STATUS) and "snmp" not in answered:
        answered.append("snmp")
    if _first(ssh, _SSH_ANSWERED) and "ssh" not in answered:
        answered.append("ssh")
    if not answered:
        return None
    if cause is None:
        silent = next(((p, e, m.group(1)) for p, e in snmp if (m := _SNMP_SILENT.match(e))),
                      None)
        if silent is not None:
            hit = silent[0], silent[1]
            if silent[2] == "v3":
                cause = "acl"
                detail = "no answer to SNMPv3, not even to engine discovery"
            else:
                cause = "community"
                detail = (f"no answer to SNMP{silent[2]} while the host answers "
                          f"{' and '.join(a for a in answered)}: likely a wrong community")
        else:
            hit = failures[0] if failures else None
            detail = "the device answered, but no probe could read it"
    return Diagnosis(cause=cause, answered=answered, probe=hit[0] if hit else None,
                     error=hit[1] if hit else None, detail=detail,
                     check=_CHECKS.get(cause or "", "check the device's management settings"))
