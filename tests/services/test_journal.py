"""The run journal: ranges, torn lines, resume state, header checks."""

from __future__ import annotations

import pytest

from aep_console.services.journal import (
    Journal,
    JournalMismatch,
    RangeSet,
    decode_ranges,
    encode_ranges,
    file_fingerprint,
)


def test_range_encoding_roundtrip():
    idx = [5, 0, 1, 2, 7, 8, 2, 11]
    text = encode_ranges(idx)
    assert text == "0-2,5,7-8,11"
    assert decode_ranges(text) == [(0, 3), (5, 6), (7, 9), (11, 12)]
    assert encode_ranges([]) == ""


def test_rangeset_merges():
    rs = RangeSet()
    rs.add_range(10, 20)
    rs.add_range(0, 5)
    rs.add_range(5, 10)
    rs.add_range(30, 31)
    assert rs.ranges() == [(0, 20), (30, 31)] and len(rs) == 21
    assert 0 in rs and 19 in rs and 20 not in rs and 30 in rs and 29 not in rs


def test_journal_roundtrip_and_torn_line(tmp_path):
    j = Journal(tmp_path / "run" / "journal.log")
    j.start({"file": "x", "size": 3})
    j.record(accepted=range(0, 100), dead_lettered=[100, 105])
    j.record(accepted=[101, 102])
    j.close()
    with open(j.path, "ab") as fh:
        fh.write(b"ok 103-104")  # torn: never acknowledged
    state = Journal(j.path).read()
    assert state.header == {"file": "x", "size": 3}
    assert state.accepted == 102 and state.dead_lettered == 2
    assert 104 not in state.done and 105 in state.done and not state.complete
    j2 = Journal(j.path)
    j2.finish()
    j2.close()
    state = Journal(j.path).read()
    assert state.complete and 104 not in state.done and state.accepted == 102  # torn tail cut before appending


def test_check_header(tmp_path):
    src = tmp_path / "a.jsonl"
    src.write_text('{"a":1}\n')
    fp = file_fingerprint(src)
    j = Journal(tmp_path / "j.log")
    j.start({**fp, "dataset": "d1"})
    state = j.read()
    j.check_header(state, {**fp, "dataset": "d1"})
    with pytest.raises(JournalMismatch, match="dataset"):
        j.check_header(state, {**fp, "dataset": "d2"})
    src.write_text('{"a":2}\n')
    with pytest.raises(JournalMismatch, match="head_sha256"):
        j.check_header(state, {**file_fingerprint(src), "dataset": "d1"})
