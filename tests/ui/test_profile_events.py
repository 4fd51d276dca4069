"""The profile view's events: pages added to a sorted table as they arrive, and the time windows
the rest of a big profile is read in (no gaps, no overlaps beyond the first page's last instant)."""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import Qt

from aep_console.ui.controllers.profile_view import MAX_WINDOWS, windows


def _rows(start: int, n: int) -> list[dict]:
    return [{"entityId": f"e{i:05d}", "timestamp": 1_600_000_000_000 + i * 1000, "entity": {"_id": f"e{i:05d}"}}
            for i in range(start, start + n)]


def test_pages_keep_the_table_sorted_and_the_selection_on_its_row(qtbot):
    from aep_console.ui.models.events import EventsModel

    model = EventsModel()
    model.sort(0, Qt.SortOrder.DescendingOrder)
    model.set_rows(_rows(3000, 1000))
    selected = model.index(10, 0)  # a persistent index, as a view's selection holds
    from PySide6.QtCore import QPersistentModelIndex

    keep = QPersistentModelIndex(selected)
    event = model.row_at(selected)["entityId"]
    model.add_rows(_rows(0, 1000))
    model.add_rows(_rows(5000, 1000))
    assert model.rowCount() == 3000
    stamps = [r["timestamp"] for r in model.rows]
    assert stamps == sorted(stamps, reverse=True)
    assert model.rows[keep.row()]["entityId"] == event
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert model.rows[0]["entityId"] == "e00000" and model.rows[keep.row()]["entityId"] == event


def test_windows_cover_the_rest_without_gaps():
    first, lo, newest = 0, 1_000_000, 10_000_000  # the first page of 1,000 spans 1/10 of the time
    spans = windows(first, lo, newest, 1000)
    assert 2 <= len(spans) <= MAX_WINDOWS
    assert spans[0][0] == lo and spans[-1][1] is None  # the last one is open-ended
    for (_a, end), (start, _b) in pairwise(spans):
        assert end == start
    assert windows(5, 5, 5, 1000) == [(5, None)]  # all at one instant: one window
    assert len(windows(0, 0, 10**9, 1000)) == MAX_WINDOWS  # the first page at one instant
