"""The merged finding lines of a site's table (report/render/groups.py): the faults of a copper
and of a fibre port have different remedies, so each keeps its own line."""

from __future__ import annotations

from infraaudit.findings import findings
from infraaudit.models import Device, Duplex, Port
from infraaudit.models.report import SiteFinding
from infraaudit.report.render.blocks import words
from infraaudit.report.render.groups import finding_groups
from tests.report_sample import sample_report
from tests.unit.findings.test_rules import _doc


def test_copper_and_fibre_faults_of_one_code_are_two_lines_with_their_remedies() -> None:
    ports = [Port(if_index=i, name=f"Gi1/0/{i}", type="ethernetCsmacd", oper_status="up",
                  speed_mbps=1000.0, duplex=Duplex.HALF, media=media)
             for i, media in ((1, "fibre"), (2, "twisted-pair"), (3, None))]
    audit = _doc(devices=[Device(host="10.9.9.9", name="sw-x", reachable=True, ports=ports)])
    report = sample_report()
    site = report.findings[0].site
    report.findings = [SiteFinding(site=site, finding=f) for f in findings(audit)
                       if f.code == "PORT-HALF-DUPLEX"]
    lines = finding_groups(report, site, words())
    assert len(lines) == 2
    fibre = next(line for line in lines if "module quang" in line["remedy"])
    copper = next(line for line in lines if "module quang" not in line["remedy"])
    assert "Gi1/0/1" in fibre["content"] and "Gi1/0/1" not in copper["content"]
    assert "Gi1/0/2" in copper["content"] and "Gi1/0/3" in copper["content"]


def test_a_speed_downgrade_line_names_the_speeds_measured() -> None:
    ports = [Port(if_index=i, name=f"Gi1/0/{i}", type="ethernetCsmacd", oper_status="up",
                  speed_mbps=speed) for i, speed in ((1, 100.0), (2, 10.0), (3, 100.0))]
    audit = _doc(devices=[Device(host="10.9.9.9", name="sw-x", reachable=True, ports=ports)])
    report = sample_report()
    site = report.findings[0].site
    report.findings = [SiteFinding(site=site, finding=f) for f in findings(audit)]
    (line,) = finding_groups(report, site, words())
    assert line["content"].startswith("03 cổng 1 Gb/s chỉ hoạt động ở tốc độ 10 hoặc 100 Mb/s:")
    del report.findings[1:]
    (line,) = finding_groups(report, site, words())
    assert line["content"].startswith("01 cổng 1 Gb/s chỉ hoạt động ở tốc độ 100 Mb/s:")
