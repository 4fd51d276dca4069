"""Schema Registry writes: create / replace / patch / delete of tenant schemas, field groups, classes,
data types and descriptors, with the checks AEP makes.

Error codes (the sandbox's choice where Adobe documents none; the message always names the problem):
``XDM-1000-400`` bad body, ``XDM-1012-404`` not found (spec), ``XDM-1521-400`` invalid resource,
``XDM-1522-400`` unknown ``$ref``, ``XDM-1523-400`` field group not for this class, ``XDM-1524-400``
identity descriptor problem, ``XDM-1525-409`` duplicate title / descriptor, ``XDM-1526-409`` resource
in use, ``XDM-1527-400`` read-only field or removing the ``union`` tag.
"""

from __future__ import annotations

import copy
import secrets
from typing import TYPE_CHECKING, Any

from aep_console.xdm.errors import (
    IncompatibleFieldGroupError,
    SchemaCompositionError,
    TenantNamespaceError,
    UnknownReferenceError,
    XDMError,
)
from aep_console.xdm.resolve import check_tenant_field_group, resolve_schema

from ...http.errors import ApiError, bad_request, xdm_error
from ...http.json_patch import PatchError, apply_patch
from ...storage.store import now_ms
from .resolve import make_lookup, tenant_doc

if TYPE_CHECKING:
    from ...http.gateway import RequestContext
    from ...server.state import SandboxServices

READ_ONLY = (
    "$id",
    "meta:altId",
    "meta:resourceType",
    "meta:containerId",
    "imsOrg",
    "meta:tenantNamespace",
    "meta:registryMetadata",
    "meta:sandboxId",
    "meta:sandboxType",
    "version",
)
DESCRIPTOR_TYPES = {
    "xdm:descriptorIdentity",
    "xdm:alternateDisplayInfo",
    "xdm:descriptorOneToOne",
    "xdm:descriptorReferenceIdentity",
    "xdm:descriptorDeprecated",
    "xdm:descriptorRelationship",
    "xdm:descriptorLabel",
    "xdm:descriptorTimeSeriesGranularity",
    "xdm:descriptorPrimaryKey",
    "xdm:descriptorVersion",
    "xdm:descriptorTimestamp",
}




def invalid(detail: str) -> ApiError:
    return xdm_error(1521, 400, "Invalid XDM resource", detail)


def not_found(ref: str, what: str = "resource") -> ApiError:
    return xdm_error(1012, 404, "Resource Not Found", f"Requested {what} {ref} with version 1 is not found")


def _hex() -> str:
    return secrets.token_hex(24)


def _bump(version: str) -> str:
    major, _, minor = str(version or "1.0").partition(".")
    try:
        return f"{major or 1}.{int(minor or 0) + 1}"
    except ValueError:
        return "1.1"


def _xdm_problem(exc: XDMError) -> ApiError:
    if isinstance(exc, UnknownReferenceError):
        return xdm_error(
            1522,
            400,
            "Unknown reference",
            f"Unknown $ref {exc.ref}"
            + (f" (referenced from {exc.referenced_from})" if exc.referenced_from else "")
            + ": no class, field group, data type or schema with this $id or meta:altId exists",
        )
    if isinstance(exc, IncompatibleFieldGroupError):
        return xdm_error(
            1523,
            400,
            "Incompatible field group",
            f"Field group {exc.field_group} cannot be used with class {exc.class_id}: its "
            f"meta:intendedToExtend is {exc.intended}",
        )
    if isinstance(exc, TenantNamespaceError | SchemaCompositionError):
        return invalid(str(exc))
    return invalid(str(exc))


def resolve_or_raise(services: SandboxServices, ctx: RequestContext, doc: dict) -> dict:
    lookup = make_lookup(services, ctx.org_id, ctx.sandbox, extra={doc["$id"]: doc})
    try:
        if doc.get("meta:resourceType") == "mixins" and doc.get("meta:containerId") == "tenant":
            check_tenant_field_group(doc, ctx.tenant_id)
        return resolve_schema(doc, lookup)
    except XDMError as exc:
        raise _xdm_problem(exc) from None
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise invalid(
            f"The resource cannot be composed: malformed structure ({type(exc).__name__}: {exc})"
        ) from None


# --- resources ----------------------------------------------------------------------------------


def _check_body(kind: str, body: dict, tenant: str) -> None:
    title = body.get("title")
    if not isinstance(title, str) or not title.strip():
        raise invalid("'title' is required and must be a non-empty string")
    if "type" in body and body["type"] != "object":
        raise invalid(f"'type' must be \"object\", found {body['type']!r}")
    all_of = body.get("allOf", [])
    if not isinstance(all_of, list) or not all(isinstance(i, dict) for i in all_of):
        raise invalid("'allOf' must be an array of objects")
    for i, item in enumerate(all_of):
        if "$ref" in item and not isinstance(item["$ref"], str):
            raise invalid(f"allOf[{i}].$ref must be a string")
    for key in ("definitions", "properties"):
        if key in body and not isinstance(body[key], dict):
            raise invalid(f"'{key}' must be an object")
        for name, value in (body.get(key) or {}).items():
            if not isinstance(value, dict):
                raise invalid(
                    f"'{key}/{name}' must be an object (a field or definition), found {type(value).__name__}"
                )
    tags = body.get("meta:immutableTags")
    if tags is not None and (not isinstance(tags, list) or any(t != "union" for t in tags)):
        raise invalid(f'meta:immutableTags must be ["union"] (the only immutable tag), found {tags!r}')
    if kind == "schemas" and not any("$ref" in i for i in all_of):
        raise invalid('A schema needs a class: put {"$ref": "<class $id>"} in \'allOf\'')
    if kind == "mixins":
        ite = body.get("meta:intendedToExtend", [])
        if not isinstance(ite, list) or not all(isinstance(x, str) for x in ite):
            raise invalid("'meta:intendedToExtend' must be an array of class $ids")


def _finish(services: SandboxServices, ctx: RequestContext, kind: str, doc: dict, resolved: dict) -> None:
    if kind == "schemas":
        doc["meta:class"] = resolved.get("meta:class")
        if not doc["meta:class"]:
            raise invalid("A schema needs exactly one class in 'allOf'; none of its references is a class")
        doc["meta:extends"] = resolved.get("meta:extends", [])
        doc["meta:abstract"] = False
        doc["meta:extensible"] = False
    elif kind == "mixins":
        doc.setdefault("meta:intendedToExtend", [])
        doc["meta:abstract"] = True
        doc["meta:extensible"] = True
        doc["meta:extends"] = resolved.get("meta:extends", [])
    elif kind == "classes":
        doc["meta:abstract"] = True
        doc["meta:extensible"] = True
        doc["meta:extends"] = resolved.get("meta:extends", [])
    elif kind == "datatypes":
        doc["meta:extensible"] = True
        doc["meta:abstract"] = True
        doc.setdefault("meta:extends", resolved.get("meta:extends", []))


def _duplicate_title(services, ctx, kind: str, title: str, exclude: str | None = None) -> None:
    for other in services.store.list(ctx.org_id, ctx.sandbox, kind):
        if other.get("title", "").strip().lower() == title.strip().lower() and other["$id"] != exclude:
            raise xdm_error(
                1525,
                409,
                "Resource already exists",
                f"Title must be unique. An object {other['$id']} already exists with the same title "
                f"'{other['title']}'",
            )


def create_resource(services: SandboxServices, ctx: RequestContext, kind: str, body: Any) -> dict:
    if not isinstance(body, dict):
        raise bad_request("xdm", "The request body must be a JSON object")
    _check_body(kind, body, ctx.tenant_id)
    rid = _hex()
    ts = now_ms()
    doc = {k: copy.deepcopy(v) for k, v in body.items() if k not in READ_ONLY}
    doc.update(
        {
            "$id": f"https://ns.adobe.com/{ctx.tenant_id}/{kind}/{rid}",
            "meta:altId": f"_{ctx.tenant_id}.{kind}.{rid}",
            "meta:resourceType": kind,
            "version": "1.0",
            "type": "object",
            "meta:xdmType": body.get("meta:xdmType", "object"),
            "meta:containerId": "tenant",
            "imsOrg": ctx.org_id,
            "meta:tenantNamespace": f"_{ctx.tenant_id}",
            "meta:sandboxId": ctx.sandbox,
            "meta:sandboxType": "production" if ctx.sandbox == "prod" else "development",
            "meta:registryMetadata": {
                # spec: repo:createdDate; tutorial response: repo:createDate (UNCONFIRMED): both
                "repo:createdDate": ts,
                "repo:createDate": ts,
                "repo:lastModifiedDate": ts,
                "xdm:createdClientId": ctx.client_id,
                "xdm:lastModifiedClientId": ctx.client_id,
                "xdm:createdUserId": ctx.user_id,
                "xdm:lastModifiedUserId": ctx.user_id,
                "xdm:repositoryCreatedBy": ctx.user_id,
                "xdm:repositoryLastModifiedBy": ctx.user_id,
                "etag": secrets.token_hex(16),
            },
        }
    )
    resolved = resolve_or_raise(services, ctx, doc)
    _finish(services, ctx, kind, doc, resolved)
    with services.store.transaction():
        _duplicate_title(services, ctx, kind, doc["title"])
        services.store.put(
            ctx.org_id,
            ctx.sandbox,
            kind,
            doc["$id"],
            doc,
            alt_id=doc["meta:altId"],
            name=doc["title"].strip().lower(),
            created=ts,
        )
    services.lookups.schemas_changed(ctx.org_id, ctx.sandbox)
    return doc


def get_tenant(services, ctx, kind: str, ref: str) -> dict:
    doc = tenant_doc(services, ctx.org_id, ctx.sandbox, ref, kinds=(kind,))
    if doc is None:
        raise not_found(ref)
    return doc


def update_resource(
    services: SandboxServices, ctx: RequestContext, kind: str, ref: str, body: Any, *, patch: bool
) -> dict:
    old = get_tenant(services, ctx, kind, ref)
    if patch:
        try:
            new = apply_patch(old, body)
        except PatchError as exc:
            raise bad_request("xdm", f"Invalid JSON Patch: {exc}") from None
        if not isinstance(new, dict):
            raise bad_request("xdm", "The JSON Patch must leave an object")
        for key in ("$id", "meta:altId", "meta:resourceType", "meta:containerId", "imsOrg"):
            if new.get(key) != old.get(key):
                raise xdm_error(1527, 400, "Read-only field", f"'{key}' is read-only and cannot be changed")
    else:
        if not isinstance(body, dict):
            raise bad_request("xdm", "The request body must be a JSON object")
        new = {k: copy.deepcopy(v) for k, v in body.items() if k not in READ_ONLY}
        for key in READ_ONLY:
            if key in old:
                new[key] = copy.deepcopy(old[key])
        new.setdefault("type", "object")
    if "union" in (old.get("meta:immutableTags") or []) and "union" not in (
        new.get("meta:immutableTags") or []
    ):
        raise xdm_error(
            1527,
            400,
            "Immutable tag",
            "meta:immutableTags 'union' cannot be removed once set "
            f"(schema {old['$id']} is enabled for Profile)",
        )
    _check_body(kind, new, ctx.tenant_id)
    new["version"] = _bump(old.get("version", "1.0"))
    meta = dict(old.get("meta:registryMetadata") or {})
    meta.update(
        {
            "repo:lastModifiedDate": now_ms(),
            "xdm:lastModifiedClientId": ctx.client_id,
            "xdm:lastModifiedUserId": ctx.user_id,
            "xdm:repositoryLastModifiedBy": ctx.user_id,
            "etag": secrets.token_hex(16),
        }
    )
    new["meta:registryMetadata"] = meta
    resolved = resolve_or_raise(services, ctx, new)
    _finish(services, ctx, kind, new, resolved)
    with services.store.transaction():
        _duplicate_title(services, ctx, kind, new["title"], exclude=old["$id"])
        services.store.put(
            ctx.org_id,
            ctx.sandbox,
            kind,
            old["$id"],
            new,
            alt_id=new["meta:altId"],
            name=new["title"].strip().lower(),
        )
        if kind != "schemas":  # dependants must still compose
            _check_dependants(services, ctx, old["$id"])
    services.lookups.schemas_changed(ctx.org_id, ctx.sandbox)
    return new


def _uses(doc: dict, rid: str, alt: str | None) -> bool:
    text = __import__("orjson").dumps(doc).decode()
    return f'"{rid}"' in text or bool(alt and f'"{alt}"' in text)


def _dependants(services, ctx, rid: str, alt: str | None) -> list[dict]:
    out = []
    for kind in ("schemas", "mixins", "classes", "datatypes"):
        out += [
            d
            for d in services.store.list(ctx.org_id, ctx.sandbox, kind)
            if d["$id"] != rid and _uses(d, rid, alt)
        ]
    return out


def _check_dependants(services, ctx, rid: str) -> None:
    lookup = make_lookup(services, ctx.org_id, ctx.sandbox)
    for dep in _dependants(services, ctx, rid, None):
        try:
            resolve_schema(dep, lookup)
        except XDMError as exc:
            raise invalid(f"The change would break {dep['$id']} ('{dep.get('title')}'): {exc}") from None


def delete_resource(services: SandboxServices, ctx: RequestContext, kind: str, ref: str) -> None:
    doc = get_tenant(services, ctx, kind, ref)
    with services.store.transaction():
        deps = _dependants(services, ctx, doc["$id"], doc.get("meta:altId"))
        if deps:
            raise xdm_error(
                1526,
                409,
                "Resource in use",
                f"{doc['$id']} is referenced by "
                + ", ".join(f"{d['$id']} ('{d.get('title')}')" for d in deps[:5]),
            )
        if kind == "schemas":
            datasets = [
                ds_id
                for ds_id, d in services.store.list_items(ctx.org_id, ctx.sandbox, "dataset")
                if (d.get("schemaRef") or {}).get("id") in (doc["$id"], doc.get("meta:altId"))
            ]
            if datasets:
                raise xdm_error(
                    1526,
                    409,
                    "Resource in use",
                    f"Schema {doc['$id']} is used by dataset(s) {', '.join(datasets)}",
                )
            for desc in services.store.list(ctx.org_id, ctx.sandbox, "descriptor", ref=doc["$id"]):
                services.store.delete(ctx.org_id, ctx.sandbox, "descriptor", desc["@id"])
        services.store.delete(ctx.org_id, ctx.sandbox, kind, doc["$id"])
    services.lookups.schemas_changed(ctx.org_id, ctx.sandbox)
