"""Firmware support check against an editable catalog (``--firmware-catalog FILE``).

The catalog is the agency's: each entry names a vendor, optionally a model pattern, the firmware
(software train) pattern that is out of support, the end-of-support date, and the source of that
date (a vendor bulletin). Nothing is hard-coded here; an entry without a source is refused.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from infraaudit.errors import InventoryError
from infraaudit.models import Device, SecurityFinding
from infraaudit.util.yamlfile import read_yaml, validate_strict


class FirmwareEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    vendor: str = Field(description="matched against the device vendor, case-insensitive")
    model: str | None = Field(default=None, description="regex on the device model")
    firmware: str = Field(description="regex on the device firmware: the unsupported train")
    end_of_support: date
    source: str = Field(min_length=8, description="the vendor notice the date comes from")

    @field_validator("model", "firmware")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            re.compile(value)
        return value


class FirmwareCatalog(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entries: list[FirmwareEntry] = Field(default_factory=list)


def load_catalog(path: Path) -> FirmwareCatalog:
    data = read_yaml(path, "firmware catalog")[0] or {}
    try:
        return validate_strict(FirmwareCatalog, data)
    except (ValidationError, re.error) as exc:
        raise InventoryError(f"{path}: invalid firmware catalog: {exc}") from None


def firmware_findings(device: Device, catalog: FirmwareCatalog,
                      today: date) -> list[SecurityFinding]:
    """SEC-FIRMWARE-EOS for each catalog entry whose support ended before ``today``."""
    from infraaudit.findings.security import eos_finding

    if not device.firmware or not device.vendor:
        return []
    found = []
    for entry in catalog.entries:
        if entry.vendor.casefold() not in device.vendor.casefold():
            continue
        if entry.model and not re.search(entry.model, device.model or ""):
            continue
        if not re.search(entry.firmware, device.firmware) or entry.end_of_support >= today:
            continue
        found.append(eos_finding(device.model or device.vendor, device.firmware,
                                 entry.end_of_support.isoformat(), entry.source))
    return found
