"""The proposal wording (``report_templates/proposal.yaml``) as a model: every task kind has a
title and a basis, and a missing kind, a misspelt key or a malformed placeholder fails at load
with its path."""

from __future__ import annotations

import unicodedata
from typing import get_args

import pytest
import yaml

from infraaudit.errors import InfraAuditError
from infraaudit.proposal.wording import TaskKind, TaskTexts, load_proposal_wording, proposal_wording
from tests.paths import REPO

TEXT = (REPO / "report_templates" / "proposal.yaml").read_text("utf-8")


def test_the_kinds_the_code_names_are_the_keys_of_the_file() -> None:
    kinds = set(get_args(TaskKind))
    assert {f.alias for f in TaskTexts.model_fields.values()} == kinds
    data = yaml.safe_load(TEXT)
    assert set(data["tasks"]) == set(data["basis"]) == kinds


def test_every_sentence_is_nfc_and_fills_from_the_plan() -> None:
    wording = proposal_wording()
    for kind in get_args(TaskKind):
        for text in (wording.tasks.of(kind), wording.basis.of(kind)):
            assert unicodedata.normalize("NFC", text) == text
    assert wording.basis.of("recable").format(ports=3) == (
        "3 cổng có lỗi cáp qua đo kiểm; 01 tuyến cáp cho mỗi cổng")
    assert wording.reasons.of("DEVICE-LIFETIME-ENDS").format(year=2029) == (
        "hết thời gian sử dụng năm 2029")
    assert list(wording.groups.ordered()) == ["audit", "repair", "replace", "ipv6", "capacity"]


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("  recable: \"{ports}", "  recabel: \"{ports}",
     "basis.recable: Field required; basis.recabel: Extra inputs are not permitted"),
    ("  wire-switch: \"Bổ sung", "  wire_switch: \"Bổ sung",
     "tasks.wire-switch: Field required; tasks.wire_switch: Extra inputs are not permitted"),
    ("{ports} cổng có lỗi", "{ports cổng có lỗi", "basis.recable: Value error, expected '}'"),
    ("  DEVICE-PAST-LIFETIME:", "  DEVICE-PAST-LIFE:", "reasons.DEVICE-PAST-LIFETIME: Field"),
    ("\nbasis:", "\nbases:", "basis: Field required; bases: Extra inputs are not permitted"),
])
def test_a_broken_proposal_wording_fails_with_the_path(old: str, new: str, expected: str) -> None:
    assert TEXT.count(old) == 1
    with pytest.raises(InfraAuditError) as caught:
        load_proposal_wording(TEXT.replace(old, new), "proposal.yaml")
    assert str(caught.value).startswith("wording proposal.yaml: ")
    assert expected in str(caught.value)
