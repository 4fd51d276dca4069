"""``aep-console history list|export|curl``: the request history."""

from __future__ import annotations

import argparse
from typing import Any

from .common import EXIT_INPUT, EXIT_OK, CliError, command


def register(sub: Any) -> None:
    h = sub.add_parser("history", help="request history")
    hsub = h.add_subparsers(dest="history_command", required=True)
    hl = command(hsub, "list", help="recent requests (newest first)")
    hl.add_argument("--search")
    hl.add_argument("--errors", action="store_true")
    hl.add_argument("--limit", type=int, default=50)
    he = command(hsub, "export", help="export as JSON or JSON Lines")
    he.add_argument("file")
    he.add_argument("--format", choices=("json", "jsonl"))
    he.add_argument("--search")
    hc = command(hsub, "curl", help="one request as a curl command (token as ${ACCESS_TOKEN})")
    hc.add_argument("id", type=int)
    h.set_defaults(handler=cmd_history)


def cmd_history(args: argparse.Namespace) -> int:
    from ..services.history import HistoryStore

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
