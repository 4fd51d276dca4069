"""``aep-console send FILE …``: stream a JSON / JSON Lines / CSV file into a dataset."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from typing import Any

from .common import (
    EXIT_AEP,
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_USAGE,
    CliError,
    add_connection_options,
    command,
    context,
    note,
    out,
)


def register(sub: Any) -> None:
    s = command(sub, "send", help="stream a JSON / JSON Lines / CSV file into a dataset")
    s.add_argument("file")
    add_connection_options(s)
    s.add_argument("--connection", required=True, help="streaming CONNECTION_ID (the inlet id)")
    s.add_argument("--dataset", required=True, help="dataset id")
    s.add_argument("--schema", help="schema $id (default: the dataset's schema)")
    s.add_argument("--flow-id", help="dataflow id (default: found from --connection and --dataset)")
    s.add_argument("--sync-validation", action="store_true",
                   help="send one record per request with synchronous validation (held under 60/min)")
    s.add_argument("--resume", action="store_true", help="continue an interrupted run of this file")
    s.add_argument("--restart", action="store_true", help="start over even if an interrupted run exists")
    s.add_argument("--format", choices=("json", "jsonl", "csv"), help="input format (default: detected)")
    s.add_argument("--map", action="append", default=[], metavar="COLUMN=XDM.PATH[:TYPE]",
                   help="CSV column mapping (types: string, integer, number, boolean, json)")
    s.add_argument("--concurrency", type=int, default=8)
    s.add_argument("--no-validate", action="store_true", help="skip client-side XDM validation")
    s.add_argument("--max-rate", type=float, metavar="MESSAGES_PER_S",
                   help="messages per second at most (default: AEP's 10,000/s guardrail against AEP, "
                        "unlimited on the local sandbox; 0: unlimited)")
    s.add_argument("--workers", type=int, metavar="N",
                   help="processes preparing a JSON Lines file (default: one per idle core beyond two, for files "
                        "of 32 MB and more; 0: none)")
    s.add_argument("--string-ids", action="store_true", help="convert integer _id values to strings")
    s.add_argument("--dead-letter", help="dead-letter JSON Lines file (default: in the run folder)")
    s.add_argument("--no-progress", action="store_true", help="no progress bar")
    s.add_argument("--no-reconcile", action="store_true",
                   help="do not read the run's Catalog batches afterwards for records AEP failed after accepting")
    s.add_argument("--reconcile-timeout", type=float, default=900.0, metavar="SECONDS",
                   help="on AEP, how long to wait for the run's batches to close (default: 900)")
    s.set_defaults(handler=cmd_send)


def parse_mapping(specs: list[str]) -> dict:
    from ..services.sources import ColumnMapping

    mapping = {}
    for spec in specs:
        col, sep, rest = spec.partition("=")
        if not sep:
            raise CliError(f"--map {spec!r}: expected COLUMN=XDM.PATH[:TYPE]", EXIT_USAGE)
        try:
            mapping[col.strip()] = ColumnMapping.parse(col.strip(), rest)
        except ValueError as exc:
            raise CliError(f"--map {spec!r}: {exc}", EXIT_USAGE) from None
    return mapping


async def cmd_send(args: argparse.Namespace) -> int:
    from ..services.bulk import BulkRun, RunBusy, RunExists
    from ..services.connect import open_session
    from ..services.engine_types import ABORTED, CANCELLED, DONE, EngineOptions, SendTarget
    from ..services.reconcile import mark_start
    from ..services.sources import detect_format

    mapping = parse_mapping(args.map)
    args.format = args.format or detect_format(args.file)  # an unreadable file fails before any request
    store, profile, history, secret = context(args)
    async with open_session(profile, profiles=store, history=history, secret=secret) as session:
        schema_id = args.schema
        if not schema_id:
            ds = await session.catalog.get_dataset(args.dataset)
            if not ds.schema_ref:
                raise CliError(f"dataset {args.dataset} has no schemaRef; pass --schema", EXIT_USAGE)
            schema_id = ds.schema_ref.id
        flow_id = args.flow_id or await find_flow(session, args)
        target = SendTarget(args.connection, args.dataset, schema_id, profile.org_id, flow_id=flow_id)
        if args.sync_validation:
            return await _send_sync(session, target, args, mapping or None)
        options = EngineOptions(concurrency=max(1, args.concurrency), validate=not args.no_validate,
                                string_ids=args.string_ids, max_messages_per_second=args.max_rate,
                                workers=args.workers)
        try:
            run = BulkRun(session, args.file, target, fmt=args.format, mapping=mapping or None, resume=args.resume,
                          restart=args.restart, options=options, dead_letter_path=args.dead_letter)
        except (RunExists, RunBusy) as exc:
            raise CliError(str(exc), EXIT_USAGE) from None
        if run.already_complete and args.resume:
            run.close()
            note("this run already finished; nothing to resume")
            return EXIT_OK
        mark_start(run)
        report = await _with_progress(run, not args.no_progress and not args.json)
        reconciled = None
        if not args.no_reconcile and (report.progress.accepted or report.resumed):
            reconciled = await _reconcile(session, run, report, wait=not profile.is_local,
                                          timeout=args.reconcile_timeout)
    if args.json:
        out({**report.to_json(), "reconciled": reconciled.to_json() if reconciled else None}, True)
    else:
        print(report.summary())
        if reconciled is not None:
            print(reconciled.summary())
    if report.error:
        note(f"aep-console: error: {report.error}")
    if report.state == DONE:
        return EXIT_OK if report.progress.dead_lettered == 0 else EXIT_PARTIAL
    if report.state == CANCELLED:
        return EXIT_INTERRUPTED
    if report.state == ABORTED and report.error_kind == "input":
        return EXIT_INPUT
    return EXIT_AEP


async def _reconcile(session: Any, run: Any, report: Any, *, wait: bool, timeout: float) -> Any:
    """Records AEP failed after acknowledging them become dead letters (with a countdown while the
    run's batches close on AEP)."""
    from ..services.reconcile import reconcile_run

    def countdown(left: float, open_batches: int) -> None:
        note(f"reconciling: waiting for {open_batches} batch(es) to close, {left:.0f} s left (--no-reconcile skips)")

    result = await reconcile_run(session, run, wait=wait, timeout=timeout, on_wait=countdown)
    result.apply(report)
    return result


async def find_flow(session: Any, args: argparse.Namespace) -> str | None:
    """The dataflow from ``--connection`` into ``--dataset`` (none for a legacy inlet); several or none: exit 2
    with the list, or with the command that creates one."""
    from ..services.dataflows import ConnectionNotFound, FlowLookupError, flow_for_send

    try:
        flow_id = await flow_for_send(session, args.connection, args.dataset, profile=args.profile)
    except ConnectionNotFound as exc:
        raise CliError(str(exc), EXIT_AEP) from None
    except FlowLookupError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    note(f"dataflow {flow_id} (found for connection {args.connection} and dataset {args.dataset})" if flow_id
         else f"connection {args.connection} is a legacy inlet: messages carry no flow id")
    return flow_id


async def _with_progress(run: Any, show: bool) -> Any:
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGINT, run.cancel)
        loop.add_signal_handler(signal.SIGTERM, run.cancel)
    if not show:
        return await run.start()
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TaskProgressColumn(),
                  TextColumn("{task.fields[counts]}"), TimeElapsedColumn(), console=console,
                  transient=False) as bar:
        task = bar.add_task("sending", total=1000, counts="")

        def show_progress(p: Any) -> None:
            frac = p.fraction
            counts = (f"{p.accepted} ok · {p.dead_lettered} dead · {p.retried} retried · {p.rate:,.0f}/s"
                      + (f" · {p.state}" if p.state != "running" else ""))
            bar.update(task, completed=int((frac or 0) * 1000), counts=counts)

        run.sender.on_progress = show_progress
        return await run.start()


async def _send_sync(session: Any, target: Any, args: argparse.Namespace, mapping: Any) -> int:
    from ..services.bulk import load_validator
    from ..services.sending import send_one
    from ..services.sources import SourceError, read_records

    validator = None if args.no_validate else await load_validator(session, target.schema_id)
    ok = bad = 0
    try:
        for rec in read_records(args.file, fmt=args.format, mapping=mapping):
            if rec.error:
                bad += 1
                note(f"{rec.location()}: {rec.error}")
                continue
            res = await send_one(session, target, rec.entity, sync_validation=True, validator=validator,
                                 on_wait=lambda s: note(f"holding {s:.0f} s (sync validation: 60/min)"))
            if res.ok:
                ok += 1
            else:
                bad += 1
                note(f"{rec.location()}: {res.describe()}")
    except SourceError as exc:
        note(str(exc))
        return EXIT_INPUT
    print(f"{ok} accepted, {bad} refused (synchronous validation)")
    return EXIT_OK if bad == 0 else EXIT_PARTIAL
