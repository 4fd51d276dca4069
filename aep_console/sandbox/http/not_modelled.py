"""Documented AEP calls that the local sandbox does not model: ``501`` with an AEP-style problem naming the
feature, never a 404 "no such resource or API" or a 405 that would blame the caller's path or method.

The table lists, per mount, every path and method of Adobe's OpenAPI files for the tutorial's services
that no handler serves (``scripts/route_table.py`` prints the whole surface; the route-table test asserts
that nothing documented is missing). Its routes go in front of the service's own, so a literal path here
(``/rpc/export/{id}``) wins over a service's generic pattern (``/{container}/{kind}/{id}``); a path whose
other methods are modelled keeps them, since a route matches on method too.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from .errors import problem

SCHEMA_REGISTRY = "/platform/data/foundation/schemaregistry"
CATALOG = "/platform/data/foundation/catalog"
FLOW_SERVICE = "/platform/data/foundation/flowservice"
PROFILE = "/platform/data/core/ups"
COMPUTED_ATTRIBUTES = "/platform/data/core/ca"
IDENTITY_GRAPH = "/platform/data/core/identity"
IDENTITY_NAMESPACES = "/platform/data/core/idnamespace"

# mount -> (AEP error family, [(path, methods, feature)])
NOT_MODELLED: dict[str, tuple[str, list[tuple[str, tuple[str, ...], str]]]] = {
    SCHEMA_REGISTRY: ("XDM", [
        ("/rpc/export/{id}", ("GET",), "exporting schema resources (sandbox tooling)"),
        ("/rpc/import", ("POST",), "importing schema resources (sandbox tooling)"),
        ("/rpc/auditlog/{id}", ("GET",), "the audit log of schema resources"),
    ]),
    CATALOG: ("CAT", [
        ("/", ("GET", "POST"), "Catalog batched requests"),
        ("/batches", ("POST",), "creating batches (batch ingestion)"),
        ("/batches/uniques/{field}", ("GET",), "unique values of batch fields"),
        ("/batches/{id}", ("PUT", "POST", "PATCH", "DELETE"), "changing batches (batch ingestion)"),
        ("/dataSets/{id}/credentials", ("GET",), "data lake (ADLS) credentials of a dataset"),
        ("/tags/{namespace}", ("GET",), "Catalog tag aggregation (deprecated)"),
    ]),
    FLOW_SERVICE: ("FLOW", [
        ("/connections/{id}/test", ("GET",), "testing a source's credentials"),
        ("/connections/{id}/explore", ("GET",), "exploring a source's objects"),
        ("/connections/{id}/configs", ("GET",), "a connection's configuration options"),
        ("/connections/{id}/action", ("POST",), "connection actions"),
        ("/connections/search", ("POST",), "searching connections"),
        ("/connectionSpecs", ("POST",), "creating connection specs (self-serve sources)"),
        ("/connectionSpecs/{id}", ("PUT",), "changing connection specs (self-serve sources)"),
        ("/connectionSpecs/{id}/explore", ("GET",), "exploring a connection spec's objects"),
        ("/connectionSpecs/{id}/configs", ("GET",), "a connection spec's configuration options"),
        ("/flows/search", ("POST",), "searching dataflows"),
        ("/flowSpecs", ("POST",), "creating flow specs (self-serve sources)"),
        ("/flowSpecs/{id}", ("PUT",), "changing flow specs (self-serve sources)"),
        ("/flowSpecs/search", ("POST",), "searching flow specs"),
        ("/runs", ("GET", "POST"), "dataflow runs (batch sources)"),
        ("/runs/{id}", ("GET", "PUT"), "dataflow runs (batch sources)"),
        ("/runs/{id}/action", ("POST",), "dataflow run actions (batch sources)"),
        ("/sourceConnections/{id}/action", ("POST",), "source connection actions"),
        ("/targetConnections/{id}/action", ("POST",), "target connection actions"),
    ]),
    PROFILE: ("UPS", [
        ("/config/mergePolicies", ("POST",), "creating merge policies (one default policy per sandbox)"),
        ("/config/mergePolicies/{id}", ("PUT", "PATCH", "DELETE"), "changing merge policies"),
        ("/config/mergePolicies/bulk-get", ("POST",), "reading merge policies in bulk"),
        ("/system/jobs", ("GET", "POST"), "Profile system jobs (deleting Profile datasets)"),
        ("/system/jobs/{id}", ("GET", "DELETE"), "Profile system jobs (deleting Profile datasets)"),
        ("/previewsamplestatus", ("GET",), "the Profile preview sample status"),
        ("/previewsamplestatus/report/dataset", ("GET",), "the Profile dataset overlap report"),
        ("/previewsamplestatus/report/namespace", ("GET",), "the Profile namespace overlap report"),
    ]),
    COMPUTED_ATTRIBUTES: ("UPS", [
        ("/attributes", ("GET", "POST"), "computed attributes"),
        ("/attributes/{id}", ("GET", "PATCH", "DELETE"), "computed attributes"),
    ]),
    IDENTITY_GRAPH: ("IDS", [
        ("/identity", ("GET",), "identity XID lookup"),
        ("/v2/graph", ("POST",), "the identity graph API"),
        ("/cluster/members", ("GET",), "identity cluster members"),
        ("/clusters/members", ("POST",), "identity cluster members"),
    ]),
    IDENTITY_NAMESPACES: ("IDS", [
        ("/identities/{id}", ("PUT",), "changing identity namespaces"),
    ]),
}


def _answer(family: str, feature: str):
    async def not_modelled(request: Request):
        raise problem(family, 1501, 501, "Not Implemented",
                      f"{request.method} {request.url.path}: not modelled by the local sandbox: {feature}")

    return not_modelled


def routes(mount: str) -> list[Route]:
    """The 501 routes of one mount (empty when everything documented there is modelled)."""
    family, entries = NOT_MODELLED.get(mount, ("", []))
    return [Route(path, _answer(family, feature), methods=list(methods)) for path, methods, feature in entries]
