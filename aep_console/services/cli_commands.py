"""The command-line twin: ``aep-console send|profile|setup|history|profiles …``.

``run(argv)`` parses and dispatches; it returns the exit code (errors go to stderr):

    0  done, everything accepted            4  AEP refused or could not be reached (auth, unknown id…)
    1  done, some records dead-lettered     5  interrupted (Ctrl-C / cancelled): resume with --resume
    2  usage error                          6  bad input file (unreadable source)
    3  profile / credential / keyring problem
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from ..aep import errors as E
from .credentials import CredentialError
from .profiles import ProfileError, ProfileStore, local_profile

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_CONFIG, EXIT_AEP, EXIT_INTERRUPTED, EXIT_INPUT = 0, 1, 2, 3, 4, 5, 6


class CliError(Exception):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--profile", required=True, help="connection profile name (see: aep-console profiles list)")
    p.add_argument("--sandbox-url", help="base URL of a running local sandbox (for local-sandbox profiles)")
    p.add_argument("--session-secret", action="store_true",
                   help="read the client secret from stdin for this run only (no keyring)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aep-console", description="AEP Ingestion Console, command line")
    sub = parser.add_subparsers(dest="command", required=True)

    s = sub.add_parser("send", help="stream a JSON / JSON Lines / CSV file into a dataset")
    s.add_argument("file")
    _common(s)
    s.add_argument("--connection", required=True, help="streaming CONNECTION_ID (the inlet id)")
    s.add_argument("--dataset", required=True, help="dataset id")
    s.add_argument("--schema", help="schema $id (default: the dataset's schema)")
    s.add_argument("--flow-id", help="dataflow id (HTTP API connections)")
    s.add_argument("--sync-validation", action="store_true",
                   help="send one record per request with synchronous validation (held under 60/min)")
    s.add_argument("--resume", action="store_true", help="continue an interrupted run of this file")
    s.add_argument("--restart", action="store_true", help="start over even if an interrupted run exists")
    s.add_argument("--format", choices=("json", "jsonl", "csv"), help="input format (default: detected)")
    s.add_argument("--map", action="append", default=[], metavar="COLUMN=XDM.PATH[:TYPE]",
                   help="CSV column mapping (types: string, integer, number, boolean, json)")
    s.add_argument("--concurrency", type=int, default=8)
    s.add_argument("--no-validate", action="store_true", help="skip client-side XDM validation")
    s.add_argument("--string-ids", action="store_true", help="convert integer _id values to strings")
    s.add_argument("--dead-letter", help="dead-letter JSON Lines file (default: in the run folder)")
    s.add_argument("--no-progress", action="store_true", help="no progress bar")

    p = sub.add_parser("profile", help="look up a profile in the Profile store")
    psub = p.add_subparsers(dest="profile_command", required=True)
    g = psub.add_parser("get", help="a profile by identity, optionally with its experience events")
    _common(g)
    g.add_argument("--namespace", required=True, help="identity namespace code, e.g. Email")
    g.add_argument("--id", required=True, help="identity value")
    g.add_argument("--events", action="store_true", help="also list the profile's experience events")

    st = sub.add_parser("setup", help="set-up workflows (each undone again on failure)")
    ssub = st.add_subparsers(dest="workflow", required=True)
    for name, helptext in (("profile-schema", "loyalty profile schema"), ("event-schema", "loyalty event schema")):
        w = ssub.add_parser(name, help=helptext)
        _common(w)
        w.add_argument("--title", required=True)
        w.add_argument("--no-union", action="store_true", help="do not enable the schema for Profile")
    w = ssub.add_parser("dataset", help="dataset (Profile and Identity enabled)")
    _common(w)
    w.add_argument("--name", required=True)
    w.add_argument("--schema", required=True)
    w.add_argument("--no-profile", action="store_true")
    w = ssub.add_parser("connection", help="streaming connection (tutorial or HTTP API route)")
    _common(w)
    w.add_argument("--name", required=True)
    w.add_argument("--route", choices=("tutorial", "http-api"), default="tutorial")
    w.add_argument("--dataset")
    w.add_argument("--schema")
    w = ssub.add_parser("tutorial", help="everything the loyalty tutorial needs")
    _common(w)
    w.add_argument("--prefix", default="Loyalty")
    w.add_argument("--route", choices=("tutorial", "http-api"), default="tutorial")

    pr = sub.add_parser("profiles", help="connection profiles")
    prsub = pr.add_subparsers(dest="profiles_command", required=True)
    prsub.add_parser("list", help="list profiles and the keyring in use")
    a = prsub.add_parser("add", help="add a profile (the secret is read from stdin into the keyring)")
    a.add_argument("--name", required=True)
    a.add_argument("--target", choices=("aep", "local-sandbox"), default="aep")
    a.add_argument("--org-id", required=True)
    a.add_argument("--client-id", required=True)
    a.add_argument("--sandbox", default="prod")
    a.add_argument("--scopes")
    a.add_argument("--sandbox-url", help="base URL of the local sandbox (local-sandbox target)")
    a.add_argument("--ims-url")
    a.add_argument("--platform-url")
    a.add_argument("--streaming-url")
    a.add_argument("--production", action="store_true")
    a.add_argument("--no-secret", action="store_true", help="do not ask for a client secret")
    i = prsub.add_parser("import", help="import an Adobe Developer Console credential JSON or a Postman environment")
    i.add_argument("file")
    i.add_argument("--name")
    i.add_argument("--sandbox")
    d = prsub.add_parser("delete", help="delete a profile and its secret")
    d.add_argument("name")

    h = sub.add_parser("history", help="request history")
    hsub = h.add_subparsers(dest="history_command", required=True)
    hl = hsub.add_parser("list", help="recent requests (newest first)")
    hl.add_argument("--search")
    hl.add_argument("--errors", action="store_true")
    hl.add_argument("--limit", type=int, default=50)
    he = hsub.add_parser("export", help="export as JSON or JSON Lines")
    he.add_argument("file")
    he.add_argument("--format", choices=("json", "jsonl"))
    he.add_argument("--search")
    hc = hsub.add_parser("curl", help="one request as a curl command (token as ${ACCESS_TOKEN})")
    hc.add_argument("id", type=int)
    return parser


def run(argv: Sequence[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:
        return EXIT_USAGE if exc.code not in (0, None) else EXIT_OK
    from . import cli_handlers as h

    handler = {"send": h.cmd_send, "profile": h.cmd_profile, "setup": h.cmd_setup, "profiles": h.cmd_profiles,
               "history": h.cmd_history}[args.command]
    local = None
    try:
        local = _local_sandbox_for(args)
        result = handler(args)
        if asyncio.iscoroutine(result):
            result = asyncio.run(result)
        return int(result or 0)
    except CliError as exc:
        _err(str(exc))
        return exc.code
    except (CredentialError, ProfileError) as exc:
        _err(str(exc))
        return EXIT_CONFIG
    except E.AEPError as exc:
        _err(f"AEP: {exc}")
        return EXIT_AEP
    except KeyboardInterrupt:
        _err("interrupted")
        return EXIT_INTERRUPTED
    except (OSError, ValueError) as exc:
        _err(str(exc))
        return EXIT_INPUT
    finally:
        if local is not None:
            local.stop()


def _local_sandbox_for(args):
    """A local-sandbox profile without ``--sandbox-url`` uses the sandbox that serves the console's
    sandbox data (the window's, or ``aep-sandbox``'s), or starts one for this command (returned, to
    be stopped afterwards). A local profile saved with a URL of its own (``profiles add
    --sandbox-url``) keeps talking to that sandbox."""
    if args.command not in ("send", "profile", "setup") or getattr(args, "sandbox_url", None):
        return None
    name = getattr(args, "profile", None)
    profile = ProfileStore().get(name) if name else None
    if profile is None or not profile.is_local or (
            profile.platform_url.rstrip("/") != local_profile().platform_url.rstrip("/")):
        return None
    from .. import paths
    from ..sandbox.launcher import attach_or_start

    urls, proc = attach_or_start(paths.sandbox_data_dir())
    args.sandbox_url = urls.base
    if proc is not None:
        print(f"aep-console: started the local sandbox for this command ({urls.base}, data in "
              f"{paths.sandbox_data_dir()})", file=sys.stderr)
    return proc


def _err(message: str) -> None:
    print(f"aep-console: error: {message}", file=sys.stderr)


def main() -> int:  # for `python -m aep_console.services.cli_commands`
    return run(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
