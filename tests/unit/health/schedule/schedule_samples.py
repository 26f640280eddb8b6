"""Sample inventories, jobs and fake commands shared by the schedule tests."""

from __future__ import annotations

import stat
from pathlib import Path

from infraaudit.health.schedule import HealthJob, TimeOfDay

SITE = "agency: {code: TTT, name: T}\nsite: {id: %s, name: S}\ndevices: []\n"
EXE = ("/opt/ia/.venv/bin/infraaudit",)


def _inventory(directory: Path, site_id: str = "hung-vuong", filename: str = "site.yaml") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / filename
    path.write_text(SITE % site_id, encoding="utf-8")
    return path


def _job(**changes: object) -> HealthJob:
    values: dict[str, object] = {
        "name": "hung-vuong", "site_id": "hung-vuong", "inventory": Path("/srv/ia/site.yaml"),
        "at": TimeOfDay(2, 30), "executable": EXE, "random_delay_s": 1800, "timeout_s": 3600}
    values.update(changes)
    return HealthJob(**values)  # type: ignore[arg-type]


def _script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path
