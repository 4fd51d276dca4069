"""The tutorial's sample data (../shared/samples) against the tutorial's schemas."""

from __future__ import annotations

import pytest

from aep_console.xdm.validate import compile_validator, streaming_validation_report

pytestmark = pytest.mark.shared


def test_the_25_profiles_validate(profile_resolved, sample_profiles):
    validator = compile_validator(profile_resolved)
    assert len(sample_profiles) == 25
    failures = {i: validator.validate(p) for i, p in enumerate(sample_profiles)}
    assert {i: v for i, v in failures.items() if v} == {}


def test_the_20_events_fail_only_on_the_integer_id(event_resolved, sample_events):
    validator = compile_validator(event_resolved)
    assert len(sample_events) == 20
    for index, event in enumerate(sample_events):
        violations = validator.validate(event)
        assert len(violations) == 1, (index, violations)
        (v,) = violations
        assert v.pointer == "#/_id"
        assert v.json_path == "$._id"
        assert v.schema_location == "#/properties/_id"
        assert v.keyword == "type"
        assert v.message == "expected type: String, found: Long"
        assert streaming_validation_report(violations) == {
            "_streamingValidation": [
                {
                    "schemaLocation": "#/properties/_id",
                    "pointerToViolation": "#/_id",
                    "causingExceptions": [],
                    "keyword": "type",
                    "message": "expected type: String, found: Long",
                }
            ]
        }


def test_the_events_pass_once_id_is_a_string(event_resolved, sample_events):
    validator = compile_validator(event_resolved)
    fixed = [{**event, "_id": str(event["_id"])} for event in sample_events]
    assert [validator.validate(e) for e in fixed] == [[]] * 20


def test_a_profile_with_a_wrong_loyalty_field_fails(profile_resolved, sample_profiles):
    validator = compile_validator(profile_resolved)
    bad = {
        **sample_profiles[0],
        "_exchangeinternal": {**sample_profiles[0]["_exchangeinternal"], "totalLoyaltyPoints": "241450"},
    }
    (v,) = validator.validate(bad)
    assert (v.pointer, v.keyword, v.message) == (
        "#/_exchangeinternal/totalLoyaltyPoints",
        "type",
        "expected type: Integer, found: String",
    )
