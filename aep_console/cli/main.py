"""Entry point ``aep-console``: one argparse tree. Without a command the desktop window opens;
with one (``send``, ``profile``, ``setup``, ``profiles``, ``history``, ``promote``, ``bundle``) its
command-line twin runs.
The global options (``--log-level``, ``--log-file``) go before or after the command's name."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from .. import APP_NAME
from . import history, lookup, profiles, promote, send, setup
from .common import (
    EXIT_AEP,
    EXIT_CONFIG,
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    add_global_options,
    err,
)

# Each module adds its command(s) with ``register(subparsers)`` and sets ``handler``.
COMMAND_MODULES = (send, lookup, setup, profiles, history, promote)
SANDBOX_SUBCOMMAND = "sandbox-server"  # how a frozen build starts its embedded sandbox (not for users)
BULK_WORKER_SUBCOMMAND = "bulk-worker"  # … and the window's bulk-send worker process (ui/controllers/bulk_worker.py)
log = logging.getLogger("aep_console.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aep-console",
        description=(
            f"{APP_NAME}: stream profiles and experience events into Adobe Experience Platform, "
            "or into the built-in local sandbox (the default on first start)."
        ),
        epilog="Without a command the desktop window opens. aep-console COMMAND --help for a command's options.",
    )
    parser.add_argument("--version", action="store_true", help="print version information and exit")
    add_global_options(parser, defaults=True)
    parser.add_argument(
        "--theme", default=None, choices=("system", "light", "dark"),
        help="colour scheme (default: the one in Settings, at first the OS's)"
    )
    parser.add_argument("--page", default=None, help="navigation page to open first (e.g. editor, profiles)")
    parser.add_argument("--profile", default=None,
                        help="connection profile: the one to activate on start, or a command's --profile")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == SANDBOX_SUBCOMMAND:
        from ..sandbox.server.cli import main as sandbox_main

        return sandbox_main(argv[1:])
    if argv and argv[0] == BULK_WORKER_SUBCOMMAND:
        from ..services.bulk_process import main as bulk_worker_main

        return bulk_worker_main(argv[1:])
    if getattr(sys, "frozen", False):  # worker processes of a bulk send (multiprocessing spawn) start here
        import multiprocessing

        multiprocessing.freeze_support()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if getattr(args, "needs_profile", False) and not args.profile:
            parser.error(f"{args.command}: the following arguments are required: --profile")
    except SystemExit as exc:
        return EXIT_USAGE if exc.code not in (0, None) else EXIT_OK
    if args.command is None:
        from .gui import run_window

        return run_window(args)
    return run_command(args)


def setup_command_logging(args: argparse.Namespace):
    """Logging as in the window (a rotating log file, every handler behind the secret redactor); the
    terminal shows warnings and errors unless ``--log-level`` asks for more."""
    from pathlib import Path

    from ..logging_setup import setup_logging

    level = args.log_level or "INFO"
    log_file = Path(args.log_file).expanduser() if args.log_file else None
    return setup_logging(level, stderr_level=args.log_level or "WARNING", log_file=log_file)


def run_command(args: argparse.Namespace) -> int:
    from ..aep import errors as E
    from ..services.credentials import CredentialError
    from ..services.profiles import ProfileError
    from ..services.source_types import SourceError

    local = None
    try:
        setup_command_logging(args)
        local = _local_sandbox_for(args)
        result = args.handler(args)
        if asyncio.iscoroutine(result):
            result = asyncio.run(result)
        return int(result or 0)
    except CliError as exc:
        code, message = exc.code, str(exc)
    except (CredentialError, ProfileError) as exc:
        code, message = EXIT_CONFIG, str(exc)
    except E.AEPError as exc:
        code, message = EXIT_AEP, f"AEP: {exc}"
    except KeyboardInterrupt:
        code, message = EXIT_INTERRUPTED, "interrupted"
    except (SourceError, OSError, ValueError) as exc:
        code, message = EXIT_INPUT, str(exc)
    finally:
        if local is not None:
            local.stop()
    log.info("%s failed (exit %d): %s", args.command, code, message)  # the log file keeps it, redacted
    err(message)
    return code


def _local_sandbox_for(args: argparse.Namespace):
    """A local-sandbox profile without ``--sandbox-url`` uses the sandbox that serves the console's
    sandbox data (the window's, or ``aep-sandbox``'s), or starts one for this command (returned, to
    be stopped afterwards). A local profile saved with a URL of its own (``profiles add
    --sandbox-url``) keeps talking to that sandbox."""
    if not getattr(args, "needs_profile", False) or getattr(args, "sandbox_url", None):
        return None
    from ..services.profiles import ProfileStore, local_profile

    profile = ProfileStore().get(args.profile)
    if not profile.is_local or profile.platform_url.rstrip("/") != local_profile().platform_url.rstrip("/"):
        return None
    from ..services import local_sandbox

    urls, proc = local_sandbox.attach_or_start()
    args.sandbox_url = urls.base
    if proc is not None:
        print(f"aep-console: started the local sandbox for this command ({urls.base}, data in "
              f"{local_sandbox.data_dir()})", file=sys.stderr)
    return proc


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
