"""``aep-console setup …``: the set-up workflows (each undone again on failure)."""

from __future__ import annotations

import argparse
from typing import Any

from .common import (
    EXIT_AEP,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    add_connection_options,
    command,
    context,
    note,
    out,
)


def _route_option(p: argparse.ArgumentParser) -> None:
    from ..services.setup import ROUTE_ALIASES, ROUTES

    # the old names (http-api, tutorial) still work
    p.add_argument("--route", type=lambda v: ROUTE_ALIASES.get(v, v), choices=ROUTES, default="dataflow",
                   help="dataflow (default; what today's AEP requires: base → source → target → dataflow) or "
                        "legacy (the 2020 tutorial's base connection alone; today's AEP refuses its messages)")


def register(sub: Any) -> None:
    st = sub.add_parser("setup", help="set-up workflows (each undone again on failure)")
    ssub = st.add_subparsers(dest="workflow", required=True)
    for name, helptext in (("profile-schema", "loyalty profile schema"), ("event-schema", "loyalty event schema")):
        w = command(ssub, name, help=helptext)
        add_connection_options(w)
        w.add_argument("--title", required=True)
        w.add_argument("--no-union", action="store_true", help="do not enable the schema for Profile")
    w = command(ssub, "dataset", help="dataset (Profile and Identity enabled)")
    add_connection_options(w)
    w.add_argument("--name", required=True)
    w.add_argument("--schema", required=True)
    w.add_argument("--no-profile", action="store_true")
    w = command(ssub, "connection", help="streaming connection with its dataflow into --dataset")
    add_connection_options(w)
    w.add_argument("--name", required=True)
    _route_option(w)
    w.add_argument("--dataset", help="the dataset its dataflow writes to (dataflow route)")
    w.add_argument("--schema", help="the dataset's schema (default: read from the dataset)")
    w = command(ssub, "dataflow", help="source, target and dataflow on an existing connection, into --dataset")
    add_connection_options(w)
    w.add_argument("--connection", required=True, help="CONNECTION_ID (inlet id) or base connection id")
    w.add_argument("--dataset", required=True)
    w.add_argument("--schema", help="the dataset's schema (default: read from the dataset)")
    w.add_argument("--name", help="name prefix of the new entities (default: the connection's name)")
    w = command(ssub, "tutorial", help="everything the loyalty tutorial needs")
    add_connection_options(w)
    w.add_argument("--prefix", default="Loyalty")
    _route_option(w)
    st.set_defaults(handler=cmd_setup)


async def cmd_setup(args: argparse.Namespace) -> int:
    from ..services.connect import discover_tenant, open_session
    from ..services.setup import SetupWorkflows, loyalty_event_spec, loyalty_profile_spec

    store, profile, history, secret = context(args)

    def progress(ev: Any) -> None:
        if ev.status not in ("pending",):
            note(f"  [{ev.index + 1}] {ev.step.name}: {ev.status}"
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
            if args.route == "dataflow" and not args.dataset:
                raise CliError("setup connection: --dataset is needed (the dataset its dataflow writes to); "
                               "or --route legacy", EXIT_USAGE)
            report = await wf.streaming_connection(args.name, route=args.route, dataset_id=args.dataset,
                                                   schema_id=args.schema)
        elif args.workflow == "dataflow":
            report = await wf.add_dataflow(args.connection, args.dataset, schema_id=args.schema, name=args.name)
        else:
            report = await wf.loyalty_tutorial(args.prefix, route=args.route)
    if args.json:
        out(report.to_json(), True)
    else:
        note(report.summary())
        out(report.outputs, True)
    return EXIT_OK if report.ok else EXIT_AEP
