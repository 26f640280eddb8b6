"""Run ``infraaudit health`` every night: a systemd timer, or a crontab line without systemd.

``job`` turns the install request into a :class:`HealthJob`; ``systemd`` and ``cron`` render it
(pure functions) and install it (:class:`Systemd`, :class:`Cron`); ``common`` holds what both
backends share; ``choose`` picks one. ``__all__`` names what the CLI and the tests use.
Part of the health stage: May import: what the health stage may."""

from typing import TYPE_CHECKING

from infraaudit.util.lazy import lazy_exports

if TYPE_CHECKING:  # imported on first use (util/lazy.py): the command line starts fast
    from infraaudit.errors import ScheduleError, ScheduleInputError
    from infraaudit.health.schedule.choose import Scheduler, backend
    from infraaudit.health.schedule.common import Outcome, ScheduleStatus, next_run
    from infraaudit.health.schedule.cron import (
        Cron,
        cron_entries,
        cron_offset,
        cron_quote,
        cron_wrappers,
        merge_crontab,
        parse_cron_line,
        remove_from_crontab,
        render_cron_line,
    )
    from infraaudit.health.schedule.job import (
        PREFIX,
        HealthJob,
        TimeOfDay,
        check_name,
        default_executable,
        env_file_problems,
        format_timespan,
        make_job,
        parse_at,
        parse_duration,
    )
    from infraaudit.health.schedule.systemd import (
        Systemd,
        parse_metadata,
        parse_timer,
        render_service,
        render_timer,
        systemd_quote,
    )

__all__ = [
    "PREFIX",
    "Cron",
    "HealthJob",
    "Outcome",
    "ScheduleError",
    "ScheduleInputError",
    "ScheduleStatus",
    "Scheduler",
    "Systemd",
    "TimeOfDay",
    "backend",
    "check_name",
    "cron_entries",
    "cron_offset",
    "cron_quote",
    "cron_wrappers",
    "default_executable",
    "env_file_problems",
    "format_timespan",
    "make_job",
    "merge_crontab",
    "next_run",
    "parse_at",
    "parse_cron_line",
    "parse_duration",
    "parse_metadata",
    "parse_timer",
    "remove_from_crontab",
    "render_cron_line",
    "render_service",
    "render_timer",
    "systemd_quote",
]

__getattr__ = lazy_exports(__name__)
