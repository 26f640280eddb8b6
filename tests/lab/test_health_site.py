"""`infraaudit health` across real lab changes (root: the site lab in namespaces).

Three runs from the scanner namespace into one history database: the first has nothing to
compare with, the second learns the old switch's standing FCS rate (PORT-ERRORS-NEW), then the
lab changes — a cable pulled on acc1 p2, acc2's agent restarted, 5% loss towards acc1 — and the
third run must report exactly those three changes. `infraaudit history` then shows the trends.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from lab.netns import netns_supported
from lab.site import SiteLab

pytestmark = [
    pytest.mark.netns,
    pytest.mark.skipif(not netns_supported(), reason="needs root and `ip netns`"),
]
IF_OPER = "1.3.6.1.2.1.2.2.1.8"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteLab]:
    lab = SiteLab(tmp_path_factory.mktemp("site-health"), seed=3)
    try:
        lab.start()
        yield lab
    finally:
        lab.stop()


def _health(site: SiteLab, inventory: Path) -> tuple[int, dict[str, object]]:
    res = site.run_scanner([sys.executable, "-m", "infraaudit.cli", "health", str(inventory),
                            "--env-file", str(site.env_file), "--json"], timeout=120)
    assert res.returncode in (0, 1), res.stderr[-2000:]
    return res.returncode, json.loads(res.stdout)


def _alerts(report: dict[str, object]) -> set[tuple[str, str]]:
    return {(a["code"], a["subject"]) for a in report["alerts"]}  # type: ignore[attr-defined, index]


def _wait_oper_down(site: SiteLab, node: str, port: str, timeout: float = 20.0) -> None:
    """net-snmp re-reads the interface table every few seconds: wait until it shows the port
    down, so the health run sees the change (and the test does not race the agent's cache)."""
    community = site.secrets["INFRAAUDIT_LAB_SITE_COMMUNITY"]
    names = site.run_scanner(["snmpwalk", "-v2c", "-c", community, "-On", "-Oq", "-m", "",
                              site.v4(node), "1.3.6.1.2.1.31.1.1.1.1"]).stdout.splitlines()
    index = next(line.split()[0].rsplit(".", 1)[1] for line in names
                 if line.split()[1].strip('"') == port)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = site.run_scanner(["snmpget", "-v2c", "-c", community, "-Oqv", "-m", "",
                                site.v4(node), f"{IF_OPER}.{index}"]).stdout.strip()
        if out == "2":
            return
        time.sleep(0.5)
    raise AssertionError(f"{node} {port} never read as down")


def test_health_reports_exactly_the_lab_changes(site: SiteLab, tmp_path: Path) -> None:
    inventory = yaml.safe_load(site.inventory_path.read_text(encoding="utf-8"))
    db = tmp_path / "history.sqlite"
    inventory["health"] = {"ping_count": 400, "ping_interval_ms": 5, "db": str(db)}
    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump(inventory, allow_unicode=True), encoding="utf-8")

    code, first = _health(site, path)
    assert (code, _alerts(first), first["previous_run_id"]) == (0, set(), None), [
        a["explanation"] for a in first["alerts"]]  # type: ignore[attr-defined]
    code, second = _health(site, path)
    assert (code, _alerts(second)) == (1, {("PORT-ERRORS-NEW", "old:Gi1/0/12")})

    site.unplug("acc1", "p2")
    site.restart_agent("acc2")
    site.apply("loss")
    _wait_oper_down(site, "acc1", "p2")
    code, third = _health(site, path)
    assert code == 1
    assert _alerts(third) == {("PORT-DOWN", "acc1:p2"), ("DEVICE-REBOOT", "acc2"),
                              ("LINK-LOSS", "acc1")}
    for alert in third["alerts"]:  # type: ignore[attr-defined]
        assert alert["evidence"], alert["code"]

    site.clear()
    site.plug("acc1", "p2")
    res = subprocess.run([sys.executable, "-m", "infraaudit.cli", "history", str(path),
                          "--window", "30", "--csv", str(tmp_path / "csv")],
                         capture_output=True, text=True, timeout=60, check=False)
    assert res.returncode == 0, res.stderr
    assert "3 runs" in res.stdout and "device availability, 30 days" in res.stdout
    ports_csv = (tmp_path / "csv" / f"{inventory['site']['id']}-ports-30d.csv").read_text()
    assert "Gi1/0/12" in ports_csv
    assert site.secrets["INFRAAUDIT_LAB_SITE_COMMUNITY"].encode() not in db.read_bytes()
