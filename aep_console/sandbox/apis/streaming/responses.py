"""DCS (streaming) answers in AEP's shapes (../shared/docs/aep-api.md §6.3)."""

from __future__ import annotations

import itertools
import os
import uuid
from typing import Any

INLET_PROBLEM = "http://ns.adobe.com/adobecloud/problem/data-collection-service/inlet"
AUTH_PROBLEM = "https://ns.adobe.com/adobecloud/problem/data-collection-service-authorization"
MAX_REPORTED_VIOLATIONS = 5

_counter = itertools.count(1)
_NODE = os.getpid() % 10000


def single_xaction_id(received_ms: int) -> str:
    """``1584479347507:2153:240`` (time:node:sequence), as the single-message endpoint answers."""
    return f"{received_ms}:{_NODE}:{next(_counter)}"


def batch_id(received_ms: int) -> str:
    return f"{received_ms}:{_NODE}:{next(_counter)}"


def batch_xaction_prefix() -> str:
    """Newer batch form: ``<uuid>-<message index>``."""
    return str(uuid.uuid4())


def prefix(inlet_id: str, org_id: str | None) -> str:
    return f"inletId: [{inlet_id}] imsOrgId: [{org_id or ''}]"


def single_ok(inlet_id: str, xaction_id: str, received_ms: int, validation_key: str | None,
              validated: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"inletId": inlet_id, "xactionId": xaction_id, "receivedTimeMs": received_ms}
    body[validation_key or "syncValidation"] = {"status": "pass"} if validated else {"skipped": True}
    return body


def inlet_problem(status: int, title: str, message: str, cause: Any = None) -> dict[str, Any]:
    report: dict[str, Any] = {"message": message}
    if cause is not None:
        report["cause"] = cause
    return {"type": INLET_PROBLEM, "status": status, "title": title, "report": report}


def invalid_xdm(inlet_id: str, org_id: str | None, report: dict) -> dict[str, Any]:
    return inlet_problem(400, "Invalid XDM Message Format", f"{prefix(inlet_id, org_id)} Message is invalid", report)


def bad_message(inlet_id: str, org_id: str | None, message: str, title: str | None = None) -> dict[str, Any]:
    return inlet_problem(400, title or "Invalid XDM Message Format", f"{prefix(inlet_id, org_id)} {message}")


def unauthorized(inlet_id: str, reason: str) -> dict[str, Any]:
    return {"type": AUTH_PROBLEM, "status": "401", "title": "Authorization",
            "report": {"message": f"[{inlet_id}] {reason}"}}


def batch_result(inlet_id: str, received_ms: int, responses: list[dict]) -> dict[str, Any]:
    return {"inletId": inlet_id, "batchId": batch_id(received_ms), "receivedTimeMs": received_ms,
            "responses": responses}


def violations_report(violations: list, fallback_builder=None) -> dict[str, Any]:
    """AEP's ``{"_streamingValidation": [...]}`` for at most 5 violations."""
    shown = violations[:MAX_REPORTED_VIOLATIONS]
    if fallback_builder is not None:
        try:
            return fallback_builder(shown)
        except Exception:  # pragma: no cover - the xdm helper is the reference; this is a safety net
            pass
    return {"_streamingValidation": [{
        "schemaLocation": "#", "pointerToViolation": "#",
        "causingExceptions": [{"schemaLocation": getattr(v, "schema_location", "#"),
                               "pointerToViolation": getattr(v, "pointer", "#"), "causingExceptions": [],
                               "keyword": getattr(v, "keyword", ""), "message": getattr(v, "message", str(v))}
                              for v in shown],
        "message": f"{len(shown)} schema violations found" if len(shown) != 1 else getattr(shown[0], "message", ""),
    }]}


def violations_text(violations: list) -> str:
    """One line for a failed record / batch error: ``#/_id: expected type: String, found: Long; ...``."""
    return "; ".join(f"{getattr(v, 'pointer', '#')}: {getattr(v, 'message', str(v))}"
                     for v in violations[:MAX_REPORTED_VIOLATIONS])
