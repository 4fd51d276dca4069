"""The console's settings: one typed model (pydantic) and one list that describes each setting for
the settings screen, which is drawn from that list (as Vorta draws its settings tab).

Stored as JSON in the config directory; a missing, broken or partly invalid file gives the
defaults for what cannot be read (and says so in the log), never a crash.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from .. import paths

log = logging.getLogger(__name__)
SETTINGS_FILE = "settings.json"


class Settings(BaseModel):
    theme: Literal["system", "light", "dark"] = "system"
    history_max_age_days: int = Field(30, ge=0, le=3650)  # 0: no age limit
    history_keep: int = Field(50_000, ge=100, le=10_000_000)
    engine_concurrency: int = Field(8, ge=1, le=64)
    engine_max_rate: int = Field(0, ge=0, le=1_000_000)  # messages/s; 0: AEP's guardrail on AEP, none on the sandbox
    stop_after_failures: int = Field(1000, ge=0, le=100_000_000)  # 0: never stop early
    remember_target: bool = True

    @property
    def history_max_age(self) -> float | None:
        return float(self.history_max_age_days) or None

    @property
    def stop_after(self) -> int | None:
        return self.stop_after_failures or None

    @property
    def max_rate(self) -> float | None:
        """The bulk engine's message rate (``EngineOptions.max_messages_per_second``): None for the default."""
        return float(self.engine_max_rate) or None


@dataclass(frozen=True)
class SettingSpec:
    """How the settings screen shows one field of ``Settings``."""

    key: str
    label: str
    tooltip: str
    group: str
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) for a choice
    suffix: str = ""
    zero: str = ""  # what the value 0 means, shown instead of it


SETTINGS: list[SettingSpec] = [
    SettingSpec("theme", "&Theme", "Light, dark, or follow the system's colour scheme (applies at once)",
                "Appearance", (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark"))),
    SettingSpec("remember_target", "&Remember the last send target",
                "Reopen the record editor on the connection, dataset, schema and draft of the last run, per profile",
                "Record editor"),
    SettingSpec("engine_concurrency", "Requests in &flight",
                "How many streaming requests a bulk send keeps in flight at once", "Bulk send", suffix=" requests"),
    SettingSpec("engine_max_rate", "Messages &per second at most",
                "A bulk send keeps to this rate; 0: AEP's guardrail against AEP (10,000 per second per org), no limit "
                "on the local sandbox", "Bulk send", suffix=" messages/s",
                zero="AEP's limit; none on the sandbox"),
    SettingSpec("stop_after_failures", "&Stop early after",
                "A bulk send stops (resumable) once this many records were not accepted; 0 never stops early",
                "Bulk send", suffix=" failed records", zero="Never"),
    SettingSpec("history_max_age_days", "Keep history for",
                "Requests older than this leave the history; 0 keeps them regardless of age", "History",
                suffix=" days", zero="No age limit"),
    SettingSpec("history_keep", "Keep at &most", "The history keeps at most this many requests (the newest)",
                "History", suffix=" requests"),
]


def field_range(key: str) -> tuple[int, int]:
    """The (minimum, maximum) the model accepts for a numeric setting."""
    lo, hi = 0, 2**31 - 1
    for m in Settings.model_fields[key].metadata:
        lo = getattr(m, "ge", lo) if getattr(m, "ge", None) is not None else lo
        hi = getattr(m, "le", hi) if getattr(m, "le", None) is not None else hi
    return int(lo), int(hi)


def settings_path() -> Path:
    return paths.config_dir() / SETTINGS_FILE


def load(path: Path | None = None) -> Settings:
    path = path or settings_path()
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError) as exc:
        log.warning("settings %s unreadable (%s): using the defaults", path, exc)
        return Settings()
    if not isinstance(data, dict):
        return Settings()
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        bad = {".".join(str(p) for p in e["loc"]) for e in exc.errors()}
        log.warning("settings %s: %s invalid, using their defaults", path, ", ".join(sorted(bad)))
        return Settings.model_validate({k: v for k, v in data.items() if k not in bad and k in Settings.model_fields})


def save(settings: Settings, path: Path | None = None) -> None:
    path = path or settings_path()
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(settings.model_dump(), indent=2), "utf-8")
    tmp.replace(path)


def updated(settings: Settings, key: str, value: Any) -> Settings:
    """A copy with one field changed, validated (raises ``ValueError`` with the model's words)."""
    try:
        return Settings.model_validate({**settings.model_dump(), key: value})
    except ValidationError as exc:
        raise ValueError("; ".join(e["msg"] for e in exc.errors())) from exc
