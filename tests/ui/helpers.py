"""Helpers of the GUI tests: wait for the qasync loop without nesting Qt loops."""

from __future__ import annotations

import asyncio
import time
import uuid


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
