"""Set-up workflows (each a transaction, see ``transaction.py``):

- profile schema: tenant field group → schema (class + field groups + tenant group) → primary
  identity descriptor → union tag (enable for Profile);
- event schema: the same on XDM ExperienceEvent;
- dataset with the Profile and Identity tags;
- streaming connection: the tutorial's connection, or the HTTP API route base → source → target → flow;
- the whole loyalty tutorial at once.

    wf = SetupWorkflows(session, on_progress=lambda ev: print(ev.step.name, ev.status))
    report = await wf.profile_schema(loyalty_profile_spec("Loyalty profiles"))
    report.ok, report.outputs["schema_id"], report.summary()
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from ..aep.models import IdentityDescriptor
from .transaction import ProgressCallback, SetupReport, Transaction

PROFILE_CLASS = "https://ns.adobe.com/xdm/context/profile"
EVENT_CLASS = "https://ns.adobe.com/xdm/context/experienceevent"
PERSON_DETAILS = "https://ns.adobe.com/xdm/context/profile-person-details"
PERSONAL_DETAILS = "https://ns.adobe.com/xdm/context/profile-personal-details"
XED_FULL = "application/vnd.adobe.xed-full+json;version=1"
ROUTES = ("tutorial", "http-api")


@dataclass
class SchemaSpec:
    """What a schema workflow creates. ``tenant_fields``: name → XDM property, under ``_{tenant}``."""

    title: str
    class_id: str = PROFILE_CLASS
    field_groups: list[str] = field(default_factory=list)
    tenant_group_title: str | None = None
    tenant_fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    identity_field: str | None = None  # under the tenant object, e.g. "loyaltyID"; or an absolute "/a/b"
    identity_namespace: str = "Email"
    union: bool = True
    description: str = ""
    tenant_required: list[str] = field(default_factory=list)  # tenant fields every record must carry

    def identity_path(self, tenant: str) -> str | None:
        if not self.identity_field:
            return None
        if self.identity_field.startswith("/"):
            return self.identity_field
        return f"/_{tenant}/{self.identity_field}"


def loyalty_profile_spec(title: str = "Loyalty members") -> SchemaSpec:
    """The tutorial's profile schema: person + personal details + the tenant loyalty fields."""
    return SchemaSpec(
        title=title, class_id=PROFILE_CLASS, field_groups=[PERSON_DETAILS, PERSONAL_DETAILS],
        tenant_group_title=f"{title} loyalty details",
        tenant_fields={
            "loyaltyID": {"type": "string", "title": "Loyalty ID", "description": "Loyalty member e-mail"},
            "totalLoyaltyPoints": {"type": "integer", "title": "Total loyalty points"},
            "loyaltyLevel": {"type": "string", "title": "Loyalty level"},
        },
        identity_field="loyaltyID", identity_namespace="Email",
    )


def loyalty_event_spec(title: str = "Loyalty events") -> SchemaSpec:
    return SchemaSpec(
        title=title, class_id=EVENT_CLASS, field_groups=[],
        tenant_group_title=f"{title} loyalty details",
        tenant_fields={
            "loyaltyID": {"type": "string", "title": "Loyalty ID"},
            "pointsEarned": {"type": "integer", "title": "Points earned"},
            "totalPoints": {"type": "integer", "title": "Total points"},
            "loyaltyLevel": {"type": "string", "title": "Loyalty level"},
        },
        identity_field="loyaltyID", identity_namespace="Email",
    )


def tenant_fieldgroup_body(title: str, tenant: str, class_id: str, fields: dict[str, dict[str, Any]],
                           description: str = "", required: list[str] | None = None) -> dict[str, Any]:
    tenant_object: dict[str, Any] = {"type": "object", "properties": fields}
    if required:
        tenant_object["required"] = list(required)
    return {
        "type": "object", "title": title, "description": description or title,
        "meta:intendedToExtend": [class_id],
        "definitions": {"tenantFields": {"properties": {f"_{tenant}": tenant_object}}},
        "allOf": [{"$ref": "#/definitions/tenantFields"}],
    }


class SetupWorkflows:
    def __init__(self, session: Any, *, tenant_id: str | None = None,
                 on_progress: ProgressCallback | None = None) -> None:
        self.session = session
        self._tenant = tenant_id
        self.on_progress = on_progress

    async def tenant_id(self) -> str:
        if not self._tenant:
            self._tenant = await self.session.schemas.tenant_id()
        return self._tenant

    # --- building blocks (each adds steps to a running transaction) -----------------------------
    async def _schema_steps(self, tx: Transaction, spec: SchemaSpec, prefix: str = "") -> str:
        s = self.session.schemas
        tenant = await self.tenant_id()
        existing = await s.find_by_title("schemas", spec.title, "tenant")
        if existing is not None:
            raise ValueError(f"a schema titled {spec.title!r} already exists ({existing.id}); choose another title")
        refs = [spec.class_id, *spec.field_groups]
        fg_title = spec.tenant_group_title or f"{spec.title} fields"
        path = spec.identity_path(tenant)
        # announce every step first, so a progress view lists them all
        p_fg = tx.plan(f"Create field group {fg_title!r}", "fieldgroup") if spec.tenant_fields else None
        p_schema = tx.plan(f"Create schema {spec.title!r}", "schema")
        p_desc = tx.plan(f"Mark {path} as primary identity ({spec.identity_namespace})", "descriptor") if path else None
        p_union = tx.plan(f"Enable {spec.title!r} for Profile (union tag)", "union") if spec.union else None
        if p_fg is not None:
            body = tenant_fieldgroup_body(fg_title, tenant, spec.class_id, spec.tenant_fields,
                                          required=spec.tenant_required)
            fg = await tx.step(p_fg.name, "fieldgroup", lambda: s.create_fieldgroup(body), planned=p_fg,
                               resource_id=lambda r: r["$id"], undo=lambda r: s.delete_fieldgroup(r["$id"]))
            tx.output(f"{prefix}fieldgroup_id", fg["$id"])
            refs.append(fg["$id"])
        body = {"type": "object", "title": spec.title, "description": spec.description or spec.title,
                "allOf": [{"$ref": r} for r in refs]}
        schema = await tx.step(p_schema.name, "schema", lambda: s.create_schema(body), planned=p_schema,
                               resource_id=lambda r: r["$id"], undo=lambda r: s.delete_schema(r["$id"]))
        schema_id = schema["$id"]
        tx.output(f"{prefix}schema_id", schema_id)
        if schema.get("meta:altId"):
            tx.output(f"{prefix}schema_alt_id", schema["meta:altId"])
        if p_desc is not None:
            desc = IdentityDescriptor.model_validate({
                "xdm:sourceSchema": schema_id, "xdm:sourceVersion": 1, "xdm:sourceProperty": path,
                "xdm:namespace": spec.identity_namespace, "xdm:property": "xdm:code", "xdm:isPrimary": True})
            created = await tx.step(p_desc.name, "descriptor", lambda: s.create_descriptor(desc), planned=p_desc,
                                    resource_id=lambda d: d.id, undo=lambda d: s.delete_descriptor(d.id))
            tx.output(f"{prefix}descriptor_id", created.id)
        if p_union is not None:
            await tx.step(p_union.name, "union", lambda: s.enable_for_profile(schema_id), planned=p_union,
                          resource_id=lambda _: schema_id)
        return schema_id

    async def _dataset_steps(self, tx: Transaction, name: str, schema_id: str, *, profile: bool,
                             prefix: str = "") -> str:
        c = self.session.catalog
        existing = await c.find_dataset(name)
        if existing is not None:
            raise ValueError(f"a dataset named {name!r} already exists ({existing.id}); choose another name")
        tags = "Profile and Identity enabled" if profile else "not enabled for Profile"
        ds = await tx.step(f"Create dataset {name!r} ({tags})", "dataset",
                           lambda: c.create_dataset(name, schema_id, profile=profile, identity=profile),
                           resource_id=lambda i: i, undo=lambda i: c.delete_dataset(i))
        tx.output(f"{prefix}dataset_id", ds)
        return ds

    async def _connection_steps(self, tx: Transaction, name: str, route: str,
                                targets: list[tuple[str, str | None, str | None]]) -> str:
        """The streaming connection; for the HTTP API route also, per target ``(prefix, dataset_id,
        schema_id)``, its own source connection → target connection → dataflow on the one base
        connection (aep-api.md §5.2: a dataflow joins one source and one target connection, and a
        message names its dataflow in ``header.flowId``)."""
        if route not in ROUTES:
            raise ValueError(f"unknown connection route {route!r} (one of {', '.join(ROUTES)})")
        f = self.session.flows
        legacy = route == "tutorial"
        if not legacy and not (targets and all(ds and schema for _, ds, schema in targets)):
            raise ValueError("the HTTP API route needs a dataset and its schema")
        base = await tx.step(f"Create streaming connection {name!r}" + (" (tutorial)" if legacy else ""),
                             "connection", lambda: f.create_streaming_connection(name, legacy=legacy),
                             resource_id=lambda r: r.id, undo=lambda r: f.delete_connection(r.id))
        tx.output("base_connection_id", base.id)
        conn = await tx.step("Read the connection's inlet (CONNECTION_ID)", "lookup",
                             lambda: f.get_connection(base.id), resource_id=lambda c: c.inlet_id)
        if not conn.inlet_id:
            raise ValueError(f"connection {base.id} has no inletId in auth.params")
        tx.output("connection_id", conn.inlet_id)
        tx.output("inlet_url", conn.inlet_url)
        if not legacy:
            for prefix, dataset_id, schema_id in targets:
                await self._dataflow_steps(tx, name, base.id, dataset_id, schema_id, prefix)
        return conn.inlet_id

    async def _dataflow_steps(self, tx: Transaction, name: str, base_id: str, dataset_id: str, schema_id: str,
                              prefix: str = "") -> str:
        """source connection → target connection (data lake) → dataflow, for one dataset."""
        f = self.session.flows
        label = prefix.rstrip("_")
        of = f" ({label})" if label else ""
        title = f"{name} {label}".rstrip()

        def created(kind: str, step: str, action: Callable[[], Awaitable[Any]], collection: str):
            return tx.step(f"{step}{of}", kind, action, resource_id=lambda r: r.id,
                           undo=lambda r: f.delete(collection, r.id))

        src = await created("sourceConnection", "Create source connection",
                            lambda: f.create_source_connection(f"{title} source", base_id), "sourceConnections")
        tx.output(f"{prefix}source_connection_id", src.id)
        tgt = await created("targetConnection", f"Create target connection to dataset {dataset_id}",
                            lambda: f.create_target_connection(f"{title} target", dataset_id, schema_id),
                            "targetConnections")
        tx.output(f"{prefix}target_connection_id", tgt.id)
        flow = await created("flow", "Create dataflow",
                             lambda: f.create_flow(f"{title} dataflow", [src.id], [tgt.id]), "flows")
        tx.output(f"{prefix}flow_id", flow.id)
        return flow.id

    # --- workflows ------------------------------------------------------------------------------
    async def profile_schema(self, spec: SchemaSpec | None = None) -> SetupReport:
        spec = spec or loyalty_profile_spec()
        async with Transaction(f"Profile schema {spec.title!r}", self.on_progress) as tx:
            await self._schema_steps(tx, spec)
        return tx.report

    async def event_schema(self, spec: SchemaSpec | None = None) -> SetupReport:
        spec = spec or loyalty_event_spec()
        if spec.class_id == PROFILE_CLASS:
            spec.class_id = EVENT_CLASS
        async with Transaction(f"Event schema {spec.title!r}", self.on_progress) as tx:
            await self._schema_steps(tx, spec)
        return tx.report

    async def dataset(self, name: str, schema_id: str, *, profile: bool = True) -> SetupReport:
        async with Transaction(f"Dataset {name!r}", self.on_progress) as tx:
            await self._dataset_steps(tx, name, schema_id, profile=profile)
        return tx.report

    async def streaming_connection(self, name: str, *, route: str = "tutorial", dataset_id: str | None = None,
                                   schema_id: str | None = None) -> SetupReport:
        async with Transaction(f"Streaming connection {name!r} ({route})", self.on_progress) as tx:
            await self._connection_steps(tx, name, route, [("", dataset_id, schema_id)])
        return tx.report

    async def loyalty_tutorial(self, prefix: str = "Loyalty", *, route: str = "tutorial") -> SetupReport:
        """Everything the tutorial needs: both schemas, both datasets, one streaming connection.

        Outputs: ``profile_schema_id``, ``event_schema_id``, ``profile_dataset_id``, ``event_dataset_id``,
        ``connection_id``, ``base_connection_id``, ``inlet_url``; for the HTTP API route also a dataflow
        per dataset: ``profile_flow_id``/``event_flow_id`` (+ ``{profile,event}_source_connection_id`` and
        ``{profile,event}_target_connection_id``). Records of each dataset must carry their own flow id."""
        async with Transaction(f"Loyalty tutorial set-up {prefix!r}", self.on_progress) as tx:
            ps = await self._schema_steps(tx, loyalty_profile_spec(f"{prefix} members"), "profile_")
            es = await self._schema_steps(tx, loyalty_event_spec(f"{prefix} events"), "event_")
            pd = await self._dataset_steps(tx, f"{prefix} members dataset", ps, profile=True, prefix="profile_")
            ed = await self._dataset_steps(tx, f"{prefix} events dataset", es, profile=True, prefix="event_")
            await self._connection_steps(tx, f"{prefix} streaming", route,
                                         [("profile_", pd, ps), ("event_", ed, es)])
        return tx.report
