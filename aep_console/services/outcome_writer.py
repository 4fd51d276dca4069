"""Making outcomes durable off the event loop: dead letters, then the journal, each fsync'd.

An fsync takes milliseconds (tens on a busy disk); done on the event loop after every request it was
a fifth of a bulk send's time. ``OutcomeWriter`` hands them to one thread that writes whatever has
gathered since its last fsync in one go (group commit): dead letters first, then the journal lines
naming them, so the order rule of ``journal.py`` holds. A run killed at any moment re-sends at most
the requests in flight plus those whose journal line was still waiting for that thread's fsync.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

log = logging.getLogger(__name__)


class OutcomeWriter:
    def __init__(self, journal: Any, dead_letters: Any) -> None:
        self.journal, self.dead = journal, dead_letters
        self._items: list[tuple[list, list[int], list[int]]] = []
        self._cv = threading.Condition()
        self._closed = False
        self._busy = False
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="bulk-outcomes", daemon=True)
        self._thread.start()

    def put(self, dead_entries: list, accepted: list[int], dead_lettered: list[int]) -> None:
        if self.error is not None:
            raise self.error
        with self._cv:
            self._items.append((dead_entries, accepted, dead_lettered))
            self._cv.notify()

    def _main(self) -> None:
        while True:
            with self._cv:
                while not self._items and not self._closed:
                    self._cv.wait()
                items, self._items = self._items, []
                if not items:
                    return
                self._busy = True
            try:
                dead = [e for d, _, _ in items for e in d]
                if dead and self.dead is not None:
                    self.dead.write(dead)
                if self.journal is not None:
                    self.journal.record(accepted=[i for _, a, _ in items for i in a],
                                        dead_lettered=[i for _, _, d in items for i in d])
            except BaseException as exc:  # disk full, …: the run must stop; nothing later is journaled
                log.exception("could not write the run's outcomes")
                self.error = exc
                return
            finally:
                with self._cv:
                    self._busy = False
                    self._cv.notify_all()

    def flush(self) -> None:
        """Block until everything put so far is durable."""
        with self._cv:
            while (self._items or self._busy) and self._thread.is_alive():
                self._cv.wait(0.1)
        if self.error is not None:
            raise self.error

    def close(self) -> None:
        with self._cv:
            self._closed = True
            self._cv.notify_all()
        self._thread.join()
        if self.error is not None:
            raise self.error
