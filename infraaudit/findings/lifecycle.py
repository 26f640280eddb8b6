"""Since when a device has been in service, from the best evidence there is. Pure.

In order: the year the agency wrote in the inventory (``installed_year``: when the device was
put in service), else the manufacture date the device itself reports (ENTITY-MIB
entPhysicalMfgDate, rarely filled), else the manufacture year encoded in a Cisco serial number.
A manufacture year is at most the year of installation, so an age counted from it can only be
longer than the device's real service: reports say which source each age rests on.

Cisco serial numbers (chassis made since 1996) read LLLYYWWSSSS: a three-letter plant code, the
year as YY = year - 1996, the week WW (01-53) and four characters of sequence, e.g. FOC1408Z61U
was made in week 08 of 2010. Other vendors' formats are not decoded (see the README).
"""

from __future__ import annotations

import re

from infraaudit.models import Device, ServiceAge

CISCO_OID = "1.3.6.1.4.1.9."
_CISCO_SERIAL = re.compile(r"^[A-Z]{3}(\d{2})(\d{2})[A-Z0-9]{4}$")


def cisco_serial_date(serial: str | None) -> tuple[int, int] | None:
    """(year, week) a Cisco serial number encodes, or None when it is not in that format."""
    match = _CISCO_SERIAL.match((serial or "").strip().upper())
    if match is None:
        return None
    year, week = 1996 + int(match[1]), int(match[2])
    return (year, week) if 1 <= week <= 53 else None


def service_age(device: Device, installed_year: int | None) -> ServiceAge | None:
    """The device's service start: the inventory's year, else what the scan already read from
    ENTITY-MIB (``device.in_service``), else a Cisco serial number's year."""
    if installed_year is not None:
        return ServiceAge(year=installed_year, source="inventory", detail=str(installed_year))
    if device.in_service is not None:
        return device.in_service
    if (device.sys_object_id or "").startswith(CISCO_OID):
        made = cisco_serial_date(device.serial)
        if made is not None:
            return ServiceAge(year=made[0], source="serial",
                              detail=f"{device.serial} ({made[0]}-W{made[1]:02d})")
    return None
