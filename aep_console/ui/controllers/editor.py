"""The record editor's controller: loads the target schema (full form) and its validator and
primary identity, builds envelopes and templates, sends one record (services.sending) and runs
bulk sends (services.bulk) with progress handed over a few times a second.

Before a send it finds the dataflow from the connection into the dataset (services.dataflows, once per
connection and dataset): one is used, several are offered (``flow_choice``), none is reported with the
offer to create one (``flow_missing``); the page asks the user and answers with ``choose_flow``,
``create_flow`` or ``decline_flow``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal

from . import resources
from .bulk import BulkController

log = logging.getLogger(__name__)


@dataclass
class SendOutcome:
    kind: str  # banner kind: success | error | warning
    summary: str
    body: Any = None
    violations: list = field(default_factory=list)
    exchange: Any = None  # the streaming request and its answer (redacted), when one was sent


@dataclass(frozen=True)
class _V:
    """A violation as the validation list shows it."""

    json_path: str
    pointer: str
    message: str


class EditorController(QObject):
    targets_listed = Signal(object, object, object)
    schema_ready = Signal()
    schema_failed = Signal(str)
    send_done = Signal(object)  # SendOutcome
    send_failed = Signal(str)
    bulk_started = Signal(object)
    bulk_progress = Signal(object)
    bulk_rows = Signal(object)
    bulk_finished = Signal(str, str, bool)  # summary, banner kind, every record has an outcome
    bulk_not_started = Signal(str, str)  # why nothing was sent, banner kind
    bulk_checked = Signal(str, object)  # path, number of records (None: unreadable)
    bulk_diagnosed = Signal(object)  # services.diagnosis.Diagnosis: why records were not accepted
    bulk_file_fixed = Signal(str, int)
    bulk_exists = Signal(str, str)  # path, message (an interrupted run exists: resume or restart)
    flow_choice = Signal(object)  # [(flow id, label)]: several dataflows lead into the dataset
    flow_missing = Signal(str)  # message: no dataflow leads into the dataset (offer to create one)
    flow_note = Signal(str, str)  # kind, message (finding or creating the dataflow)

    def __init__(self, ctx, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.schema_id = ""
        self.resolved: dict | None = None
        self.validator = None
        self.primary_identity: tuple[str, str] | None = None
        self.bulk = BulkController(self)
        self._flows: dict[tuple, str | None] = {}  # (session, connection, dataset) -> flow id (None: legacy inlet)
        self._pending: tuple[Callable[[], None], Callable[[str], None]] | None = None
        ctx.resources_changed.connect(lambda _kind: self._flows.clear())
        # imported now, with the page, rather than on the first Send all (a one-off ~80 ms stall)
        from ...services import bulk as _bulk  # noqa: F401

    # --- targets and schema ----------------------------------------------------------------------
    def list_targets(self) -> None:
        if self.ctx.session is None:
            return
        self.ctx.run("editor-targets", resources.targets(self.ctx.session),
                     on_done=lambda t: self.targets_listed.emit(*t),
                     on_error=lambda exc: self.schema_failed.emit(f"listing targets failed: {exc}"))

    def load_schema(self, schema_id: str) -> None:
        if schema_id == self.schema_id and self.resolved is not None:
            return
        self.schema_id = schema_id
        self.resolved = self.validator = None
        self.primary_identity = None
        if not schema_id or self.ctx.session is None:
            self.schema_ready.emit()
            return
        self.ctx.run("editor-schema", self._load(schema_id),
                     on_error=lambda exc: self.schema_failed.emit(str(exc)), busy=False)

    async def _load(self, schema_id: str) -> None:
        from ...xdm.validate import compile_validator

        session = self.ctx.session
        resolved = await session.schemas.get_full_schema(schema_id)
        primary = None
        try:
            for d in await session.schemas.descriptors_of(schema_id):
                if d.type == "xdm:descriptorIdentity" and d.is_primary:
                    primary = (d.namespace or "Email", d.source_property or "")
        except Exception as exc:
            log.debug("reading descriptors failed: %s", exc)
        if schema_id != self.schema_id:
            return  # the user picked another target meanwhile
        self.resolved, self.validator, self.primary_identity = resolved, compile_validator(resolved), primary
        self.schema_ready.emit()

    def validate(self, entity: dict) -> list | None:
        """Violations of ``entity`` (empty: valid), or None when no schema is loaded."""
        if self.validator is None:
            return None
        return self.validator.validate(entity, limit=50)

    def envelope(self, entity: dict) -> dict | None:
        from ...xdm.envelope import build_envelope

        t = self.ctx.target
        if not (t.schema_id and t.dataset_id):
            return None
        org = getattr(self.ctx.profile, "org_id", "") or ""
        return build_envelope(entity, schema_id=t.schema_id, org_id=org, dataset_id=t.dataset_id,
                              flow_id=t.flow_id or None, source_name=t.source_name or None)

    def template(self) -> dict | None:
        from ...xdm.template import make_template

        if self.resolved is None:
            return None
        try:
            return make_template(self.resolved, primary_identity=self.primary_identity)
        except ValueError:
            return make_template(self.resolved)

    def schema_class(self) -> str:
        return (self.resolved or {}).get("meta:class", "") if self.resolved is not None else ""

    def target_words(self) -> dict:
        """The target as the diagnosis names it: dataset and schema names, the schema's class."""
        t = self.ctx.target
        return {"dataset": t.dataset_name or t.dataset_id, "schema": t.schema_title or t.schema_id,
                "meta_class": self.schema_class()}

    def stop_after_failures(self) -> int | None:
        """The early-stop threshold of a bulk send from the GUI (the settings' value; 0: never)."""
        return self.ctx.settings.stop_after

    def concurrency(self) -> int:
        return self.ctx.settings.engine_concurrency

    def max_rate(self) -> float | None:
        """Messages per second a bulk send keeps to (None: AEP's guardrail on AEP, none on the sandbox)."""
        return self.ctx.settings.max_rate

    def send_target(self):
        from ...services.engine_types import SendTarget

        t = self.ctx.target
        missing = [name for name, v in (("a streaming connection", t.connection_id), ("a dataset", t.dataset_id),
                                        ("a schema", t.schema_id)) if not v]
        if missing:
            raise ValueError("choose " + ", ".join(missing) + " first (the wizards set them, or pick them above)")
        key = self._flow_key()
        flow_id = self._flows.get(key, t.flow_id or None)
        return SendTarget(connection_id=t.connection_id, dataset_id=t.dataset_id, schema_id=t.schema_id,
                          org_id=getattr(self.ctx.profile, "org_id", ""), flow_id=flow_id,
                          source_name=t.source_name or None)

    # --- the dataflow ------------------------------------------------------------------------------
    def _flow_key(self) -> tuple:
        t = self.ctx.target
        return (id(self.ctx.session), t.connection_id, t.dataset_id)

    def with_flow(self, then: Callable[[], None], fail: Callable[[str], None]) -> None:
        """Run ``then`` once the dataflow of the current connection and dataset is known."""
        key = self._flow_key()
        if key in self._flows:
            then()
            return
        self._pending = (then, fail)
        self.ctx.run("editor-flow", self._discover(key, self.ctx.target.flow_id),
                     on_error=lambda exc: self._fail(f"finding the dataflow failed: {exc}"))

    async def _discover(self, key: tuple, preferred: str) -> None:
        from ...services.dataflows import find_dataflows

        found = await find_dataflows(self.ctx.session, key[1], key[2])
        ids = [f.flow_id for f in found.flows]
        if found.legacy_inlet or len(ids) == 1:
            self._resolved(key, ids[0] if ids else None)
        elif preferred in ids:
            self._resolved(key, preferred)
        elif ids:
            self.flow_choice.emit([(f.flow_id, f.describe()) for f in found.flows])
        else:
            name = self.ctx.target.dataset_name or key[2]
            self.flow_missing.emit(f"The streaming connection has no dataflow into the dataset “{name}”. "
                                   "Today's AEP refuses messages without one (they must carry its flow id).")

    def _resolved(self, key: tuple, flow_id: str | None) -> None:
        self._flows[key] = flow_id
        if (flow_id or "") != self.ctx.target.flow_id:
            self.ctx.update_target(flow_id=flow_id or "")
        pending, self._pending = self._pending, None
        if pending is not None:
            pending[0]()

    def _fail(self, message: str) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending[1](message)

    def choose_flow(self, flow_id: str) -> None:
        self._resolved(self._flow_key(), flow_id)

    def decline_flow(self) -> None:
        self._fail("no dataflow chosen (today's AEP refuses messages without one)")

    def create_flow(self) -> None:
        """Source connection → target connection → dataflow from the connection into the dataset, then the
        pending send."""
        from ...services.setup import SetupWorkflows

        key, t = self._flow_key(), self.ctx.target
        self.flow_note.emit("info", "Creating a dataflow into the dataset…")

        async def create() -> None:
            report = await SetupWorkflows(self.ctx.session).add_dataflow(t.connection_id, t.dataset_id,
                                                                         schema_id=t.schema_id or None)
            if not report.ok:
                self._fail(f"creating the dataflow failed: {report.error}")
                return
            later = "" if getattr(self.ctx.profile, "is_local", False) else (
                " On AEP a new dataflow can need about 5 minutes before it accepts data: if AEP refuses this "
                "send, send again later.")
            self.flow_note.emit("success", f"Created dataflow {report.outputs['flow_id']}.{later}")
            self.ctx.resources_changed.emit("connections")
            self._resolved(key, report.outputs["flow_id"])

        self.ctx.run("editor-create-flow", create(), on_error=lambda exc: self._fail(f"creating the dataflow "
                                                                                       f"failed: {exc}"))

    # --- one record --------------------------------------------------------------------------------
    def send(self, entity: dict, *, sync: bool, local: bool = True) -> None:
        if self.ctx.session is None:
            self.send_failed.emit("Not connected: choose a connection profile first.")
            return
        try:
            self.send_target()
        except ValueError as exc:
            self.send_failed.emit(f"Not sent: {exc}.")
            return

        def send() -> None:
            self.ctx.run("editor-send", self._send(self.send_target(), entity, sync, local),
                         on_error=lambda exc: self.send_failed.emit(f"Not sent: {exc}"))

        self.with_flow(send, lambda why: self.send_failed.emit(f"Not sent: {why}."))

    async def _send(self, target, entity: dict, sync: bool, local: bool = True) -> None:
        from ...services.sending import send_one

        def waiting(seconds: float) -> None:
            self.send_failed.emit(f"Waiting {seconds:.0f} s: AEP allows 60 synchronously validated sends a minute.")

        result = await send_one(self.ctx.session, target, entity, sync_validation=sync, validator=self.validator,
                                force=not local, on_wait=waiting)
        violations = [_V(v.get("json_path", ""), v.get("pointer", ""), v.get("message", "")) for v in result.violations]
        exchange = self._exchange_of(target) if result.sent else None
        body = {k: v for k, v in result.__dict__.items() if v not in (None, [], "")}
        if result.ok:
            summary = (f"Accepted: HTTP {result.status}, xactionId {result.xaction_id}"
                       + (f", synchronous validation {result.sync_validation}" if result.sync_validation else ""))
            self.send_done.emit(SendOutcome("success", summary, body, exchange=exchange))
        elif not result.sent:
            self.send_done.emit(SendOutcome("error", f"Not sent: {result.message}", body, violations))
        else:
            status = f"HTTP {result.status}: " if result.status else ""
            if violations:  # the list says what and where; the banner does not repeat it in one long line
                n = len(violations)
                summary = f"Refused: {status}AEP found {n} problem{'' if n == 1 else 's'} in the record (listed under Validation)."
            else:
                summary = f"Refused: {status}{result.message}"
            self.send_done.emit(SendOutcome("error", summary, body, violations, exchange))

    # --- bulk: what the file holds, and whether it was sent before ----------------------------------
    def check_file(self, path: str) -> None:
        """Count the records of ``path`` off the GUI thread; ``bulk_checked(path, n)`` follows."""
        from pathlib import Path

        if not path or not Path(path).is_file():
            self.bulk_checked.emit(path, None)
            return

        async def count():
            from ...services.bulk_checks import count_records

            return await asyncio.get_running_loop().run_in_executor(None, count_records, path)

        self.ctx.run("bulk-count", count(), on_done=lambda n: self.bulk_checked.emit(path, n),
                     on_error=lambda exc: self.bulk_checked.emit(path, None), busy=False)

    def write_pasted(self, records: list) -> str:
        """Records pasted into the editor, written as JSON Lines (0600: they may hold personal data)
        for a bulk send; returns the path."""
        import json
        import os
        import time

        from ... import paths

        folder = paths.data_dir() / "pasted"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"pasted-{time.strftime('%Y%m%d-%H%M%S')}-{len(records)}.jsonl"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for r in records:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        return str(path)

    def previous_run(self, path: str):
        """The completed earlier run of ``path`` to the current target (services.bulk_checks.PreviousRun)."""
        from ...services.bulk_checks import completed_before

        try:
            return completed_before(path, self.send_target())
        except (ValueError, OSError):
            return None

    def _exchange_of(self, target):
        """The newest streaming exchange to ``target``'s connection (this send's)."""
        for ex in reversed(self.ctx.streaming_log):
            if ex.method == "POST" and target.connection_id in ex.url:
                return ex
        return None

    # --- bulk (delegated) --------------------------------------------------------------------------
    def start_bulk(self, path: str, mode: str = "new", *, local: bool = True) -> None:
        def start() -> None:
            self.bulk.start(path, mode, local=local)

        try:
            self.send_target()
        except ValueError:
            start()  # it says what is missing
            return
        if self.ctx.session is None:
            start()
            return
        self.with_flow(start, lambda why: self.bulk_finished.emit(f"Not started: {why}.", "error"))

    def pause_bulk(self, paused: bool) -> None:
        self.bulk.pause(paused)

    def cancel_bulk(self) -> None:
        self.bulk.cancel()

    def fix_file_ids(self, path: str) -> None:
        self.bulk.fix_ids(path)
