"""Findings engine: each rule fires on its measurement, stays quiet below its threshold, fills
its Vietnamese wording from the numbers and carries evidence."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from infraaudit.findings.rules import findings
from infraaudit.findings.thresholds import default_thresholds, load_thresholds
from infraaudit.models import Agency, AuditDocument, Coverage, Device, Duplex, Port, ScanMeta, Site
from infraaudit.models.finding import Finding
from infraaudit.models.link import EndpointShare, LinkReport, PingSeries, PortPoll
from tests.paths import REPO


def _doc(devices: list[Device] | None = None, link: LinkReport | None = None) -> AuditDocument:
    return AuditDocument(
        agency=Agency(code="T", name="Thanh tra"), site=Site(id="s1", name="Trụ sở"),
        scan=ScanMeta(tool_version="t", started_at="2026-11-23T00:00:00+00:00",
                      scanning_host="h", inventory_digest="0", snmp_backend="gufo",
                      complete=True),
        coverage=Coverage(targets=0, reachable=0, fully_probed=0),
        devices=devices or [], link=link)


def _ping(name: str, received: int, rtt: float = 0.5, jitter: float = 0.1) -> PingSeries:
    return PingSeries(target="10.0.0.3", name=name, kind="device", count=400, interval_ms=10,
                      started_at="2026-11-23T00:00:00+00:00", sent=400, received=received,
                      loss_pct=100 * (400 - received) / 400, rtt_min_ms=rtt, rtt_avg_ms=rtt,
                      rtt_max_ms=rtt, jitter_ms=jitter)


def _codes(found: list[Finding]) -> set[tuple[str, str]]:
    return {(f.code, f.subject) for f in found}


def test_ping_rules_fire_on_loss_latency_jitter_and_silence() -> None:
    link = LinkReport(pings=[_ping("ok", 400), _ping("lossy", 380), _ping("slow", 400, rtt=25.0),
                             _ping("shaky", 400, jitter=4.0), _ping("dead", 0)])
    got = findings(_doc(link=link))
    assert _codes(got) == {("LINK-LOSS", "lossy"), ("LINK-LATENCY", "slow"),
                           ("LINK-JITTER", "shaky"), ("LINK-UNREACHABLE", "dead")}
    loss = next(f for f in got if f.code == "LINK-LOSS")
    assert "5%" in loss.explanation and "20/400" in loss.explanation
    assert loss.evidence[0].measured["loss_pct"] == 5.0


def test_loss_just_below_the_threshold_is_not_a_finding() -> None:
    link = LinkReport(pings=[_ping("edge", 397)])  # 0.75 % < 1 %
    assert findings(_doc(link=link)) == []


def _poll(**kw: object) -> PortPoll:
    base: dict[str, object] = {"device": "10.0.0.6", "device_name": "old", "if_index": 7,
                               "port": "Gi1/0/7", "interval_s": 5.0, "samples": 6}
    return PortPoll(**{**base, **kw})  # type: ignore[arg-type]


def test_poll_rules_flaps_fcs_errors_and_discards() -> None:
    link = LinkReport(ports=[
        _poll(port="p3", transitions=3),
        _poll(port="Gi1/0/12", in_packets=50_000, in_errors=250, fcs_errors=250,
              in_error_ppm=5000.0, fcs_ppm=5000.0),
        _poll(port="Gi1/0/13", in_packets=50_000, in_errors=250, in_error_ppm=5000.0),
        _poll(port="Gi1/0/14", in_packets=50_000, in_errors=3, in_error_ppm=60.0),
        _poll(port="Gi1/0/15", counter_reset=True, transitions=0, in_errors=None),
    ])
    assert _codes(findings(_doc(link=link))) == {
        ("PORT-FLAP", "old:p3"), ("PORT-FCS", "old:Gi1/0/12"), ("PORT-ERRORS", "old:Gi1/0/13")}


def test_cabling_rules_speed_downgrade_and_half_duplex() -> None:
    device = Device(host="10.0.0.6", name="old", reachable=True, ports=[
        Port(if_index=1, name="Gi1/0/1", type="ethernetCsmacd", oper_status="up",
             speed_mbps=100.0, duplex=Duplex.FULL),
        Port(if_index=2, name="Gi1/0/2", type="ethernetCsmacd", oper_status="up",
             speed_mbps=1000.0, duplex=Duplex.HALF),
        Port(if_index=3, name="Fa0/1", type="ethernetCsmacd", oper_status="up", speed_mbps=100.0),
        Port(if_index=4, name="Gi1/0/4", type="ethernetCsmacd", oper_status="down",
             speed_mbps=10.0),
    ])
    got = findings(_doc(devices=[device]))
    assert _codes(got) == {("PORT-SPEED-DOWNGRADE", "old:Gi1/0/1"),
                           ("PORT-HALF-DUPLEX", "old:Gi1/0/2")}
    downgrade = next(f for f in got if f.code == "PORT-SPEED-DOWNGRADE")
    assert downgrade.title == "Cổng 1 Gb/s Gi1/0/1 của old chỉ hoạt động ở tốc độ 100 Mb/s"


def test_a_fibre_ports_faults_name_optics_not_copper_cable() -> None:
    """The same faults on an SFP port (``Port.media`` fibre) and on a copper one: the copper
    port's remedy is the Cat6 cable, the fibre port's the module and the patch cord; the
    counters' findings (polls) find the medium by the device's address and the ifIndex."""
    device = Device(host="10.0.0.6", name="old", reachable=True, ports=[
        Port(if_index=7, name="Gi1/0/7", type="ethernetCsmacd", oper_status="up",
             speed_mbps=1000.0, duplex=Duplex.HALF, media="fibre"),
        Port(if_index=8, name="Gi1/0/8", type="ethernetCsmacd", oper_status="up",
             speed_mbps=1000.0, duplex=Duplex.HALF, media="twisted-pair")])
    link = LinkReport(ports=[
        _poll(if_index=i, port=f"Gi1/0/{i}", in_packets=50_000, in_errors=250, fcs_errors=250,
              in_error_ppm=5000.0, fcs_ppm=5000.0) for i in (7, 8)])
    got = {(f.code, f.subject): f for f in findings(_doc(devices=[device], link=link))}
    for code in ("PORT-FCS", "PORT-HALF-DUPLEX"):
        fibre, copper = got[(code, "old:Gi1/0/7")], got[(code, "old:Gi1/0/8")]
        assert "module quang" in fibre.recommendation and "quang" in fibre.explanation
        assert "quang" not in copper.recommendation + copper.explanation
    assert "Cat6" in got[("PORT-FCS", "old:Gi1/0/8")].recommendation


def test_wifi_dependence_uses_the_share_threshold() -> None:
    heavy = LinkReport(endpoints=EndpointShare(wired=4, wifi=6, wifi_pct=60.0))
    light = LinkReport(endpoints=EndpointShare(wired=8, wifi=2, wifi_pct=20.0))
    assert _codes(findings(_doc(link=heavy))) == {("WIFI-DEPENDENCE", "Trụ sở")}
    assert findings(_doc(link=light)) == []


def test_wording_is_nfc_vietnamese_and_every_finding_has_evidence() -> None:
    link = LinkReport(pings=[_ping("lossy", 300, rtt=30.0, jitter=5.0)],
                      ports=[_poll(transitions=2)])
    for f in findings(_doc(link=link)):
        for text in (f.title, f.explanation, f.recommendation):
            assert unicodedata.normalize("NFC", text) == text
            assert "{" not in text
        assert f.evidence


def test_threshold_file_overrides_one_value(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("link:\n  loss_pct: 10\n", encoding="utf-8")
    t = load_thresholds(path)
    assert t.link.loss_pct == 10
    assert t.link.jitter_ms == default_thresholds().link.jitter_ms
    assert findings(_doc(link=LinkReport(pings=[_ping("lossy", 380)])), t) == []


def test_every_code_the_rules_raise_has_complete_nfc_wording() -> None:
    import re

    import yaml

    root = REPO
    wording = yaml.safe_load((root / "report_templates" / "findings.yaml").read_text("utf-8"))
    raised = set()
    modules = [*sorted((root / "infraaudit" / "findings" / "rules").glob("*.py")),
               root / "infraaudit" / "health" / "run.py"]
    for module in modules:
        raised |= set(re.findall(r'make\("([A-Z0-9-]+)"', module.read_text("utf-8")))
    assert raised and raised <= set(wording), raised - set(wording)
    for code, words in wording.items():
        if code == "words":
            continue
        assert {"category", "severity", "title", "explanation", "recommendation"} <= set(words)
        assert words["severity"] in ("high", "medium", "low", "info"), code
        for key in ("title", "explanation", "recommendation"):
            assert unicodedata.normalize("NFC", words[key]) == words[key], (code, key)
