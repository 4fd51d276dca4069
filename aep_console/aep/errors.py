"""One error hierarchy for every AEP service, and the parser of every AEP error shape.

Shapes understood (../shared/docs/aep-api.md):
- gateway: ``{"error_code": "401013", "message": "Oauth token is not valid"}``
- RFC 7807 (Schema Registry ``XDM-1007-400``, Catalog, Identity, DCS, Edge):
  ``{"type", "title", "status", "detail", "report"}`` (status may be a string, e.g. DCS 401)
- Flow Service: ``{"errorMessage": "…"}`` (optionally ``errorCode``)
- Profile (UPS): ``{"message": "UPS-ACC-1000004: …", "statusCode": "403"}`` and the 429 list form
  ``[{"message", "cause", "retryAfterMs", "statusCode"}]``
- IMS: ``{"error": "invalid_client", "error_description": "…"}``
- anything else: the text of the body (trimmed).

Error text never includes request headers or bodies, so no secret can leak through an exception.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import orjson

_TYPE_CODE = re.compile(r"/([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-\d+(?:-\d+)?)/?$")
_MESSAGE_CODE = re.compile(r"^\s*([A-Z][A-Z0-9]+(?:-[A-Z0-9]+)*-\d+)\s*:\s*")
REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-adobe-request-id")


class AEPError(Exception):
    """Base of every error raised by the AEP client."""

    default_title = "AEP error"

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        code: str | None = None,
        title: str | None = None,
        report: Any = None,
        request_id: str | None = None,
        method: str | None = None,
        url: str | None = None,
        type: str | None = None,
        body: Any = None,
    ) -> None:
        self.status = status
        self.code = code
        self.title = title or self.default_title
        self.message = message or self.title
        self.report = report
        self.request_id = request_id
        self.method = method
        self.url = url
        self.type = type
        self.body = body  # the parsed error body (AEP's own text, no request data)
        super().__init__(self.__str__())

    def __str__(self) -> str:
        head = f"HTTP {self.status}" if self.status is not None else self.title
        if self.code:
            head += f" [{self.code}]"
        if self.status is not None and self.title and self.title != self.message:
            head += f" {self.title}"
        text = f"{head}: {self.message}" if self.message and self.message != head else head
        if self.method and self.url:
            text = f"{self.method} {self.url} → {text}"
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text


class ConfigError(AEPError, ValueError):
    default_title = "Configuration error"


class InsecureEndpointError(ConfigError):
    default_title = "Insecure endpoint"


class NetworkError(AEPError):
    """No HTTP answer: connection refused/reset/dropped, DNS, TLS failure."""

    default_title = "Network error"


class RequestTimeout(NetworkError):
    default_title = "Time-out"


class UnexpectedResponse(AEPError):
    """A success answer whose body does not have the documented shape."""

    default_title = "Unexpected response"


class HTTPStatusError(AEPError):
    """AEP answered with an error status."""


class BadRequestError(HTTPStatusError):
    default_title = "Bad request"


class ValidationFailed(BadRequestError):
    """The payload failed XDM validation (sync validation, or a 400 with a validation report)."""

    default_title = "Validation failed"

    @property
    def violations(self) -> list[dict[str, Any]]:
        """Flattened leaf violations of a ``_streamingValidation`` report
        (``pointerToViolation``, ``schemaLocation``, ``keyword``, ``message``)."""
        return streaming_violations(self.report)


class NotAcceptableError(BadRequestError):
    default_title = "Not acceptable"


class AuthError(HTTPStatusError):
    """401: missing/expired/invalid token, or the IMS refused the credentials."""

    default_title = "Not authorized"


class TokenError(AuthError):
    """IMS did not issue a token (bad client id/secret/scopes)."""

    default_title = "IMS token request failed"


class ForbiddenError(AuthError):
    default_title = "Forbidden"


class NotFoundError(HTTPStatusError):
    default_title = "Not found"


class ConflictError(HTTPStatusError):
    default_title = "Conflict"


class PreconditionFailed(HTTPStatusError):
    default_title = "Precondition failed"


class PayloadTooLarge(HTTPStatusError):
    default_title = "Payload too large"


class UnprocessableError(HTTPStatusError):
    default_title = "Unprocessable"


class RateLimited(HTTPStatusError):
    default_title = "Too many requests"

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(*args, **kwargs)


class ServerError(HTTPStatusError):
    default_title = "Server error"


class ServiceUnavailable(ServerError):
    default_title = "Service unavailable"

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(*args, **kwargs)


_BY_STATUS: dict[int, type[HTTPStatusError]] = {
    400: BadRequestError, 401: AuthError, 403: ForbiddenError, 404: NotFoundError,
    406: NotAcceptableError, 409: ConflictError, 412: PreconditionFailed, 413: PayloadTooLarge,
    422: UnprocessableError, 429: RateLimited, 503: ServiceUnavailable,
}


@dataclass
class ErrorInfo:
    code: str | None = None
    title: str | None = None
    message: str | None = None
    report: Any = None
    type: str | None = None
    retry_after: float | None = None
    request_id: str | None = None


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)


def parse_error_body(body: Any) -> ErrorInfo:
    """Extract code/title/message/report from any AEP error body (bytes, str, dict or list)."""
    if isinstance(body, bytes | bytearray | str):
        raw = body.decode("utf-8", "replace") if isinstance(body, bytes | bytearray) else body
        try:
            body = orjson.loads(raw) if raw.strip() else None
        except orjson.JSONDecodeError:
            text = raw.strip()
            return ErrorInfo(message=text[:500] or None)
    if isinstance(body, list):  # UPS 429 list form, or a list of problems
        first = next((b for b in body if isinstance(b, dict)), None)
        info = parse_error_body(first) if first else ErrorInfo()
        if len(body) > 1:
            info.report = info.report if info.report is not None else body
        return info
    if not isinstance(body, dict):
        return ErrorInfo(message=_text(body))
    info = ErrorInfo()
    info.type = _text(body.get("type"))
    info.title = _text(body.get("title"))
    info.report = body.get("report")
    # code: gateway error_code, explicit code fields, RFC7807 type (XDM-1007-400), "UPS-…:" prefix
    info.code = _text(body.get("error_code") or body.get("errorCode") or body.get("code"))
    if info.code is None and info.type:
        m = _TYPE_CODE.search(info.type)
        info.code = m.group(1) if m else None
    if isinstance(body.get("error"), str) and "error_description" in body:
        # IMS: {"error": "invalid_client", "error_description": "…"}; identity uses "error" as text
        info.code = info.code or body["error"]
    message = (
        _text(body.get("detail"))
        or _text(body.get("errorMessage"))
        or _text(body.get("error_description"))
        or _text(body.get("message"))
        or _text(body.get("description"))
        or (_text(body.get("error")) if "error_description" not in body else None)
    )
    if message is None and isinstance(info.report, dict):
        message = _text(info.report.get("detailed-message") or info.report.get("message"))
    if message is None and isinstance(body.get("errors"), list) and body["errors"]:
        message = "; ".join(_text(e.get("message") if isinstance(e, dict) else e) or "" for e in body["errors"])
    if message:
        m = _MESSAGE_CODE.match(message)
        if m and info.code is None:
            info.code = m.group(1)
    cause = body.get("cause")
    if cause is not None and info.report is None:
        info.report = {"cause": cause}
    info.message = message
    if body.get("retryAfterMs") not in (None, ""):
        with contextlib.suppress(TypeError, ValueError):
            info.retry_after = float(body["retryAfterMs"]) / 1000.0
    if isinstance(info.report, dict):
        info.request_id = _text(info.report.get("registryRequestId") or info.report.get("requestId"))
    return info


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds (delta-seconds or an HTTP date)."""
    if value is None or not str(value).strip():
        return None
    value = str(value).strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        import time

        when = parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError, IndexError):
        return None


def request_id_of(headers: Any) -> str | None:
    for name in REQUEST_ID_HEADERS:
        value = headers.get(name) if headers is not None else None
        if value:
            return value
    return None


def is_validation_report(report: Any) -> bool:
    if isinstance(report, dict):
        cause = report.get("cause")
        return "_streamingValidation" in report or (
            isinstance(cause, dict) and "_streamingValidation" in cause
        )
    return False


def streaming_violations(report: Any) -> list[dict[str, Any]]:
    """Leaf violations of a DCS ``_streamingValidation`` report (in order)."""
    if not isinstance(report, dict):
        return []
    root = report.get("cause", report) if "_streamingValidation" not in report else report
    if not isinstance(root, dict):
        return []
    out: list[dict[str, Any]] = []

    def walk(node: dict[str, Any]) -> None:
        children = node.get("causingExceptions") or []
        if not children:
            out.append({k: node.get(k) for k in ("pointerToViolation", "schemaLocation", "keyword", "message")})
        for child in children:
            if isinstance(child, dict):
                walk(child)

    for top in root.get("_streamingValidation") or []:
        if isinstance(top, dict):
            walk(top)
    return out


def error_from_response(
    status: int, headers: Any, content: bytes | Any, *, method: str | None = None, url: str | None = None
) -> HTTPStatusError:
    """Build the right :class:`AEPError` subclass from an HTTP error answer."""
    info = parse_error_body(content)
    retry_after = parse_retry_after(headers.get("retry-after") if headers is not None else None)
    if retry_after is None:
        retry_after = info.retry_after
    request_id = request_id_of(headers) or info.request_id
    if status == 400 and is_validation_report(info.report):
        cls: type[HTTPStatusError] = ValidationFailed
    elif status in _BY_STATUS:
        cls = _BY_STATUS[status]
    elif status >= 500:
        cls = ServerError
    else:
        cls = HTTPStatusError
    try:
        parsed_body = orjson.loads(content) if isinstance(content, bytes | bytearray | str) and content else content
    except orjson.JSONDecodeError:
        parsed_body = None
    kwargs: dict[str, Any] = dict(
        status=status, code=info.code, title=info.title, report=info.report, request_id=request_id,
        method=method, url=url, type=info.type, body=parsed_body,
    )
    if cls in (RateLimited, ServiceUnavailable):
        kwargs["retry_after"] = retry_after
    return cls(info.message or f"HTTP {status}", **kwargs)
