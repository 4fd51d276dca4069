"""The profile view reads a profile with more events than one page holds: the first page at once,
the rest in time windows; every event once, the table sorted (against the session's sandbox)."""

from __future__ import annotations

import json

from .helpers import unique, until


async def test_profile_view_reads_every_event_of_a_big_profile_once(connected, qtbot, tmp_path, ui_errors):
    from aep_console.services.bulk import BulkRun
    from aep_console.services.engine_types import SendTarget
    from aep_console.services.sending import send_one
    from aep_console.services.setup import SetupWorkflows
    from aep_console.ui.pages.profiles import ProfilesPage

    ctx = connected
    session = ctx.session
    report = await SetupWorkflows(session).loyalty_tutorial(unique("Pages").replace(" ", ""))
    assert report.ok, report.summary()
    ids = report.outputs
    who = f"{unique('pages').replace(' ', '.')}@example.com"
    org = ctx.profile.org_id
    profile_target = SendTarget(ids["connection_id"], ids["profile_dataset_id"], ids["profile_schema_id"], org,
                                flow_id=ids["profile_flow_id"])
    sent = await send_one(session, profile_target, {"_exchangeinternal": {"loyaltyID": who, "loyaltyLevel": "Gold"}},
                          sync_validation=False)
    assert sent.ok, sent
    n = 2_600  # three pages and a bit; many events share a timestamp (window edges fall on them)
    path = tmp_path / "events.jsonl"
    with open(path, "w") as fh:
        for i in range(n):
            fh.write(json.dumps({"_id": f"pv-{i}", "eventType": "loyaltyBalanceUpdate",
                                 "timestamp": f"2024-01-{1 + i % 28:02d}T{i % 24:02d}:{i % 7:02d}:00Z",
                                 "_exchangeinternal": {"loyaltyID": who, "pointsEarned": i}}) + "\n")
    event_target = SendTarget(ids["connection_id"], ids["event_dataset_id"], ids["event_schema_id"], org,
                              flow_id=ids["event_flow_id"])
    run_report = await BulkRun(session, path, event_target).start()
    assert run_report.ok, run_report.summary()

    page = ProfilesPage(ctx)
    qtbot.addWidget(page)
    page.show()
    pages: list[int] = []
    page.controller.events_page.connect(lambda rows, _reset: pages.append(len(rows)))
    loaded: list = []
    page.controller.events_loaded.connect(loaded.append)
    page.look_up("Email", who)
    await until(lambda: loaded, 30, "the events")
    assert ui_errors == []
    rows = loaded[0]
    assert len(rows) == n and len({r["entityId"] for r in rows}) == n
    assert pages[0] == 1000 and len(pages) > 2  # the first page at once, then the rest in parts
    assert page.events.rowCount() == n
    stamps = [r["timestamp"] for r in page.events.rows]
    assert stamps == sorted(stamps, reverse=True)  # the view's order (newest first) kept while filling
    assert page.tabs.tabText(4) == f"Events ({n:,})"
