"""Streaming record sources: JSON arrays, JSON Lines, CSV with a column mapping; located errors."""

from __future__ import annotations

import json

import psutil
import pytest

from aep_console.services.sources import ColumnMapping, SourceError, detect_format, read_records


def _records(path, **kw):
    return list(read_records(path, **kw))


def test_json_array_one_per_line_and_pretty(tmp_path):
    recs = [{"_id": str(i), "n": i, "s": "a,b]}{\"x"} for i in range(50)]
    compact = tmp_path / "a.json"
    compact.write_text("[\n" + ",\n".join(json.dumps(r) for r in recs) + "\n]\n")
    pretty = tmp_path / "b.json"
    pretty.write_text(json.dumps(recs, indent=2))
    for path in (compact, pretty):
        assert detect_format(path) == "json"
        out = _records(path)
        assert [r.entity for r in out] == recs
        assert [r.index for r in out] == list(range(50))
    out = _records(compact)
    assert [r.line for r in out[:3]] == [2, 3, 4]
    out = _records(pretty)
    assert out[1].line == pretty.read_text().splitlines().index("  {", 3) + 1


def test_json_array_bad_elements_are_located_and_reading_goes_on(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text('[{"a": 1},\n{"a": },\n42,\n{"b": "x"}\n]')
    out = _records(p)
    assert [r.ok for r in out] == [True, False, False, True]
    assert out[1].index == 1 and out[1].line == 2 and "invalid JSON" in out[1].error and "line 2" in out[1].error
    assert out[2].error == "expected a JSON object, found number" and out[2].line == 3
    assert out[3].entity == {"b": "x"}


def test_json_array_unterminated_is_a_located_source_error(tmp_path):
    p = tmp_path / "cut.json"
    p.write_text('[{"a": 1},\n{"a": [1, 2}\n')
    it = read_records(p)
    assert next(it).entity == {"a": 1}
    with pytest.raises(SourceError) as err:
        next(it)
    assert err.value.index == 1 and err.value.line == 2
    p.write_text('{"a": 1}')
    p2 = tmp_path / "notarray.json"
    p2.write_text("hello")
    with pytest.raises(SourceError):
        _records(p2)


def test_json_array_across_chunk_boundaries(tmp_path, monkeypatch):
    import aep_console.services.sources as sources

    monkeypatch.setattr(sources, "CHUNK", 7)
    recs = [{"k": "v\\\"" * (i % 5), "nested": {"l": [1, {"m": "]"}]}} for i in range(30)]
    p = tmp_path / "c.json"
    p.write_text(json.dumps(recs, indent=1))
    assert [r.entity for r in _records(p)] == recs


def test_jsonl_with_blank_and_bad_lines(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_text('{"a": 1}\n\n{"a": 2\n[1]\n{"a": 3}\n')
    out = _records(p)
    assert [(r.index, r.line, r.ok) for r in out] == [(0, 1, True), (1, 3, False), (2, 4, False), (3, 5, True)]
    assert "line 3" in out[1].error
    assert out[2].error == "expected a JSON object, found array"


def test_csv_mapping_types_and_errors(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text('email,points,level,vip\n'
                 'a@x.com,10,Gold,true\n'
                 'b@x.com,ten,Gold,false\n'
                 '"c@x.com",30,"Multi\nline",no\n'
                 'd@x.com,40\n'
                 'e@x.com,,Silver,1\n')
    mapping = {
        "email": "_exchangeinternal.loyaltyID",
        "points": "_exchangeinternal.totalLoyaltyPoints:integer",
        "level": "_exchangeinternal.loyaltyLevel",
        "vip": ColumnMapping("vip", "_exchangeinternal.vip", "boolean"),
    }
    out = _records(p, mapping=mapping)
    assert out[0].entity == {"_exchangeinternal": {"loyaltyID": "a@x.com", "totalLoyaltyPoints": 10,
                                                   "loyaltyLevel": "Gold", "vip": True}}
    assert not out[1].ok and out[1].line == 3 and "'points'" in out[1].error and "integer" in out[1].error
    assert out[2].ok and out[2].line == 4 and out[2].entity["_exchangeinternal"]["loyaltyLevel"] == "Multi\nline"
    assert not out[3].ok and out[3].line == 6 and "expected 4 fields" in out[3].error
    assert out[4].entity == {"_exchangeinternal": {"loyaltyID": "e@x.com", "loyaltyLevel": "Silver", "vip": True}}


def test_csv_array_paths_and_missing_column(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("mail\na@x.com\n")
    out = _records(p, mapping={"mail": "identityMap.Email[0].id"})
    assert out[0].entity == {"identityMap": {"Email": [{"id": "a@x.com"}]}}
    with pytest.raises(SourceError, match="nope"):
        _records(p, mapping={"nope": "a.b"})


def test_large_jsonl_streams_in_constant_memory(tmp_path):
    p = tmp_path / "big.jsonl"
    line = json.dumps({"_id": "x" * 20, "pad": "y" * 900}) + "\n"
    with open(p, "w") as fh:
        for _ in range(60_000):  # ~55 MB
            fh.write(line)
    proc = psutil.Process()
    before = proc.memory_info().rss
    n = 0
    peak = before
    for _rec in read_records(p):
        n += 1
        if n % 5000 == 0:
            peak = max(peak, proc.memory_info().rss)
    assert n == 60_000
    assert peak - before < 30 * 1024 * 1024
