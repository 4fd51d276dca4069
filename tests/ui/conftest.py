"""Fixtures of the GUI tests: an AppContext on the session's sandbox subprocess, and helpers
that wait for the qasync loop without nesting Qt loops (never qtbot.wait* in async tests)."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest


async def until(predicate, timeout: float = 15.0, what: str = "condition", interval: float = 0.02):
    """Poll ``predicate`` while the qasync loop runs other tasks; fail with ``what`` on time-out."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(interval)


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


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
