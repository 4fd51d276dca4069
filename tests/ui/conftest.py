"""Fixtures of the GUI tests: an AppContext on the session's sandbox subprocess, and helpers
that wait for the qasync loop without nesting Qt loops (never qtbot.wait* in async tests)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _keep_loop_alive_when_windows_close(qapp):
    """Closing the last visible window (a wizard in a test) must not quit Qt's event loop, which
    is the session's qasync loop."""
    qapp.setQuitOnLastWindowClosed(False)


@pytest.fixture
def ui_errors():
    """Exceptions that reached the crash reporter (tests assert it stays empty)."""
    return []


@pytest.fixture
async def ctx(app_home, sandbox, qapp, ui_errors):
    """An AppContext on the session's sandbox (not started by the context, not stopped by it)."""
    from aep_console.ui.context import AppContext
    from aep_console.ui.tasks import TaskRunner

    context = AppContext(TaskRunner(ui_errors.append), sandbox=sandbox)
    yield context
    await context.async_close()
    await context.runner.wait_all()


@pytest.fixture
async def connected(ctx):
    """The context with the built-in "Local sandbox" profile active."""
    from aep_console.services.profiles import LOCAL_PROFILE_NAME

    await ctx.activate(ctx.profiles.get(LOCAL_PROFILE_NAME))
    assert ctx.session is not None
    return ctx
