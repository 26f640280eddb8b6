"""Endpoints in the site lab: every host placed on its true switch port (ground truth from the
namespaces: site-truth.json), the Wi-Fi clients on the AP's radio side, and a desk switch
(several MACs behind h1's access port: macvlans on h1's eth0, which is what a desk switch shows
the access switch) raising PORT-SHARED-ENDPOINTS there and on no other lab port.

The switches are Linux bridges whose FDB net-snmp serves through lab/bridge_mib.py (Linux
snmpd has no BRIDGE-MIB); the router's ARP table is net-snmp's own IP-MIB."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from infraaudit.findings import findings
from infraaudit.models import AuditDocument
from infraaudit.models.migrate import load_audit
from lab.netns import netns_supported
from lab.site import SiteLab
from lab.site.topology import LINKS

pytestmark = [
    pytest.mark.netns,
    pytest.mark.skipif(not netns_supported(), reason="needs root and `ip netns`"),
]

HUB_MACS = ["02:42:de:5c:00:01", "02:42:de:5c:00:02", "02:42:de:5c:00:03"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteLab]:
    lab = SiteLab(tmp_path_factory.mktemp("endpoints"), seed=7)
    try:
        lab.start()
        yield lab
    finally:
        lab.stop()


def _scan(site: SiteLab, out: Path) -> AuditDocument:
    res = site.run_scanner([sys.executable, "-m", "infraaudit.cli", "scan",
                            str(site.inventory_path), "--env-file", str(site.env_file),
                            "--output", str(out), "--quiet"], timeout=300)
    assert res.returncode in (0, 1), res.stderr[-2000:]
    return load_audit(out.read_text(encoding="utf-8"))


def _truth(site: SiteLab) -> dict[str, tuple[str, str]]:
    """Host MAC -> (switch, port) it is cabled to, from the namespaces."""
    truth = json.loads(site.truth_path.read_text(encoding="utf-8"))
    where = {}
    for link in LINKS:
        if link.b in truth["hosts"]["wired"] + truth["hosts"]["wifi"] and link.a != "sws":
            mac = truth["nodes"][link.b]["interfaces"][link.b_if]["mac"]
            where[mac] = (link.a, link.a_if)
    return where


def test_every_host_on_its_true_port_and_a_desk_switch_found(site: SiteLab,
                                                             tmp_path: Path) -> None:
    for host in ("h1", "h2", "b1", "b2", "w1", "w2", "w3", "srv"):  # traffic: bridges learn
        site.run_node(host, ["ping", "-c", "1", "-W", "1", "-q", site.gateway(
            "lan-b" if host.startswith("b") else "lan-a")])
    doc = _scan(site, tmp_path / "audit.json")
    assert doc.endpoints is not None
    placed = {e.mac: e for e in doc.endpoints.endpoints}
    truth = _truth(site)
    got = {mac: (placed[mac].device, placed[mac].port) if mac in placed else None
           for mac in truth}
    assert got == truth
    wifi = {mac for mac, (switch, _) in truth.items() if switch == "ap"}
    assert {m for m in truth if placed[m].wifi} == wifi
    # the old switch's recorded FDB has hubs of its own (3-4 MACs on Gi1/0/6, 7 and 9)
    before = {f.subject for f in findings(doc) if f.code == "PORT-SHARED-ENDPOINTS"}
    assert before == {"old:Gi1/0/6", "old:Gi1/0/7", "old:Gi1/0/9"}
    rtr = next(d for d in doc.devices if d.name == "rtr")
    assert rtr.neighbours and all(n.mac for n in rtr.neighbours)

    # a desk switch behind h1's access port (acc1 p2): three more MACs there
    gateway = site.gateway("lan-a")
    for i, mac in enumerate(HUB_MACS):
        for argv in (["ip", "link", "add", f"pc{i}", "link", "eth0", "address", mac, "type",
                      "macvlan", "mode", "bridge"],
                     ["ip", "addr", "add", f"10.{site.octet}.1.{150 + i}/24", "dev", f"pc{i}"],
                     ["ip", "link", "set", f"pc{i}", "up"]):
            res = site.run_node("h1", argv)
            assert res.returncode == 0, res.stderr
        site.run_node("h1", ["ping", "-c", "1", "-W", "1", "-q", "-I", f"pc{i}", gateway])
    try:
        doc = _scan(site, tmp_path / "audit-hub.json")
    finally:
        for i in range(len(HUB_MACS)):
            site.run_node("h1", ["ip", "link", "del", f"pc{i}"])
    shared = [f for f in findings(doc) if f.code == "PORT-SHARED-ENDPOINTS"]
    assert {f.subject for f in shared} == before | {"acc1:p2"}
    (hub,) = [f for f in shared if f.subject == "acc1:p2"]
    macs = {e.measured.get("mac") for e in hub.evidence[1:]}
    assert set(HUB_MACS) <= macs
    placed = {e.mac: e for e in doc.endpoints.endpoints} if doc.endpoints else {}
    assert {(placed[m].device, placed[m].port) for m in HUB_MACS} == {("acc1", "p2")}
    res = site.run_scanner([sys.executable, "-m", "infraaudit.cli", "find", HUB_MACS[0].upper(),
                            str(tmp_path / "audit-hub.json")], timeout=60)
    assert res.returncode == 0 and "acc1 port p2" in res.stdout, res.stderr
