"""The ``aep-console`` command line: one argparse tree (``main.build_parser``), one module per command
group (``send``, ``lookup`` for ``profile get``, ``setup``, ``profiles``, ``history``), shared exit
codes and global options in ``common``; ``gui`` opens the window when no command is given."""

from .main import build_parser, main

__all__ = ["build_parser", "main"]
