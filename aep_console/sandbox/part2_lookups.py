"""What the streaming pipeline needs from part 1 (connections, datasets, resolved schemas, descriptors),
turned into ready-to-use objects with the expensive parts cached:

- ``Connection``: a streaming inlet (org, sandbox, auth, its HTTP-API dataflows → dataset);
- ``Target``: a dataset ready for ingestion: compiled XDM validator (shared ``aep_console.xdm`` code),
  class (record / ExperienceEvent), Profile enablement, identity extraction.

Targets are cached per (org, sandbox, dataset) and rebuilt when the dataset document or the Schema
Registry generation of that sandbox changes (one cheap dataset read per request).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

PROFILE_CLASS = "https://ns.adobe.com/xdm/context/profile"
EVENT_CLASS = "https://ns.adobe.com/xdm/context/experienceevent"


class TargetError(Exception):
    """The message's dataset cannot take it (message names the dataset and why)."""


@dataclass(frozen=True)
class Connection:
    inlet_id: str
    org_id: str
    sandbox: str
    name: str
    source_id: str
    authentication_required: bool
    flows: dict[str, str | None]  # HTTP API dataflow id -> its dataset id (empty: legacy inlet)
    known_flow_ids: frozenset[str] | None = None


def _descriptor_paths(descriptors: list[dict]) -> list[tuple[list[str], str, bool]]:
    """(path parts, namespace, primary) per identity descriptor; ``/a/b``, ``#/a/b`` and ``a.b`` forms."""
    out = []
    for d in descriptors:
        if d.get("@type", "xdm:descriptorIdentity") != "xdm:descriptorIdentity":
            continue
        prop = d.get("xdm:sourceProperty")
        ns = d.get("xdm:namespace")
        if isinstance(prop, str) and prop and isinstance(ns, str) and ns:
            if prop.startswith("#"):
                prop = prop[1:]
            sep = "/" if prop.startswith("/") else "."
            parts = [p.replace("~1", "/").replace("~0", "~") if sep == "/" else p
                     for p in prop.strip(sep).split(sep) if p]
            out.append((parts, ns, bool(d.get("xdm:isPrimary", False))))
    return out


def own_extract(entity: dict, paths: list[tuple[list[str], str, bool]]) -> list[list]:
    """[[namespace, id, primary], ...] from descriptor fields, then identityMap; duplicates merged.

    Same rules as ``aep_console.xdm.identity.extract_identities`` (kept in step by a test), without its
    per-call pointer parsing: this runs once per streamed message.
    """
    out: list[list] = []
    seen: dict[tuple[str, str], list] = {}

    def add(ns: str, value, primary: bool) -> None:
        if isinstance(value, bool) or value is None or value == "":
            return
        if isinstance(value, int | float):
            value = str(value)
        elif not isinstance(value, str):
            return
        key = (ns, value)
        have = seen.get(key)
        if have is None:
            item = [ns, value, primary]
            seen[key] = item
            out.append(item)
        elif primary:
            have[2] = True

    for parts, ns, primary in paths:
        value = entity
        for part in parts:
            if not isinstance(value, dict):
                value = None
                break
            value = value.get(part)
        if isinstance(value, list):
            for v in value:
                add(ns, v, primary)
        else:
            add(ns, value, primary)
    imap = entity.get("identityMap")
    if isinstance(imap, dict):
        for ns, items in imap.items():
            if isinstance(items, list):
                for item in items:
                    if isinstance(item, dict):
                        add(ns, item.get("id"), item.get("primary") is True)
    return out


@dataclass
class Target:
    dataset_id: str
    schema_id: str
    class_id: str
    profile: bool
    is_event: bool
    validator: Any
    id_paths: list[tuple[list[str], str, bool]] = field(default_factory=list)
    fingerprint: tuple = ()  # (schema id, profile enabled, registry generation, dataset doc stamp)

    def validate(self, entity: dict) -> list:
        violations = self.validator.validate(entity, limit=5) if self.validator is not None else []
        if self.is_event and not violations:
            # the class requires them; a validator built from a partial schema must not let them through
            if not isinstance(entity.get("_id"), str):
                violations = [_Violation("#/_id", "#/properties/_id", "required" if "_id" not in entity else "type",
                                         "required key [_id] not found" if "_id" not in entity else
                                         f"expected type: String, found: {_json_type(entity.get('_id'))}")]
            elif not isinstance(entity.get("timestamp"), str):
                violations = [_Violation("#/timestamp", "#/properties/timestamp",
                                         "required" if "timestamp" not in entity else "type",
                                         "required key [timestamp] not found" if "timestamp" not in entity else
                                         f"expected type: String, found: {_json_type(entity.get('timestamp'))}")]
        return violations

    def identities(self, entity: dict) -> list[list]:
        paths = self.id_paths
        if len(paths) == 1 and "identityMap" not in entity:  # the usual shape: one descriptor identity
            parts, ns, primary = paths[0]
            value = entity
            for part in parts:
                if type(value) is not dict:
                    value = None
                    break
                value = value.get(part)
            if type(value) is str and value:
                return [[ns, value, primary]]
        return own_extract(entity, paths)


@dataclass
class _Violation:
    pointer: str
    schema_location: str
    keyword: str
    message: str

    @property
    def json_path(self) -> str:
        return "$" + self.pointer[1:].replace("/", ".")


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Long"
    if isinstance(value, float):
        return "Double"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "JSONArray"
    if isinstance(value, dict):
        return "JSONObject"
    return "Null"


def compile_validator(resolved: dict):
    from aep_console.xdm.validate import compile_validator as shared_compile

    return shared_compile(resolved)


class Part2Lookups:
    def __init__(self, services) -> None:
        self.services = services
        self.lookups = services.lookups
        self._targets: dict[tuple[str, str, str], Target] = {}
        self._reader: sqlite3.Connection | None = None

    def _dataset_stamp(self, org: str, sandbox: str, dataset_id: str) -> tuple | None:
        """(created, updated) of the dataset document, read on a connection of its own: in WAL mode it
        never waits for the writer thread's transaction, unlike the shared connection (and its lock)."""
        try:
            if self._reader is None:
                self._reader = sqlite3.connect(self.services.store.path, check_same_thread=False)
            row = self._reader.execute("SELECT created, updated FROM docs WHERE org=? AND sandbox=? AND "
                                       "kind='dataset' AND id=?", (org, sandbox, dataset_id)).fetchone()
        except sqlite3.Error:
            return None
        return tuple(row) if row else None

    def connection(self, inlet_id: str) -> Connection | None:
        info = self.lookups.connection_by_inlet(inlet_id)
        if info is None:
            return None
        flows = {f.flow_id: f.dataset_id for f in info.flows}
        return Connection(inlet_id=info.inlet_id, org_id=info.org_id, sandbox=info.sandbox, name=info.name,
                          source_id=info.source_id, authentication_required=info.authentication_required,
                          flows={} if info.legacy_inlet else flows,
                          known_flow_ids=frozenset(flows) if info.legacy_inlet else None)

    def target(self, org: str, sandbox: str, dataset_id: str) -> Target:
        key = (org, sandbox, dataset_id)
        hit = self._targets.get(key)
        generation = self.lookups.schema_generation(org, sandbox)
        stamp = self._dataset_stamp(org, sandbox, dataset_id)
        if hit is not None and stamp is not None and hit.fingerprint[2:] == (generation, stamp):
            return hit
        ds = self.lookups.dataset(org, sandbox, dataset_id)
        if ds is None:
            raise TargetError(f"Dataset [{dataset_id}] does not exist in sandbox [{sandbox}] of this org")
        if not ds.schema_id:
            raise TargetError(f"Dataset [{dataset_id}] has no schemaRef")
        fp = (ds.schema_id, ds.profile_enabled, generation, stamp)
        if hit is not None and hit.fingerprint == fp:
            return hit
        resolved = self.lookups.resolved_schema(org, sandbox, ds.schema_id)
        if resolved is None:
            raise TargetError(f"Schema [{ds.schema_id}] of dataset [{dataset_id}] does not exist")
        class_id = resolved.get("meta:class") or ""
        extends = resolved.get("meta:extends") or []
        if class_id not in (PROFILE_CLASS, EVENT_CLASS):
            class_id = next((c for c in (EVENT_CLASS, PROFILE_CLASS) if c in extends), class_id)
        descriptors = self.lookups.identity_descriptors(org, sandbox, ds.schema_id)
        target = Target(dataset_id=dataset_id, schema_id=ds.schema_id, class_id=class_id,
                        profile=ds.profile_enabled and class_id in (PROFILE_CLASS, EVENT_CLASS), is_event=class_id == EVENT_CLASS,
                        validator=compile_validator(resolved), id_paths=_descriptor_paths(descriptors),
                        fingerprint=fp)
        if len(self._targets) > 5000:
            self._targets.clear()
        self._targets[key] = target
        return target
