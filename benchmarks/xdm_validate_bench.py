"""Measure the XDM validator's throughput on loyalty-shaped records (one core, one thread).

    .venv/bin/python benchmarks/xdm_validate_bench.py [--seconds 3]

The sandbox validates every streamed message with this code, so its ≥ 20,000 messages/s target
needs the validator well above that.

Profiles: the tutorial's profile shape (profile + person details + personal details + `_exchangeinternal`).
Events: the tutorial's event shape with the published integer `_id` (each one fails: the slow path).
"""

from __future__ import annotations

import argparse
import time

from aep_console.xdm import standard as std
from aep_console.xdm.resolve import resolve_schema, tenant_field_group
from aep_console.xdm.validate import compile_validator

PROFILE = {
    "_exchangeinternal": {
        "loyaltyID": "tscrowby0@chicagotribune.com",
        "totalLoyaltyPoints": 241450,
        "loyaltyLevel": "Platinum",
    },
    "person": {
        "name": {"firstName": "Timi", "lastName": "Scrowby", "middleName": ""},
        "birthDate": "1979-03-06",
        "gender": "male",
    },
    "personalEmail": {
        "primary": False,
        "address": "tscrowby0@chicagotribune.com",
        "type": "personal",
        "status": "active",
    },
}
EVENT = {
    "_exchangeinternal": {
        "loyaltyID": "fstarr7@answers.com",
        "pointsEarned": 800,
        "totalPoints": 211050,
        "loyaltyLevel": "Platinum",
    },
    "eventType": "loyaltyBalanceUpdate",
    "_id": 15367038,
    "timestamp": "2020-03-03T06:34:55Z",
}


def _validators():
    fields = {
        "loyaltyID": {"type": "string", "format": "email"},
        "loyaltyLevel": {"type": "string"},
        "totalLoyaltyPoints": {"type": "integer"},
        "pointsEarned": {"type": "integer"},
        "totalPoints": {"type": "integer"},
    }
    group = tenant_field_group(
        "exchangeinternal",
        fields,
        field_group_id="https://ns.adobe.com/exchangeinternal/mixins/b",
        title="Loyalty",
        intended_to_extend=[],
    )
    lookup = lambda ref: group if ref == group["$id"] else std.standard_lookup(ref)  # noqa: E731
    profile = {
        "$id": "https://ns.adobe.com/exchangeinternal/schemas/p",
        "title": "P",
        "type": "object",
        "allOf": [
            {"$ref": r}
            for r in (std.PROFILE, std.PROFILE_PERSON_DETAILS, std.PROFILE_PERSONAL_DETAILS, group["$id"])
        ],
    }
    event = {
        "$id": "https://ns.adobe.com/exchangeinternal/schemas/e",
        "title": "E",
        "type": "object",
        "allOf": [{"$ref": std.EXPERIENCE_EVENT}, {"$ref": group["$id"]}],
    }
    return compile_validator(resolve_schema(profile, lookup)), compile_validator(
        resolve_schema(event, lookup)
    )


def measure(validator, record, seconds: float) -> float:
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(1000):
            validator.validate(record, limit=5)
        count += 1000
    return count / elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args(argv)
    profile_validator, event_validator = _validators()
    rows = [
        ("valid loyalty profiles", measure(profile_validator, PROFILE, args.seconds)),
        ("invalid loyalty events (integer _id)", measure(event_validator, EVENT, args.seconds)),
    ]
    print(f"{'measure':<40}  {'records/s':>12}  target")
    print(f"{'-' * 40}  {'-' * 12}  ------")
    for name, rate in rows:
        print(f"{name:<40}  {rate:>12,.0f}  >> 20,000 (the sandbox's streaming target)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
