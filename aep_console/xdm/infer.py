"""Custom (tenant) fields inferred from a sample record: the keys of its ``_{tenant}`` object (or, for
a flat record, its own keys) with the XDM type each value suggests."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
STANDARD_ROOT = {"_id", "timestamp", "eventType", "identityMap", "person", "personalEmail", "workEmail",
                 "homeAddress", "mobilePhone", "_repo", "producedBy"}


@dataclass(frozen=True)
class InferredField:
    name: str
    type: str  # string | integer | number | boolean | date | date-time
    format: str = ""  # email, …


@dataclass(frozen=True)
class Inference:
    tenant_key: str | None  # e.g. "_exchangeinternal", or None for a flat record
    fields: list[InferredField]
    skipped: list[str]  # keys whose values are objects or arrays (not custom scalar fields)


def _type_of(value: Any) -> tuple[str, str] | None:
    if isinstance(value, bool):
        return "boolean", ""
    if isinstance(value, int):
        return "integer", ""
    if isinstance(value, float):
        return "number", ""
    if isinstance(value, str):
        if _EMAIL.match(value):
            return "string", "email"
        if _DATE_TIME.match(value):
            return "date-time", ""
        if _DATE.match(value):
            return "date", ""
        return "string", ""
    return None


def infer_fields(record: Any) -> Inference:
    if not isinstance(record, dict):
        raise ValueError("a sample record is a JSON object ({…})")
    tenant_key = next((k for k, v in record.items() if k.startswith("_") and k not in STANDARD_ROOT
                       and isinstance(v, dict)), None)
    source = record[tenant_key] if tenant_key else {k: v for k, v in record.items() if k not in STANDARD_ROOT}
    fields, skipped = [], []
    for name, value in source.items():
        kind = _type_of(value)
        if kind is None:
            skipped.append(name)
        else:
            fields.append(InferredField(name, *kind))
    return Inference(tenant_key, fields, skipped)
