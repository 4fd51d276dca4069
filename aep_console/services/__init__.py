"""Everything the console does, without Qt (the GUI and the command-line twin both use it).

- ``credentials``: keyring facade (``CredentialStore``), session-only mode, ``KeyringUnavailable``;
- ``profiles`` / ``profile_import``: connection profiles on disk (no secrets), Developer Console and
  Postman imports; ``connect.open_session(profile, …)`` → an ``AEPSession``;
- ``setup`` / ``transaction``: set-up workflows, each a transaction with a progress callback;
- ``sources`` / ``engine`` / ``bulk`` / ``journal`` / ``sending``: the streaming engine;
- ``history``: every request and response in SQLite (redacted by ``aep.redact``).

The command line that uses them lives in ``aep_console.cli``.
"""
