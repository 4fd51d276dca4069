"""Entry point ``aep-console``: the GUI, or its command-line twin when a subcommand is given."""

from __future__ import annotations

import argparse
import platform
import sys

from . import APP_NAME, __version__

SUBCOMMANDS = ("send", "profile", "profiles", "setup", "history")
SANDBOX_SUBCOMMAND = "sandbox-server"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def version_text() -> str:
    try:
        from PySide6 import __version__ as pyside_version
        from PySide6.QtCore import qVersion

        qt = f"Qt {qVersion()}, PySide6 {pyside_version}"
    except ImportError:  # pragma: no cover - PySide6 is a hard dependency
        qt = "Qt unavailable"
    return (
        f"{APP_NAME} {__version__}\n{qt}\n"
        f"Python {platform.python_version()} ({platform.python_implementation()})\n"
        f"{platform.platform()}"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aep-console",
        description=(
            f"{APP_NAME}: stream profiles and experience events into Adobe Experience Platform, "
            "or into the built-in local sandbox (the default on first start)."
        ),
        epilog=(
            "Command-line twin: aep-console {send,profile,profiles,setup,history} --help. "
            "Without a subcommand the desktop window opens."
        ),
    )
    parser.add_argument("--version", action="store_true", help="print version information and exit")
    parser.add_argument(
        "--log-level", default="INFO", type=str.upper, choices=LOG_LEVELS, help="logging level (default: INFO)"
    )
    parser.add_argument(
        "--theme", default="system", choices=("system", "light", "dark"), help="colour scheme (default: the OS's)"
    )
    parser.add_argument("--page", default=None, help="navigation page to open first (e.g. editor, profiles)")
    parser.add_argument("--profile", default=None, help="connection profile to activate on start")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == SANDBOX_SUBCOMMAND:  # how a frozen build starts its embedded sandbox
        from .sandbox.server.cli import main as sandbox_main

        return sandbox_main(argv[1:])
    if argv and argv[0] in SUBCOMMANDS:
        from .services.cli_commands import run

        return run(argv)
    args = build_parser().parse_args(argv)
    if args.version:
        print(version_text())
        return 0
    from .ui.app import run_gui

    return run_gui(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
