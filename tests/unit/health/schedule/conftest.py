"""Fixtures of the schedule tests: none of them may pick up a crontab from the environment."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_crontab_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INFRAAUDIT_CRONTAB", raising=False)
