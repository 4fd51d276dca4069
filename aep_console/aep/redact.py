"""The one place that redacts secrets (client secret, access tokens, passwords) from what is
recorded: request/response headers, URLs, bodies (JSON, form-encoded, text) and free text.

The history service, logs, crash reports and ``copy as curl`` all go through these functions.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson

REDACTED = "***REDACTED***"
TOKEN_PLACEHOLDER = "${ACCESS_TOKEN}"

SENSITIVE_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-client-secret", "x-access-token"}
)
SENSITIVE_KEYS = frozenset(
    {
        "client_secret", "clientsecret", "secret", "access_token", "accesstoken", "refresh_token",
        "id_token", "password", "passwd", "jwt_token", "jwt", "private_key", "privatekey", "token",
        "api_secret", "client_secrets",
    }
)
_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]+")
_KV = re.compile(
    r"(?i)(\"?(?:client_secret|access_token|refresh_token|id_token|password|jwt_token|private_key)\"?"
    r"\s*[:=]\s*\"?)([^\"&\s,}]+)"
)
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b")

# Fast path: the patterns above (and the sensitive JSON keys) cannot match a text that holds none of
# these words in any letter case, so such a text (most streaming batches) skips them. One cheap
# lower-case scan replaces three regex passes. ``(?i)`` in ``re`` also matches four non-ASCII letters
# to ASCII ones (İ ı ſ K), and ``str.lower`` turns two of them into ASCII: those are mapped first.
# Every pattern needs one of them: bearer → "bearer"; _KV → "secret", "token", "passw", "private";
# _JWT → "eyj"; is_sensitive_key → "secret", "token", "passw", "jwt", "private".
_HINTS = ("secret", "token", "passw", "private", "bearer", "eyj", "jwt")
_ASCII_FOLDS = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def may_hold_secret(text: str) -> bool:
    """False only when no redaction pattern or sensitive key can match ``text`` (then it is safe to skip
    them); True means "look closer"."""
    low = text.lower() if text.isascii() else text.translate(_ASCII_FOLDS).lower()
    return any(word in low for word in _HINTS)


def is_sensitive_key(key: str) -> bool:
    k = key.lower().replace("-", "_")
    return k in SENSITIVE_KEYS or k.endswith("_secret") or k.endswith("_token") or k.endswith("password")


def redact_text(text: str | None, values: Iterable[str | None] = ()) -> str | None:
    """Scrub bearer tokens, ``key=value``/``"key": "value"`` secrets, JWTs and the given literal values."""
    if not text:
        return text
    for value in values:
        if value and len(value) >= 4:
            text = text.replace(value, REDACTED)
    if not may_hold_secret(text):
        return text
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _KV.sub(lambda m: m.group(1) + REDACTED, text)
    return _JWT.sub(REDACTED, text)


def redact_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]] | None,
                   values: Iterable[str | None] = ()) -> dict[str, str]:
    items = headers.items() if isinstance(headers, Mapping) else (headers or ())
    out: dict[str, str] = {}
    values = tuple(values)
    for name, value in items:
        lname = name.lower()
        if lname in SENSITIVE_HEADERS:
            scheme = value.split(" ", 1)[0] if lname.endswith("authorization") and " " in value else ""
            out[lname] = f"{scheme} {REDACTED}".strip()
        else:
            out[lname] = redact_text(value, values) or value
    return out


def redact_url(url: str, values: Iterable[str | None] = ()) -> str:
    parts = urlsplit(url)
    if not parts.query:
        return redact_text(url, values) or url
    query = [(k, REDACTED if is_sensitive_key(k) else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return redact_text(urlunsplit(parts._replace(query=urlencode(query, safe=":/,@${}"))), values) or url


def redact_json(value: Any) -> Any:
    """A copy of a JSON value with sensitive keys' values replaced."""
    if isinstance(value, dict):
        return {k: (REDACTED if isinstance(k, str) and is_sensitive_key(k) and v not in (None, "")
                    else redact_json(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_json(v) for v in value]
    return value


def redact_body(body: bytes | str | None, content_type: str | None = None,
                values: Iterable[str | None] = (), limit: int | None = None) -> str | None:
    """The body as redacted text, cut to ``limit`` characters first when given (so a 1 MB
    streaming batch costs no more than ``limit`` to redact); a cut body is marked as truncated."""
    if body is None or body == b"" or body == "":
        return None
    values = tuple(values)
    ctype = (content_type or "").lower()
    size = len(body)
    truncated = limit is not None and size > limit
    if isinstance(body, bytes | bytearray):
        raw = bytes(body[:limit]) if truncated else bytes(body)
        try:
            text = raw.decode("utf-8", "ignore" if truncated else "strict")
        except UnicodeDecodeError:
            return f"<{size} bytes of binary data>"
    else:
        text = body[:limit] if truncated else body
    if "x-www-form-urlencoded" in ctype:
        pairs = parse_qsl(text, keep_blank_values=True)
        text = urlencode([(k, REDACTED if is_sensitive_key(k) else v) for k, v in pairs], safe=":/,@")
    elif not truncated and ("json" in ctype or text[:1] in ("{", "[")) and (
            "\\u" in text or may_hold_secret(text)):  # a key written with \u escapes is looked at too
        with contextlib.suppress(orjson.JSONDecodeError):
            text = orjson.dumps(redact_json(orjson.loads(text))).decode()
    text = redact_text(text, values) or text
    if truncated:
        text += f"… [truncated, {size} bytes in all]"
    return text


def curl_command(method: str, url: str, headers: Mapping[str, str], body: str | None) -> str:
    """A ``curl`` line for a recorded (already redacted) exchange, the token as a placeholder."""
    def q(s: str) -> str:
        return "'" + s.replace("'", "'\\''") + "'"

    parts = ["curl", "-X", method.upper(), q(url)]
    for name, value in headers.items():
        if name.lower() == "authorization":
            # double quotes: the shell expands the placeholder (single quotes would send it verbatim)
            parts += ["-H", f'"{name}: Bearer {TOKEN_PLACEHOLDER}"']
            continue
        if REDACTED in value:
            continue
        parts += ["-H", q(f"{name}: {value}")]
    if body:
        parts += ["--data-raw", q(body)]
    return " ".join(parts)
