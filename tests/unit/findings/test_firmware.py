from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from infraaudit.errors import InventoryError
from infraaudit.findings.firmware import (
    FirmwareCatalog,
    FirmwareEntry,
    firmware_findings,
    load_catalog,
)
from infraaudit.models import Device
from tests.paths import INVENTORIES

SOURCE = "Test notice written for this unit test, not a vendor document"


def catalog(**overrides: object) -> FirmwareCatalog:
    entry = {"vendor": "Cisco", "model": "WS-C2960", "firmware": r"^12\.2",
             "end_of_support": date(2019, 10, 31), "source": SOURCE} | overrides
    return FirmwareCatalog(entries=[FirmwareEntry.model_validate(entry)])


def test_device_on_an_ended_train_gets_a_finding_with_the_source() -> None:
    device = Device(host="10.0.0.2", vendor="Cisco", model="WS-C2960-24TT-L",
                    firmware="12.2(55)SE9")
    (finding,) = firmware_findings(device, catalog(), date(2026, 11, 23))
    assert finding.code == "SEC-FIRMWARE-EOS" and finding.source == "catalog"
    assert "12.2(55)SE9" in finding.evidence[0] and "2019-10-31" in finding.evidence[0]
    assert SOURCE in finding.evidence[0]


@pytest.mark.parametrize(
    ("device", "today"),
    [
        (Device(host="h", vendor="Cisco", model="WS-C2960", firmware="15.0(2)SE11"), None),
        (Device(host="h", vendor="Huawei", model="WS-C2960", firmware="12.2(55)"), None),
        (Device(host="h", vendor="Cisco", model="C9200L", firmware="12.2(55)"), None),
        (Device(host="h", vendor="Cisco", model="WS-C2960", firmware="12.2(55)"),
         date(2019, 10, 1)),
        (Device(host="h", vendor="Cisco", model="WS-C2960", firmware=None), None),
    ],
)
def test_no_finding_when_anything_does_not_match(device: Device, today: date | None) -> None:
    assert firmware_findings(device, catalog(), today or date(2026, 11, 23)) == []


def test_catalog_file_needs_a_source_and_valid_patterns(tmp_path: Path) -> None:
    shipped = INVENTORIES / "firmware_catalog.yaml"
    assert load_catalog(shipped).entries == []  # the tool ships no dates of its own
    bad = tmp_path / "catalog.yaml"
    bad.write_text("entries:\n  - {vendor: Cisco, firmware: '^12', end_of_support: 2019-10-31}\n")
    with pytest.raises(InventoryError, match="source"):
        load_catalog(bad)
    bad.write_text("entries:\n  - {vendor: Cisco, firmware: '(', end_of_support: 2019-10-31,"
                   " source: 'a notice somewhere'}\n")
    with pytest.raises(InventoryError, match="invalid firmware catalog"):
        load_catalog(bad)
