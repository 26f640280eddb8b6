"""Read an audit document of any published schema version as the current one."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from infraaudit.errors import AuditFormatError
from infraaudit.models.audit import SCHEMA_VERSION, AuditDocument


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v2 only added fields with defaults (platform, ssh_profile, sources, conflicts,
    security)."""
    return {**data, "schema_version": 2}


def _v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    """v3 only added optional site sections and ``ports[].macs`` (default empty)."""
    return {**data, "schema_version": 3}


def _v3_to_v4(data: dict[str, Any]) -> dict[str, Any]:
    """v4 only added optional fields: ``devices[].in_service`` and the octet and load fields of
    ``link.ports[]``. A v3 audit simply does not know them."""
    return {**data, "schema_version": 4}


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4}


def load_audit(text: str) -> AuditDocument:
    """Parse audit JSON, upgrading older schema versions step by step."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AuditFormatError(f"not JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(data, dict) or not isinstance(data.get("schema_version"), int):
        raise AuditFormatError("not an infraaudit audit: no integer schema_version")
    version = data["schema_version"]
    if version > SCHEMA_VERSION:
        raise AuditFormatError(
            f"schema_version {version} is newer than this infraaudit reads ({SCHEMA_VERSION}): "
            "upgrade infraaudit"
        )
    while version < SCHEMA_VERSION:
        if version not in MIGRATIONS:
            raise AuditFormatError(f"no migration from schema_version {version}")
        data = MIGRATIONS[version](data)
        version = data["schema_version"]
    try:
        return AuditDocument.model_validate(data)
    except ValidationError as exc:
        raise AuditFormatError(f"invalid audit ({exc.error_count()} problems): "
                               f"{exc.errors(include_url=False)[0]['msg']}") from None
