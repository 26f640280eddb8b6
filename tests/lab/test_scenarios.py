"""Every scenario in lab/scenarios/: apply its faults to the site lab, scan the lab with
infraaudit from the scanner namespace, and check (1) the findings are exactly the expected ones
and (2) each expected measurement is within its tolerance. One lab serves all scenarios."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from infraaudit.findings import findings, load_thresholds
from infraaudit.models import AuditDocument
from infraaudit.models.migrate import load_audit
from lab.netns import netns_supported
from lab.site import SCENARIOS, SiteLab, scenario_names
from tests.language import agency_problems, province_problems, site_report

pytestmark = [
    pytest.mark.netns,
    pytest.mark.skipif(not netns_supported(), reason="needs root and `ip netns`"),
]


# The finding categories the scenarios are about; security posture (SNMP v2c and so on) and
# availability are the same in every scenario and are tested elsewhere.
# The lab's core was installed six years ago (lab/site/outputs.py): its 8-year life ends in two
# years, inside the plan horizon whatever the year the test runs in.
DEFAULTS = load_thresholds(None)
THRESHOLDS = DEFAULTS.overridden({"lifetime": {"plan_until": max(DEFAULTS.lifetime.plan_until,
                                                                 dt.date.today().year + 2)}})
MEASURED = {"link", "port", "cabling", "wifi", "ipv6", "capacity", "lifecycle"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteLab]:
    lab = SiteLab(tmp_path_factory.mktemp("site"), relay_links=["core-acc2"], seed=7)
    try:
        lab.start()
        yield lab
    finally:
        lab.stop()


def _spec(name: str) -> dict[str, Any]:
    return dict(yaml.safe_load((SCENARIOS / f"{name}.yaml").read_text(encoding="utf-8")))


def _scan(site: SiteLab, spec: dict[str, Any], folder: Path) -> AuditDocument:
    """Scan the lab from its scanner namespace with the scenario's inventory overrides."""
    inventory = yaml.safe_load(site.inventory_path.read_text(encoding="utf-8"))
    for section, values in (spec.get("scan") or {}).items():
        inventory.setdefault(section, {}).update(values)
    path = folder / "inventory.yaml"
    path.write_text(yaml.safe_dump(inventory, allow_unicode=True), encoding="utf-8")
    out = folder / "audit.json"
    res = site.run_scanner([sys.executable, "-m", "infraaudit.cli", "scan", str(path),
                            "--env-file", str(site.env_file), "--output", str(out), "--quiet"],
                           timeout=300)
    assert res.returncode in (0, 1), res.stderr[-2000:]
    return load_audit(out.read_text(encoding="utf-8"))


def measure(doc: AuditDocument, target: str, metric: str, port: str | None) -> Any:
    """The audit's value for one ``expect.measured`` entry."""
    assert doc.link is not None and doc.ipv6 is not None
    pings = {p.name: p for p in doc.link.pings}
    polls = {(p.device_name, p.port): p for p in doc.link.ports}
    if metric == "loss_percent":
        return pings[target].loss_pct
    if metric in ("rtt_avg_ms", "jitter_ms"):
        return getattr(pings[target], metric)
    if metric == "oper_status_changes":
        return polls[(target, port)].transitions
    if metric == "fcs_errors_per_million_packets":
        return polls[(target, port)].fcs_ppm
    if metric == "wifi_percent":
        assert doc.link.endpoints is not None and doc.site.name == target
        return doc.link.endpoints.wifi_pct
    if metric == "in_load_percent":
        return polls[(target, port)].in_util_pct
    if metric == "in_service_year":
        (device,) = [d for d in doc.devices if d.name == target]
        return device.in_service.year if device.in_service else None
    if metric == "ra_seen":
        segments = [s for s in doc.ipv6.segments if s.segment == target]
        assert segments, f"segment {target} was not probed"
        return any(ra.prefixes for s in segments for ra in s.ra)
    raise AssertionError(f"unknown metric {metric}")


@pytest.mark.parametrize("name", scenario_names())
def test_scenario(site: SiteLab, name: str, tmp_path: Path) -> None:
    spec = _spec(name)
    if spec.get("faults"):
        site.apply(name)
    else:
        site.clear()
    doc = _scan(site, spec, tmp_path)
    got = {(f.code, f.subject) for f in findings(doc, THRESHOLDS) if f.category in MEASURED}
    expected = {(f["code"], f["subject"]) for f in spec["expect"]["findings"]}
    assert got - expected == set(), "findings the scenario does not expect"
    assert expected - got == set(), "expected findings not produced"
    for m in spec["expect"].get("measured", []):
        value = measure(doc, m["target"], m["metric"], m.get("port"))
        where = f"{m['target']} {m.get('port') or ''} {m['metric']} = {value}"
        if "tolerance" in m:
            assert value is not None and abs(value - m["value"]) <= m["tolerance"], where
        elif "value" in m:
            assert value == m["value"], where
        if "min" in m:
            assert value is not None and value >= m["min"], where
        if "max" in m:
            assert value is not None and value <= m["max"], where
    for f in findings(doc, THRESHOLDS):
        assert f.evidence, f"{f.code} {f.subject} has no evidence"
    # the reports of this site read as Vietnamese official documents (tests/language.py)
    report = site_report(tmp_path / "inventory.yaml", doc, tmp_path)
    found = agency_problems(report, [doc], tmp_path) + province_problems(
        [doc], tmp_path, dt.date.today())
    assert not found, "\n".join(found[:30])


def test_wifi_clients_are_learnt_and_leave_no_trace(site: SiteLab) -> None:
    """The extra stations are in the AP's and core's FDB while applied, gone after clear()."""
    def learnt(node: str) -> set[str]:
        shown = site.run_node(node, ["bridge", "-j", "fdb", "show", "br", "br0"])
        return {e["mac"] for e in json.loads(shown.stdout or "[]")
                if str(e.get("mac", "")).startswith("02:77:")}

    site.apply("wifi")
    assert len(learnt("ap")) == 20 and len(learnt("core")) == 20
    site.clear()
    assert learnt("ap") == set() and learnt("core") == set()
    res = site.run_node("w1", ["ip", "-j", "link", "show"])
    assert not [i for i in json.loads(res.stdout) if i["ifname"].startswith("wc")]
