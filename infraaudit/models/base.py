"""Base class for every model in the audit document (the time zone reports read times in is
``util/clock.py``)."""

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """A model that refuses unknown fields, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)
