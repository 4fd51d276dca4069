"""What the window remembers between runs: the last connection profile, and per profile the last
send target (connection, dataset, schema) and the record editor's draft.

One small JSON file in the config directory, 0600 (a draft can hold personal data). Reads never
fail: a missing or broken file is an empty state.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

from .. import paths

log = logging.getLogger(__name__)
STATE_FILE = "console-ui.json"
DRAFT_LIMIT = 256 * 1024  # a draft larger than this is not kept (a pasted file belongs in bulk send)
_lock = threading.Lock()


def state_path() -> Path:
    return paths.config_dir() / STATE_FILE


def _read() -> dict[str, Any]:
    try:
        data = json.loads(state_path().read_text("utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write(data: dict[str, Any]) -> None:
    path = state_path()
    tmp = path.with_name(path.name + ".tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError:
        log.warning("could not remember the window's state in %s", path)


def _update(fn) -> None:
    with _lock:
        data = _read()
        fn(data)
        _write(data)


def remembered_profile() -> str | None:
    value = _read().get("profile")
    return value if isinstance(value, str) else None


def remember_profile(name: str) -> None:
    _update(lambda d: d.__setitem__("profile", name))


def remembered_target(profile: str) -> dict[str, Any]:
    target = (_read().get("targets") or {}).get(profile)
    return target if isinstance(target, dict) else {}


def remember_target(profile: str, target: dict[str, Any]) -> None:
    def put(d: dict) -> None:
        d.setdefault("targets", {})[profile] = target

    _update(put)


def remembered_draft(profile: str) -> str:
    draft = (_read().get("drafts") or {}).get(profile)
    return draft if isinstance(draft, str) else ""


def remember_draft(profile: str, text: str) -> None:
    if len(text) > DRAFT_LIMIT:
        return

    def put(d: dict) -> None:
        d.setdefault("drafts", {})[profile] = text

    _update(put)


def connection_datasets() -> dict[str, dict[str, str]]:
    """Inlet id → {dataset_id, schema_id} chosen in the wizard of a tutorial-route connection (which
    AEP does not link to a dataset: the envelope names it)."""
    data = _read().get("connection_datasets")
    return data if isinstance(data, dict) else {}


def remember_connection_dataset(inlet_id: str, dataset_id: str, schema_id: str) -> None:
    def put(d: dict) -> None:
        d.setdefault("connection_datasets", {})[inlet_id] = {"dataset_id": dataset_id, "schema_id": schema_id}

    _update(put)


def forget(profile: str) -> None:
    """A deleted profile leaves nothing behind."""
    def drop(d: dict) -> None:
        for key in ("targets", "drafts"):
            (d.get(key) or {}).pop(profile, None)

    _update(drop)
