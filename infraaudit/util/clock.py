"""The time zone reports read times in: audits store UTC, reports speak Vietnam time. Plain
``datetime``, so the command line can show this year as a default without loading pydantic."""

import datetime as dt

VN_TZ = dt.timezone(dt.timedelta(hours=7))


def vn_today() -> dt.date:
    """Today in Vietnam, whatever the machine's time zone: the date a report is dated."""
    return dt.datetime.now(VN_TZ).date()


def local_year(iso: str) -> int:
    """The Vietnam calendar year of an ISO 8601 time (UTC when it has no offset)."""
    t = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return (t if t.tzinfo else t.replace(tzinfo=dt.UTC)).astimezone(VN_TZ).year
