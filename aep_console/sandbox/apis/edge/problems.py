"""The Edge Network's error answers (../shared/docs/aep-api.md §9, Adobe's "Error handling" page).

Fatal errors are RFC 7807 ``application/problem+json`` bodies ``{"type": "https://ns.adobe.com/aep/errors/
EXEG-<code>-<status>", "status", "title", "detail", "report"}``: ``InputError`` (4xx: malformed input and entity
validation), ``ConfigurationError`` (422), ``RequestProcessingError`` (500). Upstream errors are not fatal: the
answer is 207 Multi-Status with the handles and an ``errors`` list. The type URI form and the status families
are documented; the four-digit codes below are the sandbox's (UNCONFIRMED against a live Edge Network) except
``EXEG-0201-503`` (an upstream service unavailable).
"""

from __future__ import annotations

from typing import Any

from ...http.errors import ApiError

EXEG = "https://ns.adobe.com/aep/errors/EXEG-"
PROBLEM_JSON = "application/problem+json"

# code -> (status, title)
INVALID_REQUEST = ("0001", 400, "Invalid request")
INVALID_BODY = ("0002", 400, "Invalid request body")
UNKNOWN_DATASTREAM = ("0003", 400, "Invalid datastream ID")
INVALID_XDM = ("0104", 400, "Invalid XDM data")
PAYLOAD_TOO_LARGE = ("0005", 413, "Payload too large")
DATASTREAM_CONFIG = ("0204", 422, "Datastream configuration error")
UPSTREAM_UNAVAILABLE = ("0201", 503, "The 'com.adobe.experience.platform.dcs' service is temporarily unable to "
                                     "serve this request. Please try again later.")
INTERNAL = ("0500", 500, "Request processing error")


def problem_body(kind: tuple[str, int, str], detail: str, request_id: str, **report: Any) -> dict:
    code, status, title = kind
    return {"type": f"{EXEG}{code}-{status}", "status": status, "title": title, "detail": detail,
            "report": {"requestId": request_id, **report}}


def edge_problem(kind: tuple[str, int, str], detail: str, request_id: str, headers: dict[str, str] | None = None,
                 **report: Any) -> ApiError:
    return ApiError(kind[1], problem_body(kind, detail, request_id, **report), headers=headers,
                    media_type=PROBLEM_JSON)


def upstream_error(kind: tuple[str, int, str], detail: str) -> dict:
    """One entry of a 207 answer's ``errors`` list."""
    code, status, title = kind
    return {"type": f"{EXEG}{code}-{status}", "status": status, "title": title, "detail": detail}
