"""The embedded local sandbox as the front-ends see it: attach to the one that serves the console's
sandbox data, or start it (a subprocess). The window and the command line share this."""

from __future__ import annotations

from .. import paths


def attach_or_start(**options):
    """``(urls, process)``: ``process`` is None when another process runs the sandbox (not ours to
    stop). Blocks while a new sandbox comes up: call it off the GUI thread. ``options`` go to the
    launcher (e.g. ``edge_tls_port=0``)."""
    from ..sandbox.launcher import attach_or_start as launch

    return launch(paths.sandbox_data_dir(), **options)


def data_dir():
    return paths.sandbox_data_dir()
