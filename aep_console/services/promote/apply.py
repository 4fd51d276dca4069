"""Apply a reviewed plan to its target as one transaction (``services/transaction.py``): every
create is a step with its undo; when the target refuses one, what this run created is removed
again in reverse order. Nothing runs when the plan has conflicts, or when it
holds irreversible steps (Profile enablement, new identity namespaces) the caller did not accept.

    report = await apply_plan(target_session, plan, accept_irreversible=True, on_progress=print)
    report.ok, report.outputs[source_id]  # → the id of that resource in the target
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ...aep.identity import ID_TYPES
from ..transaction import ProgressCallback, SetupReport, Transaction
from .bundle import Resource
from .content import FLOW_COLLECTION, REGISTRY_COLLECTION, REGISTRY_KINDS, PromoteError, normalise
from .plan import CONFLICT, CREATE, IDENTICAL, PROFILE, Plan, PlanItem
from .rewrite import Rewriter

DISABLED = {"unifiedProfile": ["enabled:false"], "unifiedIdentity": ["enabled:false"]}


class PromoteRefused(PromoteError):
    """The plan cannot be applied as it stands (nothing was written)."""


def check_applicable(plan: Plan, *, accept_irreversible: bool, overwrite: bool = False) -> None:
    blockers = plan.blockers_for(overwrite=overwrite)
    if blockers:
        hint = "" if overwrite or len(blockers) > len(plan.updatable) else (
            " (or overwrite them with the source's version)")
        raise PromoteRefused(
            f"the plan has {len(blockers)} conflicting resource(s); resolve them first{hint}: "
            + "; ".join(f"{i.action} {i.label}" + (f" ({len(i.diff)} field(s) differ)" if i.diff else "")
                        for i in blockers))
    if plan.irreversible and not accept_irreversible:
        raise PromoteRefused("the plan holds irreversible steps (" + "; ".join(
            f"{i.label}: {i.note}" for i in plan.irreversible) + "); accept them to apply")


async def apply_plan(session: Any, plan: Plan, *, accept_irreversible: bool = False, overwrite: bool = False,
                     on_progress: ProgressCallback | None = None) -> SetupReport:
    """Raises ``PromoteRefused`` before writing anything; otherwise the report says what happened.
    ``overwrite``: conflicting field groups, data types, classes, schemas and descriptors are replaced
    with the source's version (and put back as they were when a later step fails)."""
    check_applicable(plan, accept_irreversible=accept_irreversible, overwrite=overwrite)
    bundle, target = plan.bundle, plan.target
    rw = Rewriter(bundle.tenant, target["tenant_id"], bundle.source["org_id"], target["org_id"])
    run = _Run(session, rw)
    async with Transaction(f"Promote to {target['org_id']}/{target['sandbox']}", on_progress) as tx:
        run.tx = tx
        updates = plan.updatable if overwrite else []
        for item in plan.items:
            if (item.action == IDENTICAL or item in updates) and item.kind != PROFILE and item.resource is not None:
                run.found(item)
        todo = [(item, tx.plan(_step_name(item), item.kind)) for item in plan.items
                if item.action == CREATE or item in updates]
        for item, step in todo:
            await (run.update(item, step) if item.action == CONFLICT else run.create(item, step))
    return tx.report


def _step_name(item: PlanItem) -> str:
    if item.action == CONFLICT:
        return f"Update {item.kind} {item.title!r} ({len(item.diff)} field(s) from the source)"
    if item.kind == PROFILE:
        return f"Enable {item.resource.kind if item.resource else ''} {item.title!r} for Profile".replace("  ", " ")
    return f"Create {item.kind} {item.title!r}"


class _Run:
    def __init__(self, session: Any, rw: Rewriter) -> None:
        self.s = session
        self.rw = rw
        self.tx: Transaction | None = None

    def _map(self, res: Resource, target_id: str, alt_id: str | None = None, inlet: str | None = None) -> None:
        self.rw.ids[res.id] = target_id
        self.tx.output(res.id, target_id)
        if res.alt_id:
            self.rw.ids[res.alt_id] = alt_id or target_id
        if res.inlet_id and inlet:
            self.rw.ids[res.inlet_id] = inlet
            self.tx.output(res.inlet_id, inlet)

    def found(self, item: PlanItem) -> None:
        res = item.resource
        alt = None
        if res.kind in REGISTRY_KINDS and res.alt_id:
            # the target's alt id follows from its $id: https://ns.adobe.com/{t}/{kind}/{x} → _{t}.{kind}.{x}
            parts = item.target_id.removeprefix("https://ns.adobe.com/").split("/")
            alt = "_" + ".".join(parts) if len(parts) == 3 else None
        self._map(res, item.target_id, alt, item.target_inlet)

    async def create(self, item: PlanItem, step: Any) -> None:
        res = item.resource
        s, tx = self.s, self.tx
        if item.kind == PROFILE:
            target_id = self.rw.ids[res.id]
            if res.kind == "schema":
                await tx.step(step.name, PROFILE, lambda: s.schemas.enable_for_profile(target_id), planned=step,
                              resource_id=lambda _: target_id)
            else:
                await tx.step(step.name, PROFILE, lambda: s.catalog.enable_for_profile(target_id), planned=step,
                              resource_id=lambda _: target_id,
                              undo=lambda _: s.catalog.patch_dataset(target_id, {"tags": DISABLED}))
            return
        body = self.rw.value(res.body)
        action, undo, ident = self._writer(res.kind, body)
        result = await tx.step(step.name, res.kind, action, planned=step, undo=undo,
                               resource_id=lambda r: ident(r)[0])
        target_id, alt, inlet = ident(result)
        self._map(res, target_id, alt, inlet)

    async def update(self, item: PlanItem, step: Any) -> None:
        """Replace the target's version (PUT); the undo puts the version read just before back."""
        s, kind, target_id = self.s, item.kind, item.target_id
        body = self.rw.value(item.resource.body)
        if kind == "descriptor":
            async def put_descriptor() -> dict[str, Any]:
                old = (await s.schemas.get_descriptor(target_id)).model_dump(by_alias=True, exclude_none=True)
                await s.schemas.update_descriptor(target_id, body)
                return normalise("descriptor", old)

            action, undo = put_descriptor, (lambda old: s.schemas.update_descriptor(target_id, old))
        else:
            coll = REGISTRY_COLLECTION[kind]

            async def put_resource() -> dict[str, Any]:
                current = await s.schemas.get(coll, target_id, "tenant")
                keep = {"meta:immutableTags": current["meta:immutableTags"]} if current.get("meta:immutableTags") else {}
                await s.schemas.replace(coll, target_id, {**body, **keep})  # the union tag is never removed
                return {**normalise(kind, current), **keep}

            action, undo = put_resource, (lambda old: s.schemas.replace(coll, target_id, old))
        await self.tx.step(step.name, kind, action, planned=step, undo=undo, resource_id=lambda _: target_id)

    def _writer(self, kind: str, body: dict[str, Any]) -> tuple[
            Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[Any]] | None,
            Callable[[Any], tuple[str, str | None, str | None]]]:
        s = self.s
        if kind in REGISTRY_KINDS:
            coll = REGISTRY_COLLECTION[kind]
            return (lambda: s.schemas.create(coll, body), lambda r: s.schemas.delete(coll, r["$id"]),
                    lambda r: (r["$id"], r.get("meta:altId"), None))
        if kind == "descriptor":
            return (lambda: s.schemas.create_descriptor(body), lambda d: s.schemas.delete_descriptor(d.id),
                    lambda d: (d.id, None, None))
        if kind == "namespace":
            # AEP answers idType in capitals (CROSS_DEVICE) but takes it as written in ID_TYPES (Cross_device)
            wanted = str(body.get("idType") or "Cross_device").lower()
            id_type = next((t for t in ID_TYPES if t.lower() == wanted), "Cross_device")
            return (lambda: s.identity.create_namespace(body["code"], body.get("name"), id_type=id_type,
                                                        description=body.get("description")),
                    None, lambda n: (n.code, None, None))
        if kind == "dataset":
            ref = body["schemaRef"]
            kw = {"content_type": ref["contentType"]} if ref.get("contentType") else {}
            return (lambda: s.catalog.create_dataset(body["name"], ref["id"], description=body.get("description"),
                                                     **kw),
                    lambda i: s.catalog.delete_dataset(i), lambda i: (i, None, None))
        coll = FLOW_COLLECTION[kind]
        if kind == "connection":
            async def create_connection() -> tuple[str, str | None]:
                created = await s.flows.create(coll, body)
                try:
                    conn = await s.flows.get_connection(created.id)
                except Exception:
                    await s.flows.delete_connection(created.id)
                    raise
                return created.id, conn.inlet_id

            return (create_connection, lambda r: s.flows.delete_connection(r[0]), lambda r: (r[0], None, r[1]))
        return (lambda: s.flows.create(coll, body), lambda r: s.flows.delete(coll, r.id),
                lambda r: (r.id, None, None))
