"""Bad input never loses a record silently: each finding of issue 13 about the readers, reproduced.
Every problem is a record error with its location, or a located ``SourceError`` that stops the run."""

from __future__ import annotations

import pytest

from aep_console.services.csv_source import ColumnMapping
from aep_console.services.sources import SourceError, detect_format, read_records


def _read(path, **kw):
    return list(read_records(path, **kw))


def test_a_csv_field_over_131072_characters_neither_ends_nor_loses_the_rows_after_it(tmp_path):
    p = tmp_path / "long.csv"
    p.write_bytes(b"a,b,c\n1,2,3\n1," + b"x" * 200_000 + b",3\n1," + b"y" * 1_000_001 + b",3\n4,5,6\n")
    out = _read(p)
    assert [r.line for r in out] == [2, 3, 4, 5]
    assert out[1].ok and len(out[1].entity["b"]) == 200_000  # up to what one DCS message can carry
    assert not out[2].ok and "field longer than 1,000,000 characters" in out[2].error
    assert out[3].entity == {"a": "4", "b": "5", "c": "6"}


def test_an_unclosed_csv_quote_that_swallows_rows_stops_with_its_location(tmp_path):
    p = tmp_path / "quote.csv"
    p.write_text('a,b,c\n1,2,3\n4,5,"six\n7,8,9\n10,11,"12"\n13,14,15\n')
    it = read_records(p)
    assert next(it).entity == {"a": "1", "b": "2", "c": "3"}
    with pytest.raises(SourceError) as err:
        next(it)
    assert err.value.line == 3 and err.value.index == 1
    p.write_text('a,b,c\n1,2,3\n4,5,"six\n7,8,9\n10,11,12,"\n')  # closed at a place that parses
    it = read_records(p)
    next(it)
    with pytest.raises(SourceError, match="look like rows") as err:
        next(it)
    assert err.value.line == 3 and "column 'c'" in str(err.value)


def test_a_stray_quote_in_one_csv_row_is_that_row_s_error_and_reading_goes_on(tmp_path):
    p = tmp_path / "stray.csv"
    p.write_text('a,b,c\n1,"x"y,3\n4,5,6\n7,"two\nlines",9\n')
    out = _read(p)
    assert not out[0].ok and out[0].line == 2 and "expected after" in out[0].error
    assert out[1].entity == {"a": "4", "b": "5", "c": "6"}
    assert out[2].entity == {"a": "7", "b": "two\nlines", "c": "9"}  # a legitimate multi-line value


def test_integers_beyond_64_bits_are_refused_with_their_json_path(tmp_path):
    p = tmp_path / "big.jsonl"
    p.write_text('{"a": {"n": 123456789012345678901234567890}}\n{"id": "123456789012345678901234567890"}\n'
                 '{"n": 9223372036854775807}\n{"n": [-9223372036854775809]}\n')
    out = _read(p)
    assert not out[0].ok and "$.a.n" in out[0].error and "123456789012345678901234567890" in out[0].error
    assert out[1].entity == {"id": "123456789012345678901234567890"}  # a string is not a number
    assert out[2].entity == {"n": 9223372036854775807}
    assert not out[3].ok and "$.n[0]" in out[3].error
    arr = tmp_path / "big.json"
    arr.write_text('[{"n": 1},\n {"n": 123456789012345678901234567890}]')
    out = _read(arr)
    assert out[0].ok and not out[1].ok and out[1].line == 2 and "$.n" in out[1].error
    csv = tmp_path / "big.csv"
    csv.write_text("n,m\n123456789012345678901234567890,1e999\n")
    out = _read(csv, mapping={"n": ColumnMapping("n", "a.n", "integer")})
    assert not out[0].ok and "64 bits" in out[0].error
    out = _read(csv, mapping={"m": ColumnMapping("m", "a.m", "number")})
    assert not out[0].ok and "finite" in out[0].error


def test_duplicate_keys_are_reported_not_silently_merged(tmp_path):
    p = tmp_path / "dup.jsonl"
    p.write_text('{"a": 1, "b": {"c": 1, "c" : 2}}\n{"a": "x\\" : y", "b": 2}\n')
    out = _read(p)
    assert not out[0].ok and "$.b.c" in out[0].error and "duplicate key 'c'" in out[0].error
    assert out[1].entity == {"a": 'x" : y', "b": 2}
    arr = tmp_path / "dup.json"
    arr.write_text('[{"a": 1, "a": 2}]')
    assert "duplicate key 'a'" in _read(arr)[0].error


def test_invalid_utf8_is_located_and_the_rows_around_it_are_read(tmp_path):
    csv = tmp_path / "latin1.csv"
    csv.write_bytes(b"name,city\n" + b"ok,Paris\n" * 60 + b"bad,M\xfcnchen\nok,Berlin\n")
    out = _read(csv)
    assert len(out) == 62 and all(r.ok for r in out[:60]) and out[61].entity == {"name": "ok", "city": "Berlin"}
    assert out[60].line == 62 and "invalid UTF-8 in column 'city': byte 0xfc" in out[60].error
    jl = tmp_path / "latin1.jsonl"
    jl.write_bytes(b'{"a": 1}\n{"city": "M\xfcnchen"}\n')
    out = _read(jl)
    assert out[1].error == "invalid UTF-8: byte 0xfc (line 2, column 12); save the file as UTF-8"
    arr = tmp_path / "latin1.json"
    arr.write_bytes(b'[{"a": 1},\n {"city":\n "M\xfcnchen"}]')
    out = _read(arr)
    assert out[1].line == 2 and "invalid UTF-8: byte 0xfc (line 3, column 4)" in out[1].error


@pytest.mark.parametrize(("content", "expected"), [
    (b"", "the file is empty"),
    (b"null", "found 'null'"),
    ('[{"a": 1}]'.encode("utf-16"), "the file is UTF-16; save it as UTF-8"),
    ('[{"a": 1}]'.encode("utf-16-le"), "the file is UTF-16"),
])
def test_empty_null_or_utf16_json_files_are_located_source_errors(tmp_path, content, expected):
    p = tmp_path / "x.json"
    p.write_bytes(content)
    with pytest.raises(SourceError, match=expected) as err:
        detect_format(p)
    assert err.value.line == 1 and str(p) in str(err.value)


def test_a_folder_is_not_called_a_missing_file(tmp_path):
    with pytest.raises(SourceError, match="is a folder, not a file"):
        _read(tmp_path)
    with pytest.raises(SourceError, match="no such file"):
        _read(tmp_path / "nope.jsonl")


def test_a_huge_array_index_in_a_mapping_is_refused_before_any_memory_is_spent():
    with pytest.raises(ValueError, match="array index"):
        ColumnMapping.parse("x", "identityMap.Email[99999999999999999999].id")
    with pytest.raises(ValueError, match="unknown type 'weird'"):
        ColumnMapping.parse("x", "a:weird")
