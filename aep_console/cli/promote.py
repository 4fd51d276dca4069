"""``aep-console promote`` and ``aep-console bundle export|apply``: copy a set-up between sandboxes
and orgs with a reviewed plan (the command-line face of ``services.promote``).

    aep-console promote --from "Local sandbox" --to "Prod EU" --dataset ID --connection ID --dry-run
    aep-console bundle export loyalty.aep-bundle.json --profile "Local sandbox" --dataset ID
    aep-console bundle apply loyalty.aep-bundle.json --profile "Prod EU" --yes

The plan goes to stdout before anything is written; applying needs ``--yes`` (or a "y" typed at a
terminal). Conflicting resources stop the apply unless ``--overwrite`` (field groups, data types,
schemas, descriptors). Exit codes: 0 done (or nothing to do, or a dry run); 2 not accepted, or a
selection that does not exist; 4 AEP refused, or the plan has conflicts (nothing written); 6 an
unreadable bundle.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import shlex
import sys
from typing import Any

from .common import (
    EXIT_AEP,
    EXIT_INPUT,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    add_connection_options,
    command,
    context,
    note,
    out,
)


def _selection_options(p: argparse.ArgumentParser) -> None:
    also = "; with everything it depends on (repeatable)"
    p.add_argument("--dataset", action="append", default=[], metavar="ID",
                   help="a dataset, and the dataflows into it" + also)
    p.add_argument("--schema", action="append", default=[], metavar="ID", help="a schema ($id or meta:altId)" + also)
    p.add_argument("--connection", action="append", default=[], metavar="ID",
                   help="a streaming connection (id or CONNECTION_ID), its dataflows and datasets" + also)


def _apply_options(p: argparse.ArgumentParser, *, json_option: bool = True) -> None:
    p.add_argument("--dry-run", action="store_true", help="show the plan (with its diff) and write nothing")
    p.add_argument("--yes", action="store_true",
                   help="accept the plan, its irreversible steps (Profile enablement) included, without asking")
    p.add_argument("--overwrite", action="store_true",
                   help="replace conflicting field groups, data types, schemas and descriptors in the target "
                        "with the source's version (put back when a later step fails)")
    if json_option:
        p.add_argument("--json", action="store_true", help="print the plan and the result as JSON")


def register(sub: Any) -> None:
    """Adds ``promote`` and ``bundle`` to the command tree (``sub``: the root's subparsers)."""
    p = command(sub, "promote", help="copy a set-up to another sandbox or org, with a plan first")
    p.add_argument("--from", dest="source", required=True, metavar="PROFILE", help="source connection profile")
    p.add_argument("--to", dest="target", required=True, metavar="PROFILE", help="target connection profile")
    p.add_argument("--from-url", help="base URL of a running local sandbox for the source profile")
    p.add_argument("--to-url", help="base URL of a running local sandbox for the target profile")
    _selection_options(p)
    _apply_options(p)
    p.add_argument("--bundle", metavar="FILE", help="also save the source's set-up as a bundle FILE")
    p.set_defaults(handler=cmd_promote)

    b = command(sub, "bundle", help="a set-up as a versioned JSON bundle: export it, apply it to any target")
    bsub = b.add_subparsers(dest="bundle_command", required=True)
    e = command(bsub, "export", help="read a set-up (following its dependencies) into a bundle file (--profile: "
                                     "the source)")
    e.add_argument("file")
    add_connection_options(e)
    _selection_options(e)
    a = command(bsub, "apply", help="plan a bundle against a target (--profile) and apply the plan")
    a.add_argument("file")
    add_connection_options(a)
    _apply_options(a, json_option=False)
    b.set_defaults(handler=cmd_bundle)


# --- handlers ------------------------------------------------------------------------------------


async def cmd_promote(args: argparse.Namespace) -> int:
    selection = _selection(args)
    with contextlib.ExitStack() as stack:
        source = _session(stack, args.source, args.from_url)
        target = _session(stack, args.target, args.to_url)
        async with source as src, target as tgt:
            bundle = await _read(src, selection)
            if args.bundle:
                _note(f"bundle saved: {bundle.save(args.bundle)}")
            return await _plan_and_apply(tgt, bundle, args, args.target)


async def cmd_bundle(args: argparse.Namespace) -> int:
    from ..services.connect import open_session
    from ..services.promote import Bundle, PromoteError

    if args.bundle_command == "export":
        selection = _selection(args)
    else:
        try:
            bundle = Bundle.load(args.file)
        except (OSError, PromoteError) as exc:
            raise CliError(str(exc), EXIT_INPUT) from None
    store, profile, history, secret = context(args)  # a local profile already points at its sandbox
    async with open_session(profile, profiles=store, history=history, secret=secret) as session:
        if args.bundle_command == "apply":
            return await _plan_and_apply(session, bundle, args, args.profile)
        bundle = await _read(session, selection)
    path = bundle.save(args.file)
    _note(f"bundle saved: {path} ({len(bundle.resources)} resources)")
    _print({"file": str(path), "resources": len(bundle.resources)} if args.json else str(path), args.json)
    return EXIT_OK


async def _plan_and_apply(session: Any, bundle: Any, args: argparse.Namespace, target_name: str) -> int:
    """The plan (stdout for a dry run or when nothing is written, else stderr), then the apply: its
    progress on stderr, the ids (source id → target id) on stdout. ``--json``: one JSON document
    ``{"plan": …, "report": …}`` on stdout."""
    from ..services.promote import Planner, PromoteRefused, apply_plan, check_applicable, streaming_targets

    plan = await Planner(session).plan(bundle)
    result: dict[str, Any] = {"plan": plan.to_json()}
    writes = not (args.dry_run or plan.is_empty)
    if not args.json:
        if writes:
            _note(plan.summary())
        else:
            out(plan.summary(), False)
    try:
        if not writes:
            return EXIT_OK
        try:
            # conflicts first: nothing to accept then
            check_applicable(plan, accept_irreversible=True, overwrite=args.overwrite)
        except PromoteRefused as exc:
            raise CliError(f"{exc} (nothing was written)", EXIT_AEP) from None
        if not args.yes and not _confirm(plan):
            raise CliError("plan not accepted: nothing was written (review it, then pass --yes)", EXIT_USAGE)

        def progress(ev: Any) -> None:
            if ev.status != "pending":
                _note(f"  [{ev.index + 1}] {ev.step.name}: {ev.status}"
                      + (f" ({ev.step.resource_id})" if ev.step.resource_id and ev.status == "done" else ""))

        report = await apply_plan(session, plan, accept_irreversible=True, overwrite=args.overwrite,
                                  on_progress=progress)
        result["report"] = report.to_json()
        targets = streaming_targets(plan, report.outputs) if report.ok else []
        result["streaming"] = [dataclasses.asdict(t) for t in targets]
        if not args.json:
            _note(report.summary())
            for t in targets:
                _note(f"Stream into {t.dataset_name!r}: aep-console send FILE --profile {_quoted(target_name)} "
                      f"--connection {t.connection_id} --dataset {t.dataset_id}"
                      + (f" --flow-id {t.flow_id}" if t.flow_id else ""))
            _print(report.outputs, True)  # source id → target id, for the next command
        return EXIT_OK if report.ok else EXIT_AEP
    finally:
        if args.json:
            _print(result, True)


async def _read(session: Any, selection: Any) -> Any:
    from ..services.promote import PromoteError, SetupReader

    try:
        return await SetupReader(session).read(selection)
    except PromoteError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None


def _confirm(plan: Any) -> bool:
    if not sys.stdin.isatty():
        return False
    warn = "".join(f"\n  irreversible: {i.label}: {i.note}" for i in plan.irreversible)
    answer = input(f"Apply this plan to {plan.target['org_id']}/{plan.target['sandbox']}?{warn}\n[y/N] ")
    return answer.strip().lower() in ("y", "yes")


def _selection(args: argparse.Namespace) -> Any:
    from ..services.promote import Selection

    selection = Selection(datasets=args.dataset, schemas=args.schema, connections=args.connection)
    if not selection:
        raise CliError("pick at least one --dataset, --schema or --connection", EXIT_USAGE)
    return selection


def _session(stack: contextlib.ExitStack, name: str, url: str | None) -> Any:
    """An AEPSession (not yet entered) for profile ``name``. A local-sandbox profile on the default
    address uses the console's running sandbox, or one started for this command (stopped after)."""
    from ..services.connect import open_session
    from ..services.credentials import CredentialStore
    from ..services.history import HistoryStore
    from ..services.profiles import ProfileStore, local_profile

    store = ProfileStore(credentials=CredentialStore())
    profile = store.get(name)
    if url:
        profile = profile.with_local_base(url)
    elif profile.is_local and profile.platform_url.rstrip("/") == local_profile().platform_url.rstrip("/"):
        from ..services import local_sandbox

        urls, proc = local_sandbox.attach_or_start()
        if proc is not None:
            stack.callback(proc.stop)
            _note(f"aep-console: started the local sandbox for this command ({urls.base})")
        profile = profile.with_local_base(urls.base)
    return open_session(profile, profiles=store, history=HistoryStore())


def _quoted(name: str) -> str:
    return shlex.quote(name)


def _print(data: Any, as_json: bool) -> None:
    out(data, as_json)


def _note(text: str) -> None:
    note(text)
