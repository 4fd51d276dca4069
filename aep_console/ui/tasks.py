"""Named background tasks on the qasync loop (the FeelUOwn pattern).

Widgets never own coroutines: controllers hand them to a TaskRunner, which keeps a reference to
each running task (so none is garbage-collected mid-flight), cancels the previous task of the same
name when a new one starts, and routes an unhandled exception to the crash reporter.
``asyncio.CancelledError`` is an ordinary end, never a crash.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # asyncio is imported on first use: the window paints before it loads
    import asyncio

log = logging.getLogger(__name__)

ErrorSink = Callable[[BaseException], None]


class TaskRunner:
    def __init__(self, on_unhandled: ErrorSink | None = None, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._tasks: dict[str, asyncio.Task] = {}
        self._on_unhandled = on_unhandled
        self._loop = loop

    def set_error_sink(self, sink: ErrorSink) -> None:
        self._on_unhandled = sink

    def set_loop(self, loop: asyncio.AbstractEventLoop | None) -> None:
        self._loop = loop

    def run(
        self,
        name: str,
        coro: Awaitable[Any],
        *,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> asyncio.Task:
        import asyncio

        previous = self._tasks.get(name)
        if previous is not None and not previous.done():
            previous.cancel()
        task = asyncio.ensure_future(coro, loop=self._loop)
        self._tasks[name] = task
        task.add_done_callback(lambda t: self._finished(name, t, on_done, on_error))
        return task

    def _finished(self, name, task: asyncio.Task, on_done, on_error) -> None:
        if self._tasks.get(name) is task:
            del self._tasks[name]
        if task.cancelled():
            log.debug("task %s cancelled", name)
            return
        import asyncio

        exc = task.exception()
        if exc is None:
            if on_done is not None:
                on_done(task.result())
            return
        if isinstance(exc, asyncio.CancelledError):
            return
        if on_error is not None:
            on_error(exc)
            return
        log.error("task %s failed", name, exc_info=(type(exc), exc, exc.__traceback__))
        if self._on_unhandled is not None:
            self._on_unhandled(exc)

    def is_running(self, name: str) -> bool:
        task = self._tasks.get(name)
        return task is not None and not task.done()

    def cancel(self, name: str) -> None:
        task = self._tasks.get(name)
        if task is not None:
            task.cancel()

    def cancel_all(self) -> None:
        for task in list(self._tasks.values()):
            task.cancel()

    async def wait_all(self) -> None:
        import asyncio

        tasks = list(self._tasks.values())
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
