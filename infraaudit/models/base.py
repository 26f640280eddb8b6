"""Base class for every model in the audit document; the time zone reports read times in."""

import datetime as dt

from pydantic import BaseModel, ConfigDict

VN_TZ = dt.timezone(dt.timedelta(hours=7))  # audits store UTC; reports speak Vietnam time


def vn_today() -> dt.date:
    """Today in Vietnam, whatever the machine's time zone: the date a report is dated."""
    return dt.datetime.now(VN_TZ).date()


def local_year(iso: str) -> int:
    """The Vietnam calendar year of an ISO 8601 time (UTC when it has no offset)."""
    t = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return (t if t.tzinfo else t.replace(tzinfo=dt.UTC)).astimezone(VN_TZ).year


class Strict(BaseModel):
    """A model that refuses unknown fields, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)
