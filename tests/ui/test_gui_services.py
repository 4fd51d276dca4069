"""The window goes through the services: its sessions are opened by services.connect.open_session
(the secret registered with the redactor and the history, each request recorded under the profile
that made it), and ui/ imports neither the sandbox nor the entry module."""

from __future__ import annotations

import ast
from pathlib import Path

from .helpers import click, open_file, postman_environment, until

UI = Path(__file__).resolve().parents[2] / "aep_console" / "ui"


def test_ui_imports_neither_the_sandbox_nor_the_entry_module():
    offenders = []
    for path in UI.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                module = ("." * node.level) + (node.module or "")
                parts = [p for p in module.lstrip(".").split(".") if p]
                if parts[:1] in (["sandbox"], ["cli"]) or parts[:2] in (["aep_console", "sandbox"],
                                                                        ["aep_console", "cli"]):
                    offenders.append(f"{path.relative_to(UI)}: from {module} import …")
            elif isinstance(node, ast.Import):
                offenders += [f"{path.relative_to(UI)}: import {a.name}" for a in node.names
                              if a.name.startswith(("aep_console.sandbox", "aep_console.cli"))]
    assert offenders == []


async def test_test_connection_of_another_profile_is_recorded_under_that_profile(ctx, connected, sandbox, qtbot,
                                                                                 tmp_path, memory_keyring, ui_errors):
    from aep_console.logging_setup import REDACTOR
    from aep_console.ui.pages.connections import ConnectionsPage

    page = ConnectionsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    await until(lambda: page.list.count() > 0, 5, "the profiles list")
    path = postman_environment(sandbox, tmp_path / "second.postman_environment.json", "Second org")
    await open_file(qtbot, page.import_btn, "Import credentials", path)
    assert page.name.text() == "Second org" and ctx.profile.name == "Local sandbox"
    click(qtbot, page.test_btn)
    await until(lambda: page.banner.text().startswith(("Connection works", "Test failed", "IMS", "The token",
                                                       "Could not")), 20, "the connection test")
    assert page.banner.text().startswith("Connection works"), page.banner.text()
    ctx.sessions.flush_history()
    stats = [e for e in ctx.history.search("schemaregistry/stats", limit=None)]
    assert stats and {e.profile for e in stats} == {"Second org"}, [(e.profile, e.url) for e in stats]
    # the secret read for the session was handed to the redactor (logs and crash texts mask it)
    assert sandbox.credentials.client_secret not in REDACTOR.redact(f"x {sandbox.credentials.client_secret} y")
    assert ui_errors == []
