"""Thresholds of the findings rules: ``data/thresholds.yaml``, overridden by a file the caller
passes (``--thresholds FILE``)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

Thresholds = dict[str, Any]


@cache
def default_thresholds() -> Thresholds:
    source = resources.files("infraaudit.findings").joinpath("data/thresholds.yaml")
    text = source.read_text("utf-8")
    return dict(yaml.safe_load(text))


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``override``'s values, nested mappings merged key by key."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def load_thresholds(path: Path | None) -> Thresholds:
    """The default thresholds, overridden key by key (at any depth) by ``path`` when given:
    ``lifetime: {years: {switch: 10}}`` changes the switches' service life only."""
    if path is None:
        return {k: dict(v) for k, v in default_thresholds().items()}
    return _merge(default_thresholds(), yaml.safe_load(path.read_text("utf-8")) or {})
