"""Which scheduler installs the job: systemd when it runs this machine (or --unit-dir is
given), else cron."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from infraaudit.errors import ScheduleInputError

if TYPE_CHECKING:  # the backends are imported when one is chosen, not for --help
    from infraaudit.health.schedule.cron import Cron
    from infraaudit.health.schedule.systemd import Systemd


class Scheduler(StrEnum):
    AUTO = "auto"
    SYSTEMD = "systemd"
    CRON = "cron"


def backend(scheduler: Scheduler = Scheduler.AUTO, *, user: bool | None = None,
            unit_dir: Path | None = None, crontab: Path | None = None) -> Systemd | Cron:
    """systemd when it runs (or --unit-dir is given), else cron."""
    from infraaudit.health.schedule.cron import Cron
    from infraaudit.health.schedule.systemd import Systemd, systemd_running

    if unit_dir is not None and crontab:
        raise ScheduleInputError("--unit-dir is for systemd, --crontab for cron: not both")
    if scheduler is Scheduler.AUTO:
        use_systemd = unit_dir is not None or (not crontab and systemd_running())
        scheduler = Scheduler.SYSTEMD if use_systemd else Scheduler.CRON
    if scheduler is Scheduler.SYSTEMD:
        if crontab:
            raise ScheduleInputError("--crontab is for cron, not --scheduler systemd")
        return Systemd.detect(user, unit_dir)
    if unit_dir is not None:
        raise ScheduleInputError("--unit-dir is for systemd, not --scheduler cron")
    return Cron((os.path.abspath(crontab),) if crontab else ("crontab",))
