"""Diff first: compare a bundle, rewritten into the target's terms, with what the target already has
(found by title / name / code, then compared by content) and make a plan. Nothing is written here.

Each resource becomes one ``PlanItem``: ``create`` (absent in the target), ``identical`` (found, same
content: reused) or ``conflict`` (found, different content: a field-level diff). Profile enablement of a schema (the
``union`` tag, which AEP never removes again) and of a dataset are items of their own, after everything
else, so a failure while applying never strikes after an irreversible step but the last ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...aep.catalog import ENABLED
from .bundle import Bundle, Resource
from .content import (
    ABSENT,
    FLOW_COLLECTION,
    REGISTRY_COLLECTION,
    REGISTRY_KINDS,
    field_diff,
    normalise,
)
from .rewrite import Rewriter

CREATE, IDENTICAL, CONFLICT = "create", "identical", "conflict"
PROFILE = "profile"  # the kind of a Profile-enablement item
UPDATABLE = (*REGISTRY_KINDS, "descriptor")  # conflicts that ``overwrite`` replaces with the source's version


@dataclass(frozen=True)
class FieldDiff:
    path: str  # JSON pointer into the resource's content
    target: Any  # the value in the target now (content.ABSENT: no such field)
    source: Any  # the value the source set-up has (content.ABSENT: no such field)

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "target": self.target, "source": self.source}

    def __str__(self) -> str:
        return f"{self.path}: target {_short(self.target)} → source {_short(self.source)}"


@dataclass
class PlanItem:
    kind: str  # a resource kind, or "profile"
    source_id: str
    title: str
    action: str  # create | identical | conflict
    target_id: str | None = None  # found in the target (identical / conflict)
    diff: list[FieldDiff] = field(default_factory=list)
    irreversible: bool = False
    note: str = ""
    target_inlet: str | None = None  # a streaming connection found in the target: its CONNECTION_ID
    resource: Resource | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        return f"{self.kind} {self.title!r}"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "source_id": self.source_id, "title": self.title, "action": self.action,
                "target_id": self.target_id, "irreversible": self.irreversible, "note": self.note,
                "diff": [d.to_json() for d in self.diff]}


@dataclass
class Plan:
    bundle: Bundle
    target: dict[str, str]  # org_id, sandbox, tenant_id
    items: list[PlanItem] = field(default_factory=list)

    def of(self, action: str) -> list[PlanItem]:
        return [i for i in self.items if i.action == action]

    @property
    def changes(self) -> list[PlanItem]:
        """What applying would write or cannot resolve (everything but ``identical``)."""
        return [i for i in self.items if i.action != IDENTICAL]

    @property
    def is_empty(self) -> bool:
        return not self.changes

    @property
    def irreversible(self) -> list[PlanItem]:
        return [i for i in self.items if i.action == CREATE and i.irreversible]

    @property
    def blockers(self) -> list[PlanItem]:
        return self.blockers_for(overwrite=False)

    def blockers_for(self, *, overwrite: bool) -> list[PlanItem]:
        """Conflicts that stop an apply: all of them, or with ``overwrite`` those that cannot be
        replaced (datasets, connections, dataflows)."""
        return [i for i in self.of(CONFLICT) if not (overwrite and i.kind in UPDATABLE)]

    @property
    def updatable(self) -> list[PlanItem]:
        return [i for i in self.of(CONFLICT) if i.kind in UPDATABLE]

    def counts(self) -> dict[str, int]:
        return {a: len(self.of(a)) for a in (CREATE, IDENTICAL, CONFLICT)}

    def summary(self) -> str:
        src, tgt = self.bundle.source, self.target
        c = self.counts()
        lines = [f"Plan: {src['org_id']}/{src['sandbox']} (tenant {src['tenant_id']}) → "
                 f"{tgt['org_id']}/{tgt['sandbox']} (tenant {tgt['tenant_id']})",
                 f"  {c[CREATE]} to create, {c[IDENTICAL]} identical, {c[CONFLICT]} conflicting"]
        for item in self.items:
            flag = "  [irreversible]" if item.irreversible and item.action == CREATE else ""
            where = f" [{item.target_id}]" if item.target_id else ""
            lines.append(f"  {item.action:<9} {item.label}{where}{flag}" + (f" — {item.note}" if item.note else ""))
            lines += [f"              {d}" for d in item.diff]
        if self.is_empty:
            lines.append("Nothing to do: the target already has this set-up.")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {"source": dict(self.bundle.source), "target": dict(self.target), "counts": self.counts(),
                "empty": self.is_empty, "items": [i.to_json() for i in self.items]}


def placeholder(res: Resource) -> str:
    return f"(new {res.kind} {res.title!r})"


class Planner:
    """``plan = await Planner(target_session).plan(bundle)``."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self._listings: dict[str, list[Any]] = {}
        self._descriptors: list[dict[str, Any]] | None = None
        self._namespaces: list[Any] | None = None

    async def rewriter(self, bundle: Bundle) -> Rewriter:
        tenant = await self.session.schemas.tenant_id()
        return Rewriter(bundle.tenant, tenant, bundle.source["org_id"], self.session.org_id)

    async def plan(self, bundle: Bundle) -> Plan:
        rw = await self.rewriter(bundle)
        target = {"org_id": self.session.org_id, "sandbox": self.session.sandbox_name, "tenant_id": rw.target_tenant}
        plan = Plan(bundle, target)
        profile_items: list[PlanItem] = []
        for res in bundle.resources:
            item = await self._item(res, rw)
            plan.items.append(item)
            found = item.target_id if item.action in (IDENTICAL, CONFLICT) else None
            for sid in (res.id, res.alt_id):
                if sid:
                    rw.ids[sid] = found or placeholder(res)
            if res.inlet_id:
                rw.ids[res.inlet_id] = (item.target_inlet if found else None) or placeholder(res)
            if res.profile:
                profile_items.append(await self._profile_item(res, item))
        plan.items += profile_items
        return plan

    # --- one resource ---------------------------------------------------------------------------------

    async def _item(self, res: Resource, rw: Rewriter) -> PlanItem:
        wanted = rw.value(res.body)
        title = rw.text(res.title)
        item = PlanItem(res.kind, res.id, title, CREATE, resource=res)
        if res.kind == "namespace":
            return await self._namespace_item(item, wanted)
        found = await self._find(res.kind, title, wanted)
        if found is None:
            return item
        target_id, current = found
        item.target_id = target_id
        if res.kind == "connection":
            item.target_inlet = current.pop("_inletId", None) or None
        diff = [FieldDiff(*d) for d in field_diff(current, wanted)]
        item.action, item.diff = (CONFLICT, diff) if diff else (IDENTICAL, [])
        return item

    async def _namespace_item(self, item: PlanItem, wanted: dict[str, Any]) -> PlanItem:
        if self._namespaces is None:
            self._namespaces = await self.session.identity.list_namespaces()
        code = str(wanted.get("code", "")).lower()
        found = next((n for n in self._namespaces if n.code.lower() == code), None)
        if found is not None:
            item.action, item.target_id = IDENTICAL, found.code
            return item
        item.irreversible = True
        item.note = "identity namespaces cannot be deleted again"
        return item

    async def _find(self, kind: str, title: str, wanted: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
        s = self.session
        if kind in REGISTRY_KINDS:
            coll = REGISTRY_COLLECTION[kind]
            if coll not in self._listings:
                self._listings[coll] = await s.schemas.list_all(coll, "tenant")
            res = next((r for r in self._listings[coll] if (r.title or "").strip().lower() == title.strip().lower()),
                       None)
            if res is None:
                return None
            return res.id, normalise(kind, await s.schemas.get(coll, res.id, "tenant"))
        if kind == "descriptor":
            if self._descriptors is None:
                self._descriptors = [d.model_dump(by_alias=True, exclude_none=True)
                                     for d in await s.schemas.list_descriptors()]
            keys = ("@type", "xdm:sourceSchema", "xdm:sourceProperty")
            d = next((d for d in self._descriptors if all(d.get(k) == wanted.get(k) for k in keys)), None)
            return (d["@id"], normalise("descriptor", d)) if d else None
        if kind == "dataset":
            ds = await s.catalog.find_dataset(title)
            if ds is None:
                return None
            return ds.id, normalise("dataset", ds.model_dump(by_alias=True, exclude_none=True))
        coll = FLOW_COLLECTION[kind]
        entity = await s.flows.find_by_name(coll, title)
        if entity is None:
            return None
        raw = entity.model_dump(by_alias=True, exclude_none=True)
        current = normalise(kind, raw, source=False)
        if kind == "connection":
            current["_inletId"] = ((raw.get("auth") or {}).get("params") or {}).get("inletId") or ""
        return entity.id, current

    async def _profile_item(self, res: Resource, item: PlanItem) -> PlanItem:
        schema = res.kind == "schema"
        what = "union tag" if schema else "Profile and Identity tags"
        out = PlanItem(PROFILE, res.id, item.title, CREATE, target_id=item.target_id, resource=res,
                       irreversible=schema,
                       note=f"enable the {res.kind} for Profile ({what})"
                            + ("; AEP never removes the union tag again" if schema else ""))
        if (item.target_id and item.action in (IDENTICAL, CONFLICT)
                and await self._profile_enabled(res.kind, item.target_id)):
            out.action, out.note, out.irreversible = IDENTICAL, "enabled for Profile", False
        return out

    async def _profile_enabled(self, kind: str, target_id: str) -> bool:
        s = self.session
        if kind == "schema":
            raw = await s.schemas.get("schemas", target_id, "tenant")
            return "union" in (raw.get("meta:immutableTags") or [])
        ds = await s.catalog.get_dataset(target_id)
        return ENABLED in [str(v).replace(" ", "") for v in (ds.tags or {}).get("unifiedProfile", [])]


def _short(v: Any) -> str:
    if v is ABSENT or v == ABSENT:
        return "(absent)"
    text = repr(v)
    return text if len(text) <= 80 else text[:77] + "…"
