"""The Schema Registry's Accept rules (../shared/aep-openapi/schema-registry.yaml, aep-api.md §2).

- lookups (``GET /{container}/{kind}/{id}``): ``application/vnd.adobe.{xed|xdm}[-full][-notext][-desc]
  [-deprecatefield]+json; version=1`` — no version → 400 ``XDM-1007-400``; a version other than 1 (1.x) →
  406; an unknown/missing type → 406.
- listings: ``application/vnd.adobe.{xed|xdm}[-id]+json``; a ``version`` parameter or any other type →
  400 ``XDM-1006-400`` (as in the spec's example). A missing Accept or ``*/*`` lists the summary form.
- descriptors list: ``application/vnd.adobe.xdm[-v2][-id|-link]+json`` else ``XDM-1008-400``;
  descriptor lookup: ``application/vnd.adobe.xdm+json`` else ``XDM-1009-400`` (missing Accept → default).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...http.errors import ApiError, xdm_error

_VND = re.compile(r"^application/vnd\.adobe\.(xed|xdm)(-[a-z0-9-]+)?\+json$")
_LOOKUP_FLAGS = {"full", "notext", "desc", "deprecatefield"}


@dataclass(frozen=True)
class LookupFormat:
    full: bool = False
    notext: bool = False
    desc: bool = False
    raw: str = ""


def _split(accept: str) -> tuple[str, dict[str, str]]:
    first = accept.split(",")[0]
    parts = [p.strip() for p in first.split(";")]
    params = {}
    for p in parts[1:]:
        if "=" in p:
            k, _, v = p.partition("=")
            params[k.strip().lower()] = v.strip().strip('"')
    return parts[0].lower(), params


def lookup_format(accept: str | None) -> LookupFormat:
    raw = (accept or "").strip()
    mtype, params = _split(raw)
    m = _VND.match(mtype)
    if not m:
        raise ApiError(
            406,
            _not_acceptable(
                raw or "(none)",
                "a lookup needs an Accept value like application/vnd.adobe.xed-full+json; version=1",
            ).body,
        )
    version = params.get("version")
    if not version:
        msg = (
            f"The supplied Accept header is not valid: {raw} - A valid Accept value should look like "
            "application/vnd.adobe.'{xed|xdm'}+json; version=1 (Version should be specified)"
        )
        raise xdm_error(1007, 400, "Accept header invalid", msg)
    flags = set(filter(None, (m.group(2) or "").lstrip("-").split("-")))
    unknown = flags - _LOOKUP_FLAGS
    if unknown:
        raise ApiError(406, _not_acceptable(raw, f"unknown format option(s) {sorted(unknown)}").body)
    if version.split(".")[0] != "1":
        raise ApiError(
            406,
            _not_acceptable(raw, f"version {version} is not available (only major version 1 exists)").body,
        )
    return LookupFormat(full="full" in flags, notext="notext" in flags, desc="desc" in flags, raw=raw)


def _not_acceptable(raw: str, why: str) -> ApiError:
    return xdm_error(
        1010,
        406,
        "Not Acceptable",
        f"The requested Accept format {raw} is not available for this resource: {why}",
    )


def list_format(accept: str | None) -> str:
    """ "id" (summary) or "full"."""
    raw = (accept or "").strip()
    if not raw or raw == "*/*":
        return "id"
    mtype, params = _split(raw)
    m = _VND.match(mtype)
    if m and "version" not in params and (m.group(2) or "") in ("", "-id"):
        return "id" if m.group(2) == "-id" else "full"
    msg = (
        f"The supplied Accept header is not valid: {raw} - A valid Accept value should look like "
        "application/vnd.adobe.'{xed|xdm'}+json"
    )
    raise xdm_error(1006, 400, "Accept header invalid", msg)


def descriptor_list_format(accept: str | None) -> str:
    """ "id", "link" or "full" (with a "v2-" prefix for the paged form)."""
    raw = (accept or "").strip()
    if not raw or raw == "*/*":
        return "id"
    mtype, params = _split(raw)
    m = re.match(r"^application/vnd\.adobe\.xdm(-v2)?(-id|-link)?\+json$", mtype)
    if m and "version" not in params:
        kind = (m.group(2) or "-full").lstrip("-")
        return ("v2-" if m.group(1) else "") + kind
    msg = (
        f"The supplied Accept header is not valid: {raw} - A valid Accept value should look like "
        "application/vnd.adobe.xdm-id+json"
    )
    raise xdm_error(1008, 400, "Accept header invalid", msg)


def descriptor_lookup_format(accept: str | None) -> None:
    raw = (accept or "").strip()
    if not raw or raw == "*/*":
        return
    mtype, params = _split(raw)
    if mtype == "application/vnd.adobe.xdm+json" and params.get("version", "1").split(".")[0] == "1":
        return
    msg = (
        f"The supplied Accept header is not valid: {raw} - A valid Accept value should look like "
        "application/vnd.adobe.xdm+json"
    )
    raise xdm_error(1009, 400, "Accept header invalid", msg)


def strip_text(node, *, keep_descriptions: bool = False):
    """The ``-notext`` form: no ``title``/``description`` anywhere (``-desc`` keeps descriptions)."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if isinstance(v, str) and (k == "title" or (k == "description" and not keep_descriptions)):
                continue
            out[k] = strip_text(v, keep_descriptions=keep_descriptions)
        return out
    if isinstance(node, list):
        return [strip_text(v, keep_descriptions=keep_descriptions) for v in node]
    return node
