"""Why a device could not be audited: the records the real probe code writes for each failure
(``collect``/``assemble`` over a client that fails the way a backend does, a refused UDP port
on loopback with the real gufo client, a Report PDU read by the real reply checker, the SSH
backend's translation of a refused connection) and the cause, finding and hint made of them."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import pytest

from infraaudit.cli.scan import not_audited_hints
from infraaudit.errors import DecodeError, TransportError, TransportTimeout
from infraaudit.findings import diagnose, findings
from infraaudit.models import AuditDocument, Coverage, Device, ScanMeta
from infraaudit.models.audit import Agency, Site
from infraaudit.models.link import LinkReport, PingSeries
from infraaudit.probes.snmp import Backend, assemble, collect
from infraaudit.probes.snmp.ber import check_reply
from infraaudit.probes.snmp.transport import (
    BaseClient,
    SnmpCredentials,
    SnmpTarget,
    VarBind,
)
from infraaudit.probes.ssh import SshCredentials, SshTarget, collect_cli
from infraaudit.scan.runner import collect_snmp
from lab.garbage_agent import _tlv
from lab.hostile_agent import enc_int, oid
from lab.hostile_agent import enc_oid as _enc_oid

HOST = "192.0.2.7"


class Failing(BaseClient):
    """A client whose every request fails as ``exc``; ``report``/``discovered`` as a backend
    sets them from what the agent sent."""

    backend = Backend.GUFO

    def __init__(self, version: str, exc: Exception, report: str | None = None,
                 discovered: bool = False) -> None:
        v3 = version == "v3"
        creds = SnmpCredentials(version, community="" if v3 else "secret-community-x",  # type: ignore[arg-type]
                                user="audit" if v3 else "")
        super().__init__(SnmpTarget(HOST, 161, creds, timeout_s=0.01, retries=0,
                                    requests_per_second=1e6))
        self.exc, self.report, self.discovered = exc, report, discovered

    @property
    def label(self) -> str:
        return "test"

    async def _get_once(self, oids: Sequence[str]) -> list[VarBind]:
        raise self.exc

    def _cursor(self, root: str) -> object:
        return root

    async def _batch(self, cursor: object, repetitions: int) -> tuple[list[VarBind], bool]:
        raise self.exc


def device_of(client: BaseClient, name: str = "sw1") -> Device:
    device = Device(host=HOST, name=name, snmp_profile="prof-a")
    return assemble(device, asyncio.run(collect(client)))


def ping(received: int, sent: int = 5) -> PingSeries:
    return PingSeries(target=HOST, kind="device", count=sent, interval_ms=20,
                      started_at="2026-01-01T00:00:00Z", sent=sent, received=received,
                      loss_pct=100 * (sent - received) / sent)


def doc(device: Device, series: PingSeries | None) -> AuditDocument:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    return AuditDocument(
        agency=Agency(code="A", name="A"), site=Site(id="s", name="S"),
        scan=ScanMeta(tool_version="t", started_at=now, finished_at=now, scanning_host="h",
                      inventory_digest="d", snmp_backend="gufo", complete=True),
        coverage=Coverage(targets=1, reachable=0, fully_probed=0), devices=[device],
        link=LinkReport(pings=[series]) if series else None)


@pytest.mark.parametrize(("client", "series", "cause"), [
    (lambda: Failing("v2c", TransportTimeout("no answer (timeout)")), ping(5), "community"),
    (lambda: Failing("v1", TransportTimeout("no answer (timeout)")), ping(3), "community"),
    (lambda: Failing("v3", TransportTimeout("no answer (timeout)")), ping(5), "acl"),
    (lambda: Failing("v3", TransportTimeout("no answer (timeout)"), "usmStatsUnknownEngineIDs",
                     True),
     ping(5), "v3-credentials"),  # discovery answered, then nothing: the privacy key
    (lambda: Failing("v3", TransportError("SNMPv3 authentication failed: authentication failed"),
             "usmStatsWrongDigests", True), None, "v3-credentials"),
    (lambda: Failing("v3", TransportError("SNMPv3 authentication failed: Unknown USM user"),
             "usmStatsUnknownUserNames", True), ping(0), "v3-credentials"),
    (lambda: Failing("v2c", DecodeError("reply is not one BER SEQUENCE")), None, "malformed"),
    (lambda: Failing("v2c", TransportError("socket error: Connection refused")), None, "port"),
])
def test_each_failure_gets_its_cause(client: Callable[[], Failing],
                                     series: PingSeries | None, cause: str) -> None:
    # built here, not at collection: a client's device deadline starts when it is made
    device = device_of(client())
    assert not device.reachable
    diagnosis = diagnose(device, series)
    assert diagnosis is not None and diagnosis.cause == cause, device.probes[0].error
    assert diagnosis.probe == "system"
    (found,) = [f for f in findings(doc(device, series)) if f.code.startswith("DEVICE-")]
    assert found.code == "DEVICE-NOT-AUDITED" and found.severity in ("medium", "low")
    assert found.evidence[0].measured["cause"] == cause
    assert "hỏng" not in found.explanation + found.recommendation + found.title
    assert "Kiểm tra lại thông tin quản trị" in found.recommendation
    (hint,) = not_audited_hints(doc(device, series))
    assert hint.startswith(f"{HOST}:161 (sw1) — not audited:") and "profile prof-a" in hint
    assert "secret-community-x" not in hint + str(found.model_dump())


def test_the_report_name_is_in_the_record_and_the_hint() -> None:
    device = device_of(Failing("v3", TransportError("SNMPv3 authentication failed: x"),
                               "usmStatsWrongDigests", True))
    assert "(report usmStatsWrongDigests)" in (device.probes[0].error or "")
    (hint,) = not_audited_hints(doc(device, None))
    assert "SNMPv3 authentication failed (usmStatsWrongDigests)" in hint


@pytest.mark.parametrize("series", [ping(0), None])
def test_a_device_that_answered_nothing_stays_no_answer(series: PingSeries | None) -> None:
    device = device_of(Failing("v2c", TransportTimeout("no answer (timeout)")))
    assert diagnose(device, series) is None
    (found,) = [f for f in findings(doc(device, series)) if f.code.startswith("DEVICE-")]
    assert found.code == "DEVICE-NO-ANSWER"
    assert "hỏng" not in found.explanation + found.recommendation + found.title
    assert "không phản hồi" in found.title
    pinged = "kiểm tra kết nối" in found.explanation
    assert pinged is (series is not None)
    (hint,) = not_audited_hints(doc(device, series))
    assert "no answer at all" in hint


def test_a_refused_udp_port_is_seen_by_the_gufo_client() -> None:
    """Nothing listens on the port: the kernel's ICMP port unreachable is the host's answer."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    target = SnmpTarget("127.0.0.1", port, SnmpCredentials("v2c", community="c"),
                        timeout_s=0.5, retries=0)
    collected = asyncio.run(collect_snmp(target, Backend.GUFO, fallback=False))
    device = assemble(Device(host="127.0.0.1", port=port), collected)
    assert "Connection refused" in (device.probes[0].error or "")
    diagnosis = diagnose(device, None)
    assert diagnosis is not None and diagnosis.cause == "port"
    assert diagnosis.answered == ["snmp"]


def _report(name: str) -> bytes:
    """An SNMPv3 Report PDU (noAuthNoPriv) carrying the usmStats counter ``name``."""
    header = _tlv(0x30, _tlv(0x02, b"\x05") + _tlv(0x02, b"\x05\xdc") + _tlv(0x04, b"\x00")
                  + _tlv(0x02, b"\x03"))
    usm = _tlv(0x30, _tlv(0x04, b"\x80\x00\x1f\x88\x04lab") + _tlv(0x02, b"\x01")
               + _tlv(0x02, b"\x02") + _tlv(0x04, b"audit") + _tlv(0x04, b"") + _tlv(0x04, b""))
    bind = _tlv(0x30, _tlv(0x06, _enc_oid(oid(name))) + _tlv(0x41, enc_int(3)))
    pdu = _tlv(0xA8, _tlv(0x02, b"\x09") + _tlv(0x02, b"\x00") + _tlv(0x02, b"\x00")
               + _tlv(0x30, bind))
    scoped = _tlv(0x30, _tlv(0x04, b"") + _tlv(0x04, b"") + pdu)
    return _tlv(0x30, _tlv(0x02, b"\x03") + header + _tlv(0x04, usm) + scoped)


@pytest.mark.parametrize(("oid_text", "name"), [
    ("1.3.6.1.6.3.15.1.1.5.0", "usmStatsWrongDigests"),
    ("1.3.6.1.6.3.15.1.1.3.0", "usmStatsUnknownUserNames"),
    ("1.3.6.1.6.3.15.1.1.2.0", "usmStatsNotInTimeWindows"),
    ("1.3.6.1.4.1.9.9.9", "1.3.6.1.4.1.9.9.9"),
])
def test_the_reply_checker_names_a_report_pdu(oid_text: str, name: str) -> None:
    assert check_reply(_report(oid_text)).report == name


def test_a_refused_ssh_connection_and_a_refused_login_are_told_apart() -> None:
    from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException

    from infraaudit.probes.ssh.netmiko_backend import _translate

    target = SshTarget(HOST, 22, SshCredentials("audit", "pw-secret-1"), platform="cisco_ios")
    try:
        try:
            raise ConnectionRefusedError(111, "Connection refused")
        except ConnectionRefusedError:
            raise NetmikoTimeoutException("TCP connection to device failed.") from None
    except NetmikoTimeoutException as exc:
        exc.__context__ = ConnectionRefusedError(111, "Connection refused")
        refused = _translate(exc, target)
    login = _translate(NetmikoAuthenticationException("Authentication to device failed."),
                       target)
    for error, cause in ((refused, "port"), (login, "ssh-login")):
        async def opener(t: SshTarget, error: TransportError = error) -> object:
            raise error
        cli = asyncio.run(collect_cli(target, opener))  # type: ignore[arg-type]
        device = Device(host=HOST, name="sw2", ssh_profile="ssh-a", probes=cli.results)
        diagnosis = diagnose(device, None)
        assert diagnosis is not None and diagnosis.cause == cause, cli.results[0].error
        (hint,) = not_audited_hints(doc(device, None))
        assert "profile ssh-a" in hint and "pw-secret-1" not in hint
