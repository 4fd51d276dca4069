"""Hypothesis strategies for hostile input files: well-formed records, rendered as JSON Lines, a JSON
array or CSV, then damaged (bytes inserted, cut, replaced), and plain random bytes."""

from __future__ import annotations

import csv
import io
import json

from hypothesis import strategies as st

_scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
            | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12))
json_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=10)
records = st.lists(st.dictionaries(st.text(max_size=8), json_values, max_size=4), max_size=6)
_noise = st.sampled_from([b"\xff", b"\xc3", b'"', b",", b"\n", b"{", b"}", b"[", b"]", b"\x00", b"\r\n",
                          b'"a": 1, "a": 2', b"123456789012345678901234567890", b"\xef\xbb\xbf", b"NaN"])


def _jsonl(recs: list, indent: int | None) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in recs)


def _array(recs: list, indent: int | None) -> bytes:
    return json.dumps(recs, indent=indent).encode()


def _csv(recs: list, indent: int | None) -> bytes:
    columns = sorted({k for r in recs for k in r if k and "\x00" not in k})[:5] or ["a"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for r in recs:
        writer.writerow([json.dumps(r[c]) if isinstance(r.get(c), dict | list) else r.get(c, "") for c in columns])
    return out.getvalue().encode()


RENDER = {"jsonl": _jsonl, "json": _array, "csv": _csv}


@st.composite
def damaged(draw, fmt: str) -> bytes:
    """A file of ``fmt``: rendered records with up to three edits, or random bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=200))
    data = RENDER[fmt](draw(records), draw(st.sampled_from([None, 1, 2])))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(data)))
        edit = draw(st.integers(0, 2))
        if edit == 0:
            data = data[:at] + draw(_noise | st.binary(min_size=1, max_size=4)) + data[at:]
        elif edit == 1:
            data = data[:at]
        else:
            data = data[:at] + data[at + draw(st.integers(1, 8)):]
    return data


def csv_mapping(columns_from: bytes) -> dict[str, str]:
    """A mapping of the header's columns (each to a path and a type), as a user would give it."""
    first = columns_from.split(b"\n", 1)[0].decode("utf-8", "replace")
    try:
        header = next(csv.reader([first]))
    except (csv.Error, StopIteration):
        return {}
    types = ("string", "integer", "number", "boolean", "json")
    return {h.strip(): f"x.c{i}{'[0]' if i % 3 == 2 else ''}:{types[i % 5]}"
            for i, h in enumerate(header) if h.strip()}
