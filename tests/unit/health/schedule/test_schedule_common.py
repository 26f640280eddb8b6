"""What both backends share: the next run time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from infraaudit.health.schedule import TimeOfDay, next_run


def test_next_run_is_the_next_wall_clock_time() -> None:
    tz = timezone(timedelta(hours=7))
    before = datetime(2026, 3, 1, 1, 0, tzinfo=tz)
    assert next_run(TimeOfDay(2, 30), before) == datetime(2026, 3, 1, 2, 30, tzinfo=tz)
    at_time = datetime(2026, 3, 1, 2, 30, tzinfo=tz)
    assert next_run(TimeOfDay(2, 30), at_time) == datetime(2026, 3, 2, 2, 30, tzinfo=tz)
