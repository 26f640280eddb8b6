"""Read an audit document of any published schema version as the current one.

The JSON is parsed with limits, so that a hostile file is one clear AuditFormatError (the CLI's
exit 2, the collector's 422) and never a RecursionError or Python's 4300-digit ValueError:
nesting at most ``MAX_DEPTH`` (an audit needs 8), integers of at most ``MAX_INT_DIGITS`` digits,
no NaN or Infinity (they are not JSON) nor numbers too large for a float.
"""

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


def _v4_to_v5(data: dict[str, Any]) -> dict[str, Any]:
    """v5 adds ``ports[].kind``, which a v4 port lacks: the Port model classifies such a port
    when it is read, from its ifType and names (the one classification, ``models/ports.py``),
    so a VLAN or loopback of an old audit is not counted as a switch port either. The devices'
    new ``model_source``, ``firmware_source`` and ``bridge_port_mapping`` stay unknown, as do
    the optional L2 fields (``devices[].vlans``, ``pvids``, ``stp``, ``poe``) a v4 audit did not
    read; ``devices[].neighbours`` (default empty) and the optional site section ``endpoints``:
    a v4 audit has no ARP/ND rows, so nothing is placed (``infraaudit find`` still places what
    its forwarding tables hold)."""
    return {**data, "schema_version": 5}


def _v5_to_v6(data: dict[str, Any]) -> dict[str, Any]:
    """v6 adds what a v5 audit did not read: ``devices[].health`` (CPU, memory, sensors; none)
    and ``ports[].mac_vlans`` (the VLAN each learnt MAC is in; empty)."""
    return {**data, "schema_version": 6}


def _v6_to_v7(data: dict[str, Any]) -> dict[str, Any]:
    """v7 adds ``ports[].media`` (twisted-pair or fibre, from ENTITY-MIB), which a v6 audit did
    not read: unknown, so the plan treats its faulty ports as before (a Cat6 run each)."""
    return {**data, "schema_version": 7}


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4, 4: _v4_to_v5, 5: _v5_to_v6, 6: _v6_to_v7}

MAX_DEPTH = 64
MAX_INT_DIGITS = 40
MAX_AUDIT_BYTES = 256 * 1024 * 1024  # what the CLI reads from a file


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise AuditFormatError(f"not an audit: an integer of {len(text.lstrip('-'))} digits "
                               f"(at most {MAX_INT_DIGITS})")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise AuditFormatError(f"not an audit: the number {text[:20]}… is too large")
    return value


def _constant(name: str) -> Any:
    raise AuditFormatError(f"not JSON: {name} is not a JSON number")


def _depth(data: Any) -> int:
    """The nesting depth of parsed JSON (a scalar: 0), without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_DEPTH:
                children = value.values() if isinstance(value, dict) else value
                stack.extend((child, depth + 1) for child in children
                             if isinstance(child, dict | list))
    return deepest


def parse_json(text: str) -> Any:
    """JSON text with the limits above; AuditFormatError with the reason."""
    try:
        data = json.loads(text, parse_int=_int, parse_float=_float,
                          parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise AuditFormatError(f"not JSON: {exc.msg} at line {exc.lineno}") from None
    except RecursionError:
        raise AuditFormatError(f"not an audit: JSON nested deeper than {MAX_DEPTH} levels"
                               ) from None
    except ValueError as exc:  # e.g. a float Python cannot hold
        raise AuditFormatError(f"not JSON: {exc}") from None
    if _depth(data) > MAX_DEPTH:
        raise AuditFormatError(f"not an audit: JSON nested deeper than {MAX_DEPTH} levels")
    return data


def load_audit(text: str) -> AuditDocument:
    """Parse audit JSON (``parse_json``), upgrading older schema versions step by step."""
    data = parse_json(text)
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
