"""What every command of ``aep-console`` shares: exit codes, the error type, the shared global
options, output helpers and the profile/session context.

Exit codes:

    0  done, everything accepted            4  AEP refused or could not be reached (auth, unknown id…)
    1  done, some records dead-lettered     5  interrupted (Ctrl-C / cancelled): resume with --resume
    2  usage error                          6  bad input file (unreadable source)
    3  profile / credential / keyring problem
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Any

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_CONFIG, EXIT_AEP, EXIT_INTERRUPTED, EXIT_INPUT = 0, 1, 2, 3, 4, 5, 6
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class CliError(Exception):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def add_global_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """The options every command accepts, before or after its name. Only the root parser has
    defaults; a command's copy has none (``SUPPRESS``), so it never overwrites a value given before
    the command's name (``aep-console --log-level DEBUG send …``)."""

    def default(value: Any) -> Any:
        return value if defaults else argparse.SUPPRESS

    parser.add_argument("--log-level", default=default(None), type=str.upper, choices=LOG_LEVELS,
                        help="logging level (default: INFO in the log file; the terminal shows warnings "
                             "unless a level is given)")
    parser.add_argument("--log-file", default=default(None), metavar="PATH",
                        help="log file (default: aep-console.log in the console's log folder)")


def global_options() -> argparse.ArgumentParser:
    """A parent parser with the global options, for ``add_parser(…, parents=[global_options()])``."""
    parent = argparse.ArgumentParser(add_help=False)
    add_global_options(parent, defaults=False)
    return parent


def command(sub: Any, name: str, **kwargs: Any) -> argparse.ArgumentParser:
    """A (sub)command parser that also takes the global options."""
    return sub.add_parser(name, parents=[global_options()], **kwargs)


def add_connection_options(p: argparse.ArgumentParser) -> None:
    """Options of the commands that talk to AEP. ``--profile`` may also come before the command."""
    p.add_argument("--profile", default=argparse.SUPPRESS,
                   help="connection profile name (see: aep-console profiles list)")
    p.add_argument("--sandbox-url", help="base URL of a running local sandbox (for local-sandbox profiles)")
    p.add_argument("--session-secret", action="store_true",
                   help="read the client secret from stdin for this run only (no keyring)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(needs_profile=True)


def redact(text: str) -> str:
    """``text`` with every known secret masked (the log filter's redactor)."""
    from ..logging_setup import REDACTOR

    return REDACTOR.redact(text)


def out(data: Any, as_json: bool = True) -> None:
    text = data if isinstance(data, str) and not as_json else json.dumps(data, indent=2, default=str)
    print(redact(text))


def note(text: str) -> None:
    print(redact(text), file=sys.stderr)


def err(message: str) -> None:
    note(f"aep-console: error: {message}")


def read_secret(prompt: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\r\n")


def context(args: Any):
    """``(profile store, profile, history, secret typed for this run or None)`` for a command."""
    from ..services.credentials import CredentialStore
    from ..services.history import HistoryStore
    from ..services.profiles import ProfileStore

    creds = CredentialStore(session_only=bool(getattr(args, "session_secret", False)))
    store = ProfileStore(credentials=creds)
    profile = store.get(args.profile)
    if getattr(args, "sandbox_url", None):
        profile = profile.with_local_base(args.sandbox_url)
    secret = read_secret("Client secret: ") if getattr(args, "session_secret", False) else None
    return store, profile, HistoryStore(), secret
