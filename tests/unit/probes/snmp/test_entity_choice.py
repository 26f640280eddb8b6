"""ENTITY-MIB: the chassis without entPhysicalClass, and the model from the right column."""

from __future__ import annotations

from infraaudit.probes.snmp import entity


def test_rows_without_class_use_the_entity_contained_in_nothing() -> None:
    walked = {"entPhysicalContainedIn": {"1": 0, "2": 1},
              "entPhysicalModelName": {"2": b"CARD-X1"}, "entPhysicalSerialNum": {"1": b"SN123"},
              "entPhysicalName": {"1": b"S5735-L24T4S", "2": b"card"}}
    facts = entity.parse(walked)
    assert (facts.model, facts.serial, facts.physical_entities) == ("S5735-L24T4S", "SN123", 2)


def test_model_like_name_beats_a_hostname_description() -> None:
    walked = {"entPhysicalClass": {"1": 3}, "entPhysicalContainedIn": {"1": 0},
              "entPhysicalDescr": {"1": b"hn-cq-router-01"}, "entPhysicalName": {"1": b"AR169F"}}
    assert entity.parse(walked).model == "AR169F"


def test_model_name_first_and_a_short_description_still_counts() -> None:
    walked = {"entPhysicalClass": {"1": 3}, "entPhysicalContainedIn": {"1": 0},
              "entPhysicalDescr": {"1": b"WS-C3750G-12S"}, "entPhysicalName": {"1": b"1"}}
    assert entity.parse(walked).model == "WS-C3750G-12S"
    walked["entPhysicalModelName"] = {"1": b"WS-C3750G-12S-S"}
    assert entity.parse(walked).model == "WS-C3750G-12S-S"
    walked = {"entPhysicalClass": {"1": 3}, "entPhysicalName": {"1": b"Chassis"},
              "entPhysicalDescr": {"1": b"This is the chassis of a big modular router box"}}
    assert entity.parse(walked).model is None
