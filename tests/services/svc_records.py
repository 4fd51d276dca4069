"""Loyalty-shaped test records (the tutorial's profile shape), written as JSON Lines."""

from __future__ import annotations

import orjson

LEVELS = ("Silver", "Gold", "Platinum", "Diamond")


def member(i: int) -> dict:
    email = f"member{i}@example.com"
    return {"_exchangeinternal": {"loyaltyID": email, "totalLoyaltyPoints": i * 50 % 500_000,
                                  "loyaltyLevel": LEVELS[i % 4]},
            "person": {"name": {"firstName": f"First{i}", "lastName": f"Last{i}", "middleName": ""},
                       "birthDate": "1979-03-06", "gender": "female" if i % 2 else "male"},
            "personalEmail": {"primary": False, "address": email, "type": "personal", "status": "active"}}


def write_members(path, n: int, start: int = 0) -> None:
    with open(path, "wb") as fh:
        for i in range(start, start + n):
            fh.write(orjson.dumps(member(i)) + b"\n")


def loyalty_ids(records) -> list[str]:
    return [r["_exchangeinternal"]["loyaltyID"] for r in records if "_exchangeinternal" in r]
