"""``aep-console profile get …``: a profile (and its experience events) from the Profile store."""

from __future__ import annotations

import argparse
from typing import Any

from .common import EXIT_AEP, EXIT_OK, CliError, add_connection_options, command, context, out


def register(sub: Any) -> None:
    p = sub.add_parser("profile", help="look up a profile in the Profile store")
    psub = p.add_subparsers(dest="profile_command", required=True)
    g = command(psub, "get", help="a profile by identity, optionally with its experience events")
    add_connection_options(g)
    g.add_argument("--namespace", required=True, help="identity namespace code, e.g. Email")
    g.add_argument("--id", required=True, help="identity value")
    g.add_argument("--events", action="store_true", help="also list the profile's experience events")
    g.set_defaults(handler=cmd_profile)


async def cmd_profile(args: argparse.Namespace) -> int:
    from ..aep import errors as E
    from ..services.connect import open_session

    store, profile, history, secret = context(args)
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
    out(result, True)
    return EXIT_OK
