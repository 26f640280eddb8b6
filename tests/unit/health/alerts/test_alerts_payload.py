"""The alert document without a network: its JSON encoding and whether it needs attention."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import SecretStr

from infraaudit.errors import PayloadError
from infraaudit.health import alerts
from infraaudit.health.alerts import encode_payload
from tests.unit.health.alerts.alert_samples import PAYLOAD


def test_payload_is_utf8_json_with_diacritics_unescaped() -> None:
    body = encode_payload(PAYLOAD)
    assert "Tỷ lệ mất gói".encode() in body  # raw UTF-8, not \\u escapes
    assert json.loads(body.decode("utf-8")) == PAYLOAD


def test_payload_converts_dates_and_nan() -> None:
    when = datetime(2024, 5, 1, 1, 0, tzinfo=UTC)
    body = json.loads(encode_payload({"time": when, "jitter": math.nan, "x": math.inf}))
    assert body == {"time": "2024-05-01T01:00:00Z", "jitter": None, "x": None}


def test_payload_secretstr_is_masked() -> None:
    assert b"hidden" not in encode_payload({"s": SecretStr("hidden")})


def test_unserialisable_payload_is_a_payload_error() -> None:
    with pytest.raises(PayloadError, match="cannot be written as JSON"):
        encode_payload({"x": object()})


def test_indented_payload() -> None:
    assert encode_payload({"a": 1}, indent=2) == b'{\n  "a": 1\n}'


@pytest.mark.parametrize(
    ("alerts_value", "expected"),
    [
        ([], False),
        ([{"code": "DEVICE-BACK", "severity": "info"}], False),
        ([{"severity": "info"}, {"severity": "medium"}], True),
        ([{"code": "X"}], True),  # no severity: better sent
        (["odd"], True),
        (None, True),
    ],
)
def test_needs_attention(alerts_value: Any, expected: bool) -> None:
    assert alerts.needs_attention({"alerts": alerts_value}) is expected
