"""Screenshots of every main screen of the real console, against its embedded local sandbox,
in the light and the dark theme.

    .venv/bin/python docs/screenshots/take.py                       # offscreen
    xvfb-run -a -s '-screen 0 1280x800x24' env QT_QPA_PLATFORM=xcb .venv/bin/python docs/screenshots/take.py

The console runs in a throw-away home (AEP_CONSOLE_HOME), starts its sandbox as the "Local
sandbox" profile does, runs the tutorial's set-up, streams the sample loyalty data (from
../shared/samples when present, generated otherwise) and then visits each page; for the Promote
wizard it starts a second sandbox server standing for another org.
PNGs go next to this script: ``<page>-light.png`` and ``<page>-dark.png``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("AEP_CONSOLE_HOME", tempfile.mkdtemp(prefix="aep-console-shots-"))

import qasync  # noqa: E402

from aep_console.ui.app import application, build_console  # noqa: E402
from aep_console.ui.theme import apply_theme  # noqa: E402

MEMBER = "tscrowby0@chicagotribune.com"


async def until(predicate, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waiting for {what}")
        await asyncio.sleep(0.05)


async def settle(seconds=0.4):
    """Let layouts and paints happen (the qasync loop is Qt's loop: never nest processEvents)."""
    await asyncio.sleep(seconds)


def samples(tmp: Path) -> tuple[Path, Path]:
    shared = ROOT.parent / "shared" / "samples"
    profiles, events = shared / "AEP loyalty profiles.json", shared / "AEP loyalty events.json"
    if profiles.is_file() and events.is_file():
        return profiles, events
    profiles, events = tmp / "profiles.json", tmp / "events.json"
    people = [{"_exchangeinternal": {"loyaltyID": f"member{i}@example.com", "totalLoyaltyPoints": 1000 * i,
                                     "loyaltyLevel": "Gold"},
               "person": {"name": {"firstName": f"Member{i}", "lastName": "Example"}}} for i in range(25)]
    people[0]["_exchangeinternal"]["loyaltyID"] = MEMBER
    evts = [{"_exchangeinternal": {"loyaltyID": MEMBER if i % 2 == 0 else f"member{i}@example.com",
                                   "pointsEarned": 50 * i, "totalPoints": 1000 + 50 * i, "loyaltyLevel": "Gold"},
             "eventType": "loyaltyBalanceUpdate", "_id": 1000 + i, "timestamp": f"2020-03-03T0{i % 10}:00:00Z"}
            for i in range(20)]
    profiles.write_text(json.dumps(people))
    events.write_text(json.dumps(evts))
    return profiles, events


async def prepare(console, tmp: Path) -> dict:
    """The tutorial's set-up and data, through the services the wizards use."""
    from aep_console.services.setup import SetupWorkflows

    ctx = console.context
    await until(lambda: ctx.session is not None, 60, "the local sandbox session")
    report = await SetupWorkflows(ctx.session).loyalty_tutorial("Loyalty")
    if not report.ok:
        raise RuntimeError(report.summary())
    return dict(report.outputs)


TARGET_ORG = "PRODEU000000000000000000@AdobeOrg"


async def prepare_promotion(console, tmp: Path, ids: dict):
    """A second sandbox server standing for another org ("Production EU"), saved as a profile; the
    members schema promoted there once, then a field renamed in the source: the next plan shows
    creates, identical resources and a one-field conflict."""
    from aep_console.sandbox.launcher import start_sandbox
    from aep_console.services.connect import open_session
    from aep_console.services.profiles import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, ConnectionProfile
    from aep_console.services.promote import Planner, Selection, SetupReader, apply_plan

    ctx = console.context
    loop = asyncio.get_running_loop()
    target = await loop.run_in_executor(None, lambda: start_sandbox(
        tmp / "prod-eu", extra_args=["--org-id", TARGET_ORG, "--tenant-id", "prodeu"]))
    profile = ConnectionProfile(name="Production EU", target="aep", org_id=TARGET_ORG, client_id=DEMO_CLIENT_ID,
                                sandbox_name="prod").with_local_base(target.urls.base)
    ctx.profiles.credentials.use_session_only()  # the throw-away home has no keyring of its own
    ctx.profiles.add(profile, DEMO_CLIENT_SECRET)
    async with open_session(profile, profiles=ctx.profiles) as tgt:
        bundle = await SetupReader(ctx.session).read(Selection(schemas=[ids["profile_schema_id"]]))
        report = await apply_plan(tgt, await Planner(tgt).plan(bundle), accept_irreversible=True)
        if not report.ok:
            raise RuntimeError(report.summary())
    await ctx.session.schemas.patch("fieldgroups", ids["profile_fieldgroup_id"], [{
        "op": "replace", "value": "Loyalty tier",
        "path": "/definitions/tenantFields/properties/_exchangeinternal/properties/loyaltyLevel/title"}])
    return target


async def shoot_promotion(win, grab) -> None:
    from aep_console.ui.wizards.promote_wizard import PromoteWizard

    wizard = PromoteWizard(win.context, win)
    wizard.resize(1100, 700)
    wizard.show()
    wizard.next()
    sel = wizard.selection_page
    await until(lambda: sel.items.count() > 0, 20, "the source's resources")
    sel.filter.setText("Loyalty")
    sel.check_shown.click()
    await grab("wizard-promote-selection", wizard)
    wizard.next()
    wizard.target_page.profile.setCurrentText("Production EU")
    wizard.next()
    await until(lambda: wizard.plan_page.plan is not None, 30, "the plan")
    await grab("wizard-promote-plan", wizard)
    wizard.reject()


async def shoot(console, out: Path, theme: str, ids: dict, files: tuple[Path, Path]) -> list[Path]:
    app, win, ctx = console.app, console.window, console.context
    apply_theme(app, theme)
    saved: list[Path] = []

    async def grab(name: str, widget=None) -> None:
        await settle()
        path = out / f"{name}-{theme}.png"
        (widget or win).grab().save(str(path))
        saved.append(path)

    # connection profiles, with the test run
    page = win.show_page("connections")
    page.list.setCurrentRow(0)
    page.test()
    await until(lambda: page.banner.text().startswith(("Connection works", "Test failed")), 20, "the test")
    await grab("connections")

    for key in ("schemas", "datasets", "streaming"):
        page = win.show_page(key)
        await until(lambda p=page: p.model.rowCount() > 0, 20, f"{key} list")
        page.table.selectRow(0)
        await grab(key)

    # the wizards (schema: field groups page; streaming connection: the created ids)
    schemas = win.show_page("schemas")
    wizard = schemas.open_wizard()
    wizard.class_page.title_edit.setText("Loyalty members (copy)")
    wizard.next()
    await until(lambda: wizard.groups_page.list.count() > 0, 20, "field groups")
    await grab("wizard-schema", wizard)
    wizard.next()
    wizard.fields_page.editor.add_field("loyaltyID", "string", True)
    wizard.fields_page.editor.add_field("loyaltyLevel", "string", False, "Silver, Gold, Platinum")
    await grab("wizard-schema-fields", wizard)
    wizard.next()
    await grab("wizard-schema-identity", wizard)
    wizard.reject()
    streaming = win.show_page("streaming")
    wizard = streaming.open_wizard()
    await until(lambda: wizard.page_._loaded, 20, "datasets")
    wizard.page_.name.setText(f"Screenshot stream {theme}")
    wizard.page_.dataset.setCurrentIndex(wizard.page_.dataset.findData(ids["profile_dataset_id"]))  # its dataflow's
    wizard.next()
    await grab("wizard-connection-review", wizard)
    wizard.next()
    await until(lambda: wizard.state != "running", 30, "the connection")
    await grab("wizard-connection-done", wizard)
    wizard.accept()

    # record editor: profile target, one invalid record with its problems, then a bulk send
    ctx.update_target(schema_id=ids["event_schema_id"], dataset_id=ids["event_dataset_id"],
                      connection_id=ids["connection_id"])
    editor = win.show_page("editor")
    await until(lambda: editor.controller.validator is not None, 20, f"the validator ({editor.validation.problems()}, {editor.controller.schema_id}, {ctx.runner._tasks})")
    editor.bulk.path_edit.setText(str(files[1]))
    editor.controller.start_bulk(str(files[1]), "restart", local=editor.local_box.isChecked())
    await until(lambda: editor.bulk.send_all.isEnabled() and editor.bulk.banner.text(), 60, "the bulk send")
    first_event = json.loads(files[1].read_text())[0]
    editor.editor.set_json(first_event)
    await settle(0.6)
    await grab("editor")
    # what AEP itself answers: the same record and file without the local check
    editor.local_box.setChecked(False)
    editor.send()
    await until(lambda: editor.result_banner.text().startswith(("Refused", "Accepted", "Not sent")), 20, "AEP's answer")
    fixed_first = editor.bulk.fix_button.isVisible()
    editor.controller.start_bulk(str(files[1]), "restart", local=editor.local_box.isChecked())
    await until(lambda: editor.bulk.send_all.isEnabled(), 60, "the unchecked bulk send")
    editor.local_box.setChecked(True)
    if fixed_first:
        editor.controller.fix_file_ids(str(files[1]))
        await until(lambda: "converted" in editor.bulk.banner.text(), 20, "the fixed copy")
        editor.controller.start_bulk(editor.bulk.path_edit.text(), "restart", local=editor.local_box.isChecked())
        await until(lambda: editor.bulk.send_all.isEnabled() and "accepted" in editor.bulk.banner.text(), 60, "resend")
    ctx.update_target(schema_id=ids["profile_schema_id"], dataset_id=ids["profile_dataset_id"])
    await until(lambda: editor.controller.schema_id == ids["profile_schema_id"] and editor.controller.validator, 20,
                "the profile validator")
    editor.bulk.path_edit.setText(str(files[0]))
    editor.controller.start_bulk(str(files[0]), "restart", local=editor.local_box.isChecked())
    total = len(json.loads(files[0].read_text()))  # this run's banner, not the previous run's
    await until(lambda: editor.bulk.send_all.isEnabled() and f"{total} accepted" in editor.bulk.banner.text(), 60,
                "profiles bulk send")
    editor.editor.set_json(json.loads(files[0].read_text())[0])
    editor.side.setCurrentIndex(1)
    await grab("editor-bulk")
    editor.side.setCurrentIndex(0)

    # Web SDK page: the event dataset's datastream, the alloy code for the editor's record
    ctx.update_target(schema_id=ids["event_schema_id"], dataset_id=ids["event_dataset_id"],
                      connection_id=ids["connection_id"])
    editor.editor.set_json(json.loads(files[1].read_text())[0] | {"_id": "web-sdk-1"})
    web = win.show_page("web-sdk")
    await until(lambda: web.dataset.currentData() == ids["event_dataset_id"], 20, "the event dataset, by name")
    if web.create_btn.isEnabled() and web.datastreams.count() <= 1:  # none yet for this dataset: make one
        web.create_btn.click()
        await until(lambda: web.banner.text().startswith("Datastream"), 20, "the new datastream")
    await settle(1.0)
    await grab("web-sdk")

    inspector = win.show_page("inspector")
    await until(lambda: inspector.model.rowCount() > 0, 10, "inspector rows")
    refused = [i for i, r in enumerate(inspector.model.rows) if (r.status or 0) >= 400]
    inspector.table.selectRow(refused[0] if refused else 0)
    await grab("inspector")

    profiles = win.show_page("profiles")
    member = json.loads(files[1].read_text())[0]["_exchangeinternal"]["loyaltyID"]
    profiles.look_up("Email", member)
    await until(lambda: profiles.summary.text().startswith("Profile ") and profiles.events.rowCount() > 0, 30,
                "the member's profile and events")
    await grab("profiles")
    profiles.tabs.setCurrentIndex(4)
    profiles.events_view.selectRow(0)
    await grab("profiles-events")
    profiles.tabs.setCurrentIndex(0)

    if ctx.sandbox is not None:  # close the open streaming batches, as the hourly cut would
        await asyncio.get_running_loop().run_in_executor(None, ctx.sandbox.admin, "datalake/flush", {})
    lake = win.show_page("datalake")
    lake.refresh()
    await until(lambda: lake.datasets.count() > 0, 20, "datasets")
    lake.select_dataset(ids["event_dataset_id"])
    await until(lambda: lake.batches.rowCount() > 0, 20, "batches")
    failed_rows = [i for i, b in enumerate(lake.batches.rows) if (b.failed_record_count or 0) > 0]
    lake.batch_view.selectRow(failed_rows[0] if failed_rows else 0)
    await settle(1.0)
    await grab("datalake")

    history = win.show_page("history")
    history.refresh()
    await settle()
    history.table.selectRow(0)
    await grab("history")

    win.show_page("settings")
    await grab("settings")

    await shoot_promotion(win, grab)
    return saved


async def main(args) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    themes = ["light", "dark"] if args.theme == "both" else [args.theme]
    console = build_console(theme=themes[0], loop=asyncio.get_running_loop(), stderr_logging=False)
    console.app.setQuitOnLastWindowClosed(False)
    console.window.resize(1280, 800)
    console.window.show()
    tmp = Path(tempfile.mkdtemp(prefix="aep-shots-data-"))
    target = None
    try:
        ids = await prepare(console, tmp)
        target = await prepare_promotion(console, tmp, ids)
        files = samples(tmp)
        for theme in themes:
            for path in await shoot(console, out, theme, ids, files):
                print(path, flush=True)
    except Exception:
        import traceback

        traceback.print_exc()
        return 1
    finally:
        await console.context.async_close()
        console.window.close()
        if target is not None:
            target.stop()
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--theme", choices=("light", "dark", "both"), default="both")
    parser.add_argument("--out", default=str(HERE))
    ns = parser.parse_args()
    app = application()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        sys.exit(loop.run_until_complete(main(ns)))
