"""Handlers of the command-line twin (parsing lives in ``cli_commands``)."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import json
import signal
import sys
from typing import Any

from ..aep import errors as E
from .bulk import BulkRun, RunExists
from .cli_commands import (
    EXIT_AEP,
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_USAGE,
    CliError,
)
from .connect import discover_tenant, open_session
from .credentials import CredentialStore, KeyringUnavailable
from .engine_types import ABORTED, CANCELLED, DONE, EngineOptions, SendTarget
from .history import HistoryStore
from .profiles import ConnectionProfile, ProfileStore, local_profile
from .sources import ColumnMapping, SourceError


def _out(data: Any, as_json: bool) -> None:
    if as_json:
        print(json.dumps(data, indent=2, default=str))
    elif isinstance(data, str):
        print(data)
    else:
        print(json.dumps(data, indent=2, default=str))


def _note(text: str) -> None:
    print(text, file=sys.stderr)


def _read_secret(prompt: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\r\n")


def _context(args: Any) -> tuple[ProfileStore, ConnectionProfile, HistoryStore, str | None]:
    creds = CredentialStore(session_only=bool(getattr(args, "session_secret", False)))
    store = ProfileStore(credentials=creds)
    profile = store.get(args.profile)
    if getattr(args, "sandbox_url", None):
        profile = profile.with_local_base(args.sandbox_url)
    secret = _read_secret("Client secret: ") if getattr(args, "session_secret", False) else None
    return store, profile, HistoryStore(), secret


# --- send -----------------------------------------------------------------------------------------


async def cmd_send(args: Any) -> int:
    store, profile, history, secret = _context(args)
    mapping = {}
    for spec in args.map:
        col, sep, rest = spec.partition("=")
        if not sep:
            raise CliError(f"--map {spec!r}: expected COLUMN=XDM.PATH[:TYPE]", EXIT_USAGE)
        mapping[col.strip()] = ColumnMapping.parse(col.strip(), rest)
    async with open_session(profile, profiles=store, history=history, secret=secret) as session:
        schema_id = args.schema
        if not schema_id:
            ds = await session.catalog.get_dataset(args.dataset)
            if not ds.schema_ref:
                raise CliError(f"dataset {args.dataset} has no schemaRef; pass --schema", EXIT_USAGE)
            schema_id = ds.schema_ref.id
        target = SendTarget(args.connection, args.dataset, schema_id, profile.org_id, flow_id=args.flow_id)
        if args.sync_validation:
            return await _send_sync(session, target, args, mapping or None)
        options = EngineOptions(concurrency=max(1, args.concurrency), validate=not args.no_validate,
                                string_ids=args.string_ids)
        try:
            run = BulkRun(session, args.file, target, fmt=args.format, mapping=mapping or None, resume=args.resume,
                          restart=args.restart, options=options, dead_letter_path=args.dead_letter)
        except RunExists as exc:
            raise CliError(str(exc), EXIT_USAGE) from None
        if run.already_complete and args.resume:
            _note("this run already finished; nothing to resume")
            return EXIT_OK
        report = await _with_progress(run, not args.no_progress and not args.json)
    if args.json:
        _out(report.to_json(), True)
    else:
        print(report.summary())
    if report.error:
        _note(f"aep-console: error: {report.error}")
    if report.state == DONE:
        return EXIT_OK if report.progress.dead_lettered == 0 else EXIT_PARTIAL
    if report.state == CANCELLED:
        return EXIT_INTERRUPTED
    if report.state == ABORTED and report.error_kind == "input":
        return EXIT_INPUT
    return EXIT_AEP


async def _with_progress(run: BulkRun, show: bool) -> Any:
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


async def _send_sync(session: Any, target: SendTarget, args: Any, mapping: Any) -> int:
    from .bulk import load_validator
    from .sending import send_one
    from .sources import read_records

    validator = None if args.no_validate else await load_validator(session, target.schema_id)
    ok = bad = 0
    try:
        for rec in read_records(args.file, fmt=args.format, mapping=mapping):
            if rec.error:
                bad += 1
                _note(f"{rec.location()}: {rec.error}")
                continue
            res = await send_one(session, target, rec.entity, sync_validation=True, validator=validator,
                                 on_wait=lambda s: _note(f"holding {s:.0f} s (sync validation: 60/min)"))
            if res.ok:
                ok += 1
            else:
                bad += 1
                _note(f"{rec.location()}: {res.describe()}")
    except SourceError as exc:
        _note(str(exc))
        return EXIT_INPUT
    print(f"{ok} accepted, {bad} refused (synchronous validation)")
    return EXIT_OK if bad == 0 else EXIT_PARTIAL


# --- profile get ----------------------------------------------------------------------------------


async def cmd_profile(args: Any) -> int:
    store, profile, history, secret = _context(args)
    async with open_session(profile, profiles=store, history=history, secret=secret) as session:
        try:
            entity = await session.profiles.get_entity(args.id, args.namespace)
        except E.NotFoundError:
            raise CliError(f"no profile for {args.namespace}:{args.id}", EXIT_AEP) from None
        result: dict[str, Any] = {"xid": entity.xid, "sources": entity.sources, "entity": entity.entity,
                                  "lastModifiedAt": entity.last_modified_at}
        if args.events:
            events = await session.profiles.list_events(args.id, args.namespace)
            result["events"] = [e.entity for e in events]
    _out(result, True)
    return EXIT_OK


# --- setup ----------------------------------------------------------------------------------------


async def cmd_setup(args: Any) -> int:
    from .setup import SetupWorkflows, loyalty_event_spec, loyalty_profile_spec

    store, profile, history, secret = _context(args)

    def progress(ev: Any) -> None:
        if ev.status not in ("pending",):
            _note(f"  [{ev.index + 1}] {ev.step.name}: {ev.status}"
                  + (f" ({ev.step.resource_id})" if ev.step.resource_id and ev.status == "done" else ""))

    async with open_session(profile, profiles=store, history=history, secret=secret) as session:
        await discover_tenant(session, profile, store)
        wf = SetupWorkflows(session, tenant_id=profile.tenant_id, on_progress=progress)
        if args.workflow in ("profile-schema", "event-schema"):
            spec = (loyalty_profile_spec if args.workflow == "profile-schema" else loyalty_event_spec)(args.title)
            spec.union = not args.no_union
            report = await (wf.profile_schema(spec) if args.workflow == "profile-schema" else wf.event_schema(spec))
        elif args.workflow == "dataset":
            report = await wf.dataset(args.name, args.schema, profile=not args.no_profile)
        elif args.workflow == "connection":
            report = await wf.streaming_connection(args.name, route=args.route, dataset_id=args.dataset,
                                                   schema_id=args.schema)
        else:
            report = await wf.loyalty_tutorial(args.prefix, route=args.route)
    if args.json:
        _out(report.to_json(), True)
    else:
        _note(report.summary())
        _out(report.outputs, True)
    return EXIT_OK if report.ok else EXIT_AEP


# --- profiles / history ---------------------------------------------------------------------------


def cmd_profiles(args: Any) -> int:
    creds = CredentialStore()
    store = ProfileStore(credentials=creds)
    if args.profiles_command == "list":
        try:
            _note(f"keyring: {creds.backend_info().describe()}")
        except KeyringUnavailable as exc:
            _note(f"keyring: unavailable — {exc.title}. {exc.advice}")
        for p in store.list():
            flag = " [production]" if p.production else ""
            print(f"{p.name}\t{p.target}\t{p.org_id}\tsandbox={p.sandbox_name}\ttenant={p.tenant_id or '?'}{flag}")
        return EXIT_OK
    if args.profiles_command == "add":
        if args.target == "local-sandbox":
            prof = local_profile(args.sandbox_url or "http://127.0.0.1:8765", sandbox_name=args.sandbox)
            prof.name, prof.org_id, prof.client_id = args.name, args.org_id, args.client_id
        else:
            prof = ConnectionProfile(name=args.name, target="aep", org_id=args.org_id, client_id=args.client_id,
                                     sandbox_name=args.sandbox, production=args.production)
        for attr, value in (("scopes", args.scopes), ("ims_url", args.ims_url), ("platform_url", args.platform_url),
                            ("streaming_url", args.streaming_url)):
            if value:
                setattr(prof, attr, value)
        secret = None if args.no_secret else _read_secret("Client secret: ")
        store.add(prof, secret or None)
        if secret:
            _note(f"client secret stored in {creds.backend_info().describe()}")
        print(f"profile {prof.name!r} saved")
        return EXIT_OK
    if args.profiles_command == "import":
        prof = store.import_file(args.file, name=args.name, sandbox_name=args.sandbox)
        _note(f"client secret stored in {creds.backend_info().describe()}")
        print(f"profile {prof.name!r} imported (org {prof.org_id}, sandbox {prof.sandbox_name})")
        return EXIT_OK
    store.delete(args.name)
    print(f"profile {args.name!r} deleted")
    return EXIT_OK


def cmd_history(args: Any) -> int:
    history = HistoryStore()
    if args.history_command == "list":
        for e in history.search(args.search, errors_only=args.errors, limit=args.limit):
            print(f"{e.id}\t{e.method}\t{e.status or e.error}\t{e.duration_ms or 0:.0f} ms\t{e.url}")
        return EXIT_OK
    if args.history_command == "export":
        n = history.export(args.file, fmt=args.format, text=args.search)
        print(f"{n} requests exported to {args.file}")
        return EXIT_OK
    try:
        print(history.as_curl(args.id))
    except KeyError as exc:
        raise CliError(str(exc.args[0]), EXIT_INPUT) from None
    return EXIT_OK
