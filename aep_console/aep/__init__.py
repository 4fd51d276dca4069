"""The AEP client: async httpx + pydantic, one client per AEP service (no Qt).

Names are imported lazily (PEP 562), so that importing a light submodule such as
``aep_console.aep.redact`` (logging does, at start-up) does not pull in httpx and pydantic.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "config": ("ClientCredentials", "Endpoints", "Timeouts"),
    "retry": ("RetryPolicy",),
    "errors": (
        "AEPError", "AuthError", "BadRequestError", "ConfigError", "ConflictError", "ForbiddenError",
        "InsecureEndpointError", "NetworkError", "NotAcceptableError", "NotFoundError", "PayloadTooLarge",
        "PreconditionFailed", "RateLimited", "RequestTimeout", "ServerError", "ServiceUnavailable",
        "TokenError", "UnexpectedResponse", "UnprocessableError", "ValidationFailed",
    ),
    "session": ("AEPSession",),
    "transport": ("Exchange", "Reply"),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value

