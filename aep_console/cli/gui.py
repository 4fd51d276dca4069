"""``aep-console`` without a command: the desktop window (or ``--version``)."""

from __future__ import annotations

import argparse


def run_window(args: argparse.Namespace) -> int:
    if args.version:
        from ..ui.about import version_text

        print(version_text())
        return 0
    from ..ui.app import run_gui

    args.log_level = args.log_level or "INFO"
    return run_gui(args)
