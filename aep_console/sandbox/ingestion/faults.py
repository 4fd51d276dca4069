"""Fault injection for tests and demos (off by default; set through ``/__sandbox/admin/faults``, loopback
only, or the ``faults`` key of the config / ``--faults`` flag).

Settings (shares are probabilities per request, 0..1; the first that fires wins, in this order)::

    {"drop": 0.05,         # connection closed before any answer
     "error500": 0.1, "error503": 0.1, "error429": 0.1,   # whole request refused (503/429 with Retry-After)
     "partial": 0.2,       # /collection/batch only: this share of the messages fails with status 503
     "latencyMs": 50,      # added to every request in scope
     "retryAfter": 1,      # seconds, for 503/429
     "scope": "dcs",       # "dcs" (streaming only) or "all" (also profile / export routes)
     "seed": 7}            # reproducible draws
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

MODES = ("drop", "error500", "error503", "error429")
KNOWN = {*MODES, "partial", "latencyMs", "retryAfter", "scope", "seed"}


class FaultConfigError(ValueError):
    pass


@dataclass
class FaultInjector:
    shares: dict[str, float] = field(default_factory=dict)
    partial: float = 0.0
    latency_ms: float = 0.0
    retry_after: int = 1
    scope: str = "dcs"
    seed: int | None = None
    rng: random.Random = field(default_factory=random.Random)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        return bool(self.latency_ms or self.partial or any(self.shares.values()))

    def configure(self, settings: dict[str, Any]) -> None:
        unknown = set(settings) - KNOWN
        if unknown:
            raise FaultConfigError(f"unknown fault setting(s) {sorted(unknown)}; known: {sorted(KNOWN)}")
        shares: dict[str, float] = {}
        for key in (*MODES, "partial"):
            value = settings.get(key, 0)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise FaultConfigError(f"'{key}' must be a share between 0 and 1, found {value!r}")
            shares[key] = float(value)
        latency = settings.get("latencyMs", 0)
        if isinstance(latency, bool) or not isinstance(latency, int | float) or not 0 <= latency <= 60_000:
            raise FaultConfigError(f"'latencyMs' must be a number of milliseconds 0..60000, found {latency!r}")
        retry_after = settings.get("retryAfter", 1)
        if isinstance(retry_after, bool) or not isinstance(retry_after, int) or not 0 <= retry_after <= 3600:
            raise FaultConfigError(f"'retryAfter' must be whole seconds 0..3600, found {retry_after!r}")
        scope = settings.get("scope", "dcs")
        if scope not in ("dcs", "all"):
            raise FaultConfigError(f"'scope' must be 'dcs' or 'all', found {scope!r}")
        seed = settings.get("seed")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise FaultConfigError(f"'seed' must be an integer, found {seed!r}")
        self.partial = shares.pop("partial")
        self.shares = shares
        self.latency_ms = float(latency)
        self.retry_after = retry_after
        self.scope = scope
        self.seed = seed
        self.rng = random.Random(seed)
        self.counts = {}

    def describe(self) -> dict[str, Any]:
        return {**self.shares, "partial": self.partial, "latencyMs": self.latency_ms, "retryAfter": self.retry_after,
                "scope": self.scope, "seed": self.seed, "enabled": self.enabled, "injected": dict(self.counts)}

    def applies(self, area: str) -> bool:
        return self.enabled and (area == "dcs" or self.scope == "all")

    def draw(self) -> str | None:
        """The fault for this request, or None."""
        x = self.rng.random()
        acc = 0.0
        for mode in MODES:
            acc += self.shares.get(mode, 0.0)
            if x < acc:
                self.counts[mode] = self.counts.get(mode, 0) + 1
                return mode
        return None

    def fail_message(self) -> bool:
        if self.partial and self.rng.random() < self.partial:
            self.counts["partial"] = self.counts.get("partial", 0) + 1
            return True
        return False


def parse_cli_faults(text: str) -> dict[str, Any]:
    """``error503=0.1,latencyMs=20,scope=all`` (the ``--faults`` flag) -> settings dict."""
    out: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        if not sep:
            raise FaultConfigError(f"--faults: expected key=value, found {part!r}")
        key = key.strip()
        value = value.strip()
        if key == "scope":
            out[key] = value
        elif key in ("retryAfter", "seed"):
            try:
                out[key] = int(value)
            except ValueError:
                raise FaultConfigError(f"--faults: {key} must be an integer, found {value!r}") from None
        else:
            try:
                out[key] = float(value)
            except ValueError:
                raise FaultConfigError(f"--faults: {key} must be a number, found {value!r}") from None
    return out
