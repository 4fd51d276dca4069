"""The Promote wizard driven as a user would, from the main window's Tools menu: the tutorial's
set-up on the local sandbox promoted to a second sandbox server of another org and tenant (an
"aep" profile on loopback, as a real AEP org would be), with the plan reviewed and Profile
enablement accepted; a bundle saved on the way; promoted again from that bundle: nothing to do."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QMenu

from aep_console.services.profiles import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, ConnectionProfile
from aep_console.services.promote import validate_bundle
from aep_console.services.setup import SetupWorkflows
from aep_console.ui.wizards.promote_wizard import PromoteWizard

from .helpers import until

TARGET_ORG = "TARGET00000000000000000@AdobeOrg"
TARGET_TENANT = "targettenant"


@pytest.fixture
async def window(connected, qtbot):
    from aep_console.ui.logview import QtLogHandler
    from aep_console.ui.main_window import MainWindow

    win = MainWindow(connected, QtLogHandler())
    qtbot.addWidget(win)
    win.show()
    return win


@pytest.fixture
def target_org(fresh_sandbox, connected):
    """A second sandbox server with its own org and tenant, saved as an AEP-style profile."""
    sb = fresh_sandbox(extra_args=["--org-id", TARGET_ORG, "--tenant-id", TARGET_TENANT])
    profile = ConnectionProfile(name="Target org", target="aep", org_id=TARGET_ORG, client_id=DEMO_CLIENT_ID,
                                sandbox_name="prod").with_local_base(sb.urls.base)
    connected.profiles.add(profile, DEMO_CLIENT_SECRET)
    return profile


def click(qtbot, widget) -> None:
    assert widget.isEnabled(), f"{widget.text()} is disabled"
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


async def open_from_tools_menu(qtbot, win) -> PromoteWizard:
    bar = win.menuBar()
    tools = next(a for a in bar.actions() if a.text() == "&Tools")
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.actionGeometry(tools).center())
    menu: QMenu = tools.menu()
    await until(menu.isVisible, 5, "the Tools menu to open")
    promote = next(a for a in menu.actions() if "Promote" in a.text())
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(promote).center())
    return await until(lambda: next((w for w in QApplication.topLevelWidgets()
                                     if isinstance(w, PromoteWizard) and w.isVisible()), None), 5, "the wizard")


async def until_profile(session, who: str):
    found: list = []

    async def look() -> None:
        found[:] = [await session.profiles.find_entity(who, "Email")]

    for _ in range(100):
        await look()
        if found[0] is not None:
            return found[0]
        await asyncio.sleep(0.1)
    raise AssertionError(f"no profile for Email:{who} in the target")


def next_button(wizard):
    return wizard.button(wizard.WizardButton.NextButton)


def plan_rows(wizard) -> list[str]:
    tree = wizard.plan_page.tree
    return [" | ".join(tree.topLevelItem(i).text(c) for c in range(3)) for i in range(tree.topLevelItemCount())]


async def to_plan(qtbot, window, prefix: str) -> tuple[PromoteWizard, list[str]]:
    """Tools → Promote set-up…; the active profile as source; check what the filter shows; target."""
    wizard = await open_from_tools_menu(qtbot, window)
    assert wizard.source_page.profile.currentText() == "Local sandbox"  # the active profile
    click(qtbot, next_button(wizard))

    sel = wizard.selection_page
    await until(lambda: sel.items.count() > 0, 20, "the source's resources")
    assert not next_button(wizard).isEnabled()  # nothing checked yet
    qtbot.keyClicks(sel.filter, prefix)
    shown = [sel.items.item(i).text() for i in range(sel.items.count()) if not sel.items.item(i).isHidden()]
    assert shown and all(prefix in text for text in shown)
    click(qtbot, sel.check_shown)
    click(qtbot, next_button(wizard))

    tp = wizard.target_page
    assert "Local sandbox" not in [tp.profile.itemText(i) for i in range(tp.profile.count())]
    qtbot.keyClicks(tp.profile, "Target")
    assert tp.profile.currentText() == "Target org"
    click(qtbot, next_button(wizard))
    await until(lambda: wizard.plan_page.plan is not None, 30, "the plan")
    return wizard, shown


async def test_promote_the_tutorial_to_another_org_from_the_wizard(window, target_org, qtbot, tmp_path, ui_errors):
    ctx = window.context
    prefix = f"W{uuid.uuid4().hex[:6]}"
    report = await SetupWorkflows(ctx.session).loyalty_tutorial(prefix, route="http-api")
    assert report.ok, report.summary()

    wizard, shown = await to_plan(qtbot, window, prefix)
    assert f"Dataset: {prefix} members dataset" in shown and f"Connection: {prefix} streaming" in shown
    pp = wizard.plan_page
    rows = plan_rows(wizard)
    assert any(r.startswith(f"Create | schema '{prefix} members'") for r in rows), rows
    assert any(f"identity /_{TARGET_TENANT}/loyaltyID (Email) of '{prefix} members'" in r for r in rows), rows
    assert sum("(irreversible)" in r for r in rows) == 2 and "Irreversible" in pp.banner.text()
    apply = wizard.button(wizard.WizardButton.CommitButton)
    assert apply.text() == "&Apply" and not apply.isEnabled()  # not before the irreversible steps are accepted
    bundle = tmp_path / "loyalty.aep-bundle.json"
    qtbot.keyClicks(pp.bundle_path, str(bundle))
    click(qtbot, pp.save)
    await until(lambda: "Bundle saved" in pp.saved.text(), 10, "the bundle to be saved")
    assert validate_bundle(json.loads(bundle.read_text())) == []
    box = pp.accept_irreversible
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))  # on its tick box
    assert box.isChecked()
    click(qtbot, apply)

    await until(lambda: wizard.state in ("done", "failed"), 60, "the apply")
    assert wizard.state == "done", wizard.step_texts()
    assert all(t.startswith("✓") for t in wizard.step_texts()), wizard.step_texts()
    fields = wizard.run_page.fields
    inlet = fields[f"CONNECTION_ID of {prefix} streaming"].value()
    schema_id = fields[f"schema {prefix} members"].value()
    dataset_id = fields[f"dataset {prefix} members dataset"].value()
    assert schema_id.startswith(f"https://ns.adobe.com/{TARGET_TENANT}/schemas/") and len(inlet) == 64

    # stream there from the GUI: the members dataset → Use in record editor → type a record → Ctrl+Enter
    qtbot.keyClicks(wizard.stream_dataset, f"{prefix} members")
    assert wizard.stream_dataset.currentText() == f"{prefix} members dataset"
    click(qtbot, wizard.use_button)
    await until(lambda: getattr(ctx.profile, "name", "") == "Target org" and ctx.target.dataset_id == dataset_id,
                20, "the target profile and dataset in the record editor")
    assert (ctx.target.schema_id, ctx.target.connection_id) == (schema_id, inlet) and ctx.target.flow_id
    click(qtbot, wizard.button(wizard.WizardButton.FinishButton))
    await until(lambda: not wizard.isVisible(), 5, "the wizard to close")
    editor = window.stack.currentWidget()
    assert type(editor).__name__ == "EditorPage", "the record editor is shown"
    who = f"{prefix.lower()}@example.com"
    record = {f"_{TARGET_TENANT}": {"loyaltyID": who, "totalLoyaltyPoints": 10, "loyaltyLevel": "Gold"},
              "personalEmail": {"address": who}}
    qtbot.keyClick(editor.editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # typing replaces all
    qtbot.keyClicks(editor.editor, json.dumps(record))
    await until(lambda: editor.validation.count() and "Valid" in editor.validation.item(0).text(), 20,
                "the record to validate against the target's schema")
    qtbot.keyClick(editor.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    await until(lambda: "Accepted" in editor.result_banner.text() or "Refused" in editor.result_banner.text()
                or "Not sent" in editor.result_banner.text(), 20, "the send")
    assert "Accepted" in editor.result_banner.text(), editor.result_banner.text()

    # what the wizard created is in the target org, in its tenant, with the record streamed into it
    from aep_console.services.connect import open_session

    async with open_session(target_org, profiles=ctx.profiles) as tgt:
        dataset = await tgt.catalog.get_dataset(dataset_id)
        assert dataset.schema_ref.id == schema_id and dataset.ims_org == TARGET_ORG
        profile = await until_profile(tgt, who)
        assert profile.entity[f"_{TARGET_TENANT}"]["loyaltyID"] == who and dataset_id in profile.sources

    # again, from the saved bundle: nothing to do, and Apply stays disabled
    wizard = await open_from_tools_menu(qtbot, window)
    qtbot.keyClicks(wizard.source_page.bundle_path, str(bundle))
    assert wizard.source_page.from_bundle.isChecked()
    click(qtbot, next_button(wizard))
    assert wizard.currentPage() is wizard.target_page
    qtbot.keyClicks(wizard.target_page.profile, "Target")
    click(qtbot, next_button(wizard))
    pp = wizard.plan_page
    await until(lambda: pp.plan is not None, 30, "the plan from the bundle")
    assert "Nothing to do" in pp.banner.text() and all(r.startswith("Identical") for r in plan_rows(wizard))
    assert not wizard.button(wizard.WizardButton.CommitButton).isEnabled()
    click(qtbot, wizard.button(wizard.WizardButton.CancelButton))
    await until(lambda: not wizard.isVisible(), 5, "the wizard to close")
    assert ui_errors == []


async def test_a_conflict_shows_its_field_and_applies_only_when_overwritten(window, target_org, qtbot, ui_errors):
    from aep_console.services.connect import open_session
    from aep_console.services.promote import Planner, Selection, SetupReader, apply_plan

    ctx = window.context
    prefix = f"C{uuid.uuid4().hex[:6]}"
    made = await SetupWorkflows(ctx.session).loyalty_tutorial(prefix)
    assert made.ok, made.summary()
    fieldgroup = made.outputs["profile_fieldgroup_id"]
    async with open_session(target_org, profiles=ctx.profiles) as tgt:  # promoted once already
        bundle = await SetupReader(ctx.session).read(Selection(datasets=[made.outputs["profile_dataset_id"]]))
        assert (await apply_plan(tgt, await Planner(tgt).plan(bundle), accept_irreversible=True)).ok
    await ctx.session.schemas.patch("fieldgroups", fieldgroup, [{"op": "replace", "value": "Loyalty tier", "path":
                                    "/definitions/tenantFields/properties/_exchangeinternal/properties/loyaltyLevel/title"}])

    wizard, _ = await to_plan(qtbot, window, f"{prefix} members")
    pp = wizard.plan_page
    conflict = next(pp.tree.topLevelItem(i) for i in range(pp.tree.topLevelItemCount())
                    if pp.tree.topLevelItem(i).text(0) == "Conflict")
    assert conflict.text(1) == f"fieldgroup '{prefix} members loyalty details'" and conflict.isExpanded()
    assert [[conflict.child(i).text(c) for c in (1, 2, 3)] for i in range(conflict.childCount())] == [[
        f"/definitions/tenantFields/properties/_{TARGET_TENANT}/properties/loyaltyLevel/title",
        '"Loyalty level"', '"Loyalty tier"']]
    apply = wizard.button(wizard.WizardButton.CommitButton)
    assert not apply.isEnabled() and "overwrite" in pp.banner.text()
    box = pp.overwrite
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    click(qtbot, apply)
    await until(lambda: wizard.state in ("done", "failed"), 60, "the apply")
    assert wizard.state == "done", wizard.step_texts()
    assert any("Update fieldgroup" in t for t in wizard.step_texts())
    click(qtbot, wizard.button(wizard.WizardButton.FinishButton))
    assert ui_errors == []


async def test_cancel_while_applying_undoes_what_was_created(window, target_org, qtbot, ui_errors):
    from aep_console.services.connect import open_session

    ctx = window.context
    prefix = f"X{uuid.uuid4().hex[:6]}"
    assert (await SetupWorkflows(ctx.session).loyalty_tutorial(prefix, route="http-api")).ok
    wizard, _ = await to_plan(qtbot, window, prefix)
    pp = wizard.plan_page
    box = pp.accept_irreversible
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    cancel = wizard.button(wizard.WizardButton.CancelButton)

    lines: dict[int, tuple[str, str]] = {}  # the wizard's step lines as they change (it is deleted on close)
    outcome: list[str] = []

    def cancel_after_the_first_schema(index: int, text: str, kind: str) -> None:
        lines[index] = (kind, text)
        if kind == "ok" and text.startswith("Create schema") and not outcome:
            outcome.append("cancel clicked")
            qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)  # while the next step runs

    wizard.controller.step_at.connect(cancel_after_the_first_schema)
    wizard.controller.finished.connect(lambda state, message, _ids: outcome.append(state))
    click(qtbot, wizard.button(wizard.WizardButton.CommitButton))
    await until(lambda: "cancelled" in outcome, 30, "the rollback after Cancel")
    assert any(kind == "undo" and text.startswith("Undone: Create schema") for kind, text in lines.values()), lines
    assert not any(kind == "ok" for kind, _ in lines.values()), lines  # every step that was done is undone
    await until(lambda: not [w for w in QApplication.topLevelWidgets() if isinstance(w, PromoteWizard)
                             and w.isVisible()], 10, "the wizard to close")
    async with open_session(target_org, profiles=ctx.profiles) as tgt:
        titles = {r.title for r in await tgt.schemas.list_all("schemas", "tenant")}
        titles |= {r.title for r in await tgt.schemas.list_all("fieldgroups", "tenant")}
        assert not [t for t in titles if t.startswith(prefix)]
    assert ui_errors == []
