"""Validate XDM entities as AEP streaming validation does, with AEP's wording and pointers.

`compile_validator(resolved)` turns a resolved (`xed-full`) schema into a jsonschema-rs validator:
- objects reject unknown keys (`additionalProperties: false`), except maps (`meta:xdmType: map`, such as
  `identityMap`), whose values are checked against their `additionalProperties` schema;
- types (JSON integers vs numbers: `15367038` is not a string), enums (`enum`; `meta:enum` is advisory
  and not checked), patterns, minimum/maximum, lengths, item counts, required;
- formats `date`, `date-time`, `email`, `uri` (the ones AEP checks; others such as `uri-reference`
  stay in the schema as annotations and are not enforced).

Messages follow AEP (which reports everit-json-schema messages): `expected type: String, found: Long`,
`extraneous key [x] is not permitted`, `required key [x] not found`, …, with `pointer` `#/_id`,
`schema_location` `#/properties/_id` and `json_path` `$._id`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import jsonschema_rs

from aep_console.xdm.paths import path_from_parts, pointer_from_parts

CHECKED_FORMATS = frozenset({"date", "date-time", "email", "uri"})
AEP_MAX_VIOLATIONS = 5
_KEEP = frozenset(
    {
        "type",
        "required",
        "enum",
        "const",
        "pattern",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "uniqueItems",
        "multipleOf",
        "minProperties",
        "maxProperties",
    }
)
_EXPECTED = {
    "string": "String",
    "integer": "Integer",
    "number": "Number",
    "boolean": "Boolean",
    "object": "JSONObject",
    "array": "JSONArray",
    "null": "Null",
}
_FORMAT_MESSAGES = {
    "email": "[{v}] is not a valid email address",
    "date-time": "[{v}] is not a valid date-time. Expected [yyyy-MM-dd'T'HH:mm:ssZ, "
    "yyyy-MM-dd'T'HH:mm:ss.[0-9]{{1,9}}Z]",
    "date": "[{v}] is not a valid date. Expected [yyyy-MM-dd]",
    "uri": "[{v}] is not a valid URI",
}


@dataclass(frozen=True, slots=True)
class Violation:
    pointer: str  # "#/_id"
    schema_location: str  # "#/properties/_id"
    keyword: str  # "type"
    message: str  # "expected type: String, found: Long"
    json_path: str  # "$._id"

    def to_aep(self) -> dict:
        """One entry of AEP's `causingExceptions`."""
        return {
            "schemaLocation": self.schema_location,
            "pointerToViolation": self.pointer,
            "causingExceptions": [],
            "keyword": self.keyword,
            "message": self.message,
        }

    def __str__(self) -> str:
        return f"{self.pointer}: {self.message}"


def java_type(value: Any) -> str:
    """The name AEP uses for the type it found (`Long` for any JSON integer)."""
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Long"
    if isinstance(value, float):
        return "Double"
    if isinstance(value, str):
        return "String"
    if isinstance(value, dict):
        return "JSONObject"
    if isinstance(value, list):
        return "JSONArray"
    return "Null"


def validation_schema(node: Any) -> Any:
    """The strict JSON schema that is compiled for a resolved schema node (annotations removed)."""
    if not isinstance(node, dict):
        return node
    out = {k: v for k, v in node.items() if k in _KEEP}
    if out.get("required") == []:
        del out["required"]
    if node.get("format") in CHECKED_FORMATS:
        out["format"] = node["format"]
    if isinstance(node.get("properties"), dict):
        out["properties"] = {name: validation_schema(s) for name, s in node["properties"].items()}
    if isinstance(node.get("items"), dict):
        out["items"] = validation_schema(node["items"])
    for key in ("oneOf", "anyOf"):
        if isinstance(node.get(key), list):
            out[key] = [validation_schema(s) for s in node[key]]
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        out["additionalProperties"] = validation_schema(extra)
    elif node.get("meta:xdmType") == "map":
        out["additionalProperties"] = extra if isinstance(extra, bool) else True
    elif node.get("type") == "object" or "properties" in node:
        out["additionalProperties"] = False
    return out


def _fmt(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


class RecordValidator:
    """A compiled validator for one resolved schema. Thread-safe; reuse it for every record."""

    def __init__(self, resolved: dict):
        self.resolved = resolved
        self.schema = validation_schema(resolved)
        self._validator = jsonschema_rs.Draft7Validator(self.schema, validate_formats=True)
        self.is_valid = self._validator.is_valid  # is_valid(entity) -> bool: once per record, no wrapper

    def validate(self, entity: Any, *, limit: int | None = None) -> list[Violation]:
        """Every violation (or the first `limit`, as AEP stops after 5); `[]` when valid."""
        if self._validator.is_valid(entity):
            return []
        found: list[Violation] = []
        for error in self._validator.iter_errors(entity):
            for violation in _violations(error):
                found.append(violation)
                if limit is not None and len(found) >= limit:
                    return found
        return found


def compile_validator(resolved: dict) -> RecordValidator:
    return RecordValidator(resolved)


def _violations(error: Any) -> Iterable[Violation]:
    kind = error.kind
    name = kind.name
    instance_parts = list(error.instance_path)
    schema_parts = list(error.schema_path)
    keyword = str(schema_parts[-1]) if schema_parts else name
    location = pointer_from_parts(schema_parts[:-1])
    pointer = pointer_from_parts(instance_parts)
    path = path_from_parts(instance_parts)
    value = error.instance

    def make(message: str, kw: str = keyword) -> Violation:
        return Violation(pointer, location, kw, message, path)

    if name == "additional_properties" or keyword == "additionalProperties":
        for key in kind.unexpected:
            yield make(f"extraneous key [{key}] is not permitted", "additionalProperties")
        return
    if keyword == "required":
        yield make(f"required key [{kind.property}] not found")
    elif keyword == "type":
        types = kind.types if isinstance(kind.types, list) else [kind.types]
        expected = ", ".join(_EXPECTED.get(str(t), str(t)) for t in types)
        yield make(f"expected type: {expected}, found: {java_type(value)}")
    elif keyword == "enum":
        yield make(f"{_fmt(value)} is not a valid enum value")
    elif keyword == "format":
        template = _FORMAT_MESSAGES.get(kind.format, "[{v}] is not a valid {f}")
        yield make(template.format(v=_fmt(value), f=kind.format))
    elif keyword == "pattern":
        yield make(f"string [{_fmt(value)}] does not match pattern {kind.pattern}")
    elif keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        relation = {
            "minimum": "greater or equal to",
            "maximum": "less or equal to",
            "exclusiveMinimum": "greater than",
            "exclusiveMaximum": "less than",
        }[keyword]
        yield make(f"{_fmt(value)} is not {relation} {_fmt(kind.limit)}")
    elif keyword in ("minLength", "maxLength"):
        yield make(f"expected {keyword}: {kind.limit}, actual: {len(value)}")
    elif keyword in ("minItems", "maxItems"):
        which = "minimum" if keyword == "minItems" else "maximum"
        yield make(f"expected {which} item count: {kind.limit}, found: {len(value)}")
    else:
        yield make(error.message)


def streaming_validation_report(violations: Iterable[Violation], *, total: int | None = None) -> dict:
    """AEP's `{"_streamingValidation": [...]}` for one message (at most 5 violations are listed).

    One violation is reported alone (as AEP does); several are wrapped in a `#` entry whose message
    is `N schema violations found` (N = `total` when given, else the number of violations passed).
    """
    items = list(violations)
    if not items:
        return {"_streamingValidation": []}
    if len(items) == 1 and (total is None or total == 1):
        return {"_streamingValidation": [items[0].to_aep()]}
    count = total if total is not None else len(items)
    return {
        "_streamingValidation": [
            {
                "schemaLocation": "#",
                "pointerToViolation": "#",
                "causingExceptions": [v.to_aep() for v in items[:AEP_MAX_VIOLATIONS]],
                "message": f"{count} schema violations found",
            }
        ]
    }
