"""Local AEP sandbox: a persistent, offline stand-in for the AEP APIs that streaming ingestion uses.

Start it with ``aep-sandbox`` (``python -m aep_console.sandbox``) or from code with
:func:`aep_console.sandbox.launcher.start_sandbox`.
"""
