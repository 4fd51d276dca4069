"""What orjson accepts but would change silently: integers beyond 64 bits (parsed as rounded floats)
and duplicate keys (the last value kept). ``exactness_error`` finds them, with their JSON path.

Both checks are cheap for ordinary records (about 2 µs): the record as orjson re-serialises it says
whether it may have lost something — a float in exponent form (a big integer turned float, or a
real float of that size), fewer keys than the text has — and only then is it parsed a second time,
by the standard library with hooks that keep what orjson drops. Integers up to 2^64 - 1 stay exact
in orjson and are left to the schema; keys written with a line break or tab before their colon are
not counted (such a duplicate goes unreported)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import orjson

INT64_MIN, UINT64_MAX = -(2**63), 2**64 - 1  # what orjson keeps exact


class _Duplicated(dict):
    duplicates: tuple[str, ...] = ()


class _BigInt(str):
    """An integer literal beyond 64 bits, kept as its text."""


def _object(pairs: list[tuple[str, Any]]) -> dict:
    d = _Duplicated(pairs)
    if len(d) < len(pairs):
        d.duplicates = tuple(k for k, n in Counter(k for k, _ in pairs).items() if n > 1)
    return d


def _int(text: str) -> Any:
    if len(text.lstrip("-")) < 19:
        return int(text)
    try:
        value = int(text)
    except ValueError:  # more digits than Python converts
        return _BigInt(text)
    return value if INT64_MIN <= value <= UINT64_MAX else _BigInt(text)


def json_path(parts: list[str | int]) -> str:
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if p.isidentifier() else f"[{json.dumps(p)}]")
    return out


def _problems(node: Any, path: list[str | int], out: list[str], limit: int) -> None:
    if len(out) >= limit:
        return
    if isinstance(node, _BigInt):
        shown = node if len(node) <= 40 else f"{node[:20]}…{node[-8:]} ({len(node)} digits)"
        out.append(f"{json_path(path)}: the integer {shown} does not fit in 64 bits (AEP's long cannot hold it; "
                   f"send it as a string)")
    elif isinstance(node, dict):
        for key in getattr(node, "duplicates", ()):
            out.append(f"{json_path([*path, key])}: duplicate key {key!r} (JSON keeps only the last value; "
                       f"remove the other)")
        for key, value in node.items():
            _problems(value, [*path, key], out, limit)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _problems(value, [*path, i], out, limit)


def exactness_error(raw: bytes | str, value: Any, *, limit: int = 5, again: bytes | None = None) -> str | None:
    """A message naming the integers beyond 64 bits and duplicate keys of the JSON text ``raw``
    (already parsed by orjson into ``value``; ``again``: ``orjson.dumps(value)`` when the caller has
    it), or None when orjson's value is exact."""
    data = raw.encode() if isinstance(raw, str) else raw
    if again is None:
        again = orjson.dumps(value)
    if again == data:  # written back byte for byte: nothing was lost
        return None
    keys = data.count(b'":') + data.count(b'" :')
    if b"e+" not in again and b"e-" not in again and keys <= again.count(b'":'):
        return None
    try:
        exact = json.loads(data, object_pairs_hook=_object, parse_int=_int)
    except (ValueError, RecursionError):
        return None
    out: list[str] = []
    _problems(exact, [], out, limit)
    return "; ".join(out) or None
