"""The finding wording (``report_templates/findings.yaml``) as a model: the packaged file loads,
and a missing field, a misspelt key or a malformed placeholder fails with its path."""

from __future__ import annotations

import pytest

from infraaudit.errors import InfraAuditError
from infraaudit.findings.wording import load_wording, make, wording
from infraaudit.models.finding import Evidence

ENTRY = ("category: link, severity: high, title: 'Mất gói tới {subject}', explanation: e, "
         "recommendation: r")


def test_the_packaged_wording_loads_every_code_and_the_words() -> None:
    loaded = wording()
    assert "LINK-LOSS" in loaded.codes and "words" not in loaded.codes
    assert loaded.codes["LINK-LOSS"].severity == "high"
    assert loaded.words["role-switch"] == "switch"


def test_an_entry_fills_its_placeholders() -> None:
    found = make("LINK-UNREACHABLE", "sw1", {"sent": 20, "target": "10.0.0.2"},
                 [Evidence(source="ping")])
    assert found.title == "Không liên lạc được với sw1" and "20 gói" in found.explanation


@pytest.mark.parametrize(("text", "expected"), [
    (f"words: {{}}\nLINK-LOSS: {{{ENTRY.replace('title', 'titel')}}}\n",
     "LINK-LOSS.title: Field required; LINK-LOSS.titel: Extra inputs are not permitted"),
    ("words: {}\nLINK-LOSS: {category: link, severity: high, title: t, explanation: e}\n",
     "LINK-LOSS.recommendation: Field required"),
    (f"words: {{}}\nLINK-LOSS: {{{ENTRY.replace('high', 'urgent')}}}\n",
     "LINK-LOSS.severity: Input should be 'high', 'medium', 'low' or 'info'"),
    (f"words: {{}}\nLINK-LOSS: {{{ENTRY.replace('{subject}', '{subject')}}}\n",
     "LINK-LOSS.title: Value error, expected '}' before end of string"),
    (f"LINK-LOSS: {{{ENTRY}}}\n", "words: Field required"),
    ("words: {uplink-lldp: [a]}\n", "words.uplink-lldp: Input should be a valid string"),
    ("- LINK-LOSS\n", "expected codes and words, found list"),
])
def test_a_broken_wording_file_fails_with_the_path(text: str, expected: str) -> None:
    with pytest.raises(InfraAuditError) as caught:
        load_wording(text, "findings.yaml")
    assert str(caught.value) == f"wording findings.yaml: {expected}"
