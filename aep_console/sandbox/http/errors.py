"""AEP's error shapes, one helper per family, and the exception that carries them.

Raise ``ApiError`` anywhere in a handler (or use one of the helpers, which return one to raise); the
app's exception handler renders it. Shapes (see ../shared/docs/aep-api.md):

- gateway (Adobe I/O): ``{"error_code": "403010", "message": "Oauth token is missing."}``
- IMS: ``{"error": "invalid_client", "error_description": "..."}``
- content type: ``{"type": "/placeholder/type/uri", "status": 400, "title": "BadRequestError", "detail": ...}``
- problem+json with an AEP code (Schema Registry ``XDM-1007-400``, Catalog ``CAT-…``, Flow ``FLOW-…``,
  Identity ``namespacevalidation``): ``{"type", "title", "status", "detail", "report": {...}}``
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import orjson

AEP_ERRORS = "http://ns.adobe.com/aep/errors/"


class ApiError(Exception):
    """An HTTP error answer: status, JSON body (dict or list) and extra headers."""

    def __init__(
        self,
        status: int,
        body: Any,
        headers: dict[str, str] | None = None,
        media_type: str = "application/json",
    ) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.media_type = media_type

    def render(self) -> bytes:
        return orjson.dumps(self.body)


def gateway_error(status: int, code: str, message: str) -> ApiError:
    return ApiError(status, {"error_code": code, "message": message})


def ims_error(status: int, error: str, description: str) -> ApiError:
    return ApiError(status, {"error": error, "error_description": description})


def content_type_error(detail: str = "A valid content-type must be specified") -> ApiError:
    return ApiError(
        400, {"type": "/placeholder/type/uri", "status": 400, "title": "BadRequestError", "detail": detail}
    )


def _timestamp() -> str:
    return time.strftime("%m-%d-%Y %H:%M:%S", time.gmtime())


def xdm_error(code: int, status: int, title: str, detail: str, sub_errors: list | None = None) -> ApiError:
    """Schema Registry error (``http://ns.adobe.com/aep/errors/XDM-{code}-{status}``)."""
    return ApiError(
        status,
        {
            "type": f"{AEP_ERRORS}XDM-{code}-{status}",
            "title": title,
            "status": status,
            "report": {
                "registryRequestId": str(uuid.uuid4()),
                "timestamp": _timestamp(),
                "detailed-message": detail,
                "sub-errors": sub_errors or [],
            },
            "detail": detail,
        },
    )


def problem(service: str, code: int, status: int, title: str, detail: str, **extra: Any) -> ApiError:
    """Generic AEP problem+json (``http://ns.adobe.com/aep/errors/{service}-{code}-{status}``)."""
    body = {
        "type": f"{AEP_ERRORS}{service}-{code}-{status}",
        "title": title,
        "status": status,
        "detail": detail,
        "report": {"requestId": str(uuid.uuid4()), "timestamp": _timestamp()},
    }
    body.update(extra)
    return ApiError(status, body)


def catalog_error(status: int, title: str, detail: str, code: int | None = None) -> ApiError:
    return problem(
        "CAT",
        code or {400: 1002, 404: 1004, 409: 1009, 415: 1015}.get(status, 1000),
        status,
        title,
        detail,
        message=detail,
    )


def flow_error(status: int, title: str, detail: str, code: int | None = None, **extra: Any) -> ApiError:
    return problem(
        "FLOW",
        code or {400: 1002, 404: 1004, 409: 1009, 412: 1012}.get(status, 1000),
        status,
        title,
        detail,
        message=detail,
        **extra,
    )


def identity_error(status: int, title: str, detail: str) -> ApiError:
    return ApiError(
        status,
        {
            "timestamp": int(time.time() * 1000),
            "type": "http://ns.adobe.com/adobecloud/problem/namespacevalidation",
            "status": status,
            "title": title,
            "detail": detail,
            "error": detail,
            "report": {"tenantInfo": {}, "additionalContext": None},
        },
    )


def bad_request(service: str, detail: str) -> ApiError:
    """A 400 in the error shape of ``service`` (catalog, flow, identity, xdm, admin)."""
    if service == "catalog":
        return catalog_error(400, "Bad Request", detail)
    if service == "flow":
        return flow_error(400, "Bad Request", detail)
    if service == "identity":
        return identity_error(400, "Bad Request", detail)
    if service == "xdm":
        return xdm_error(1000, 400, "Bad Request", detail)
    return ApiError(400, {"title": "Bad Request", "status": 400, "detail": detail})


def internal_error(
    detail: str = "An unexpected internal error occurred in the sandbox (see its log).",
) -> ApiError:
    return ApiError(
        500,
        {
            "type": f"{AEP_ERRORS}SANDBOX-500-500",
            "title": "InternalServerError",
            "status": 500,
            "detail": detail,
        },
    )
