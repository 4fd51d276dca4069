"""What the streaming pipeline needs from the set-up APIs (connections, datasets, resolved schemas, descriptors),
turned into ready-to-use objects with the expensive parts cached:

- ``Connection``: a streaming inlet (org, sandbox, auth, its dataflows → dataset; or a legacy inlet);
- ``Target``: a dataset ready for ingestion: compiled XDM validator (shared ``aep_console.xdm`` code),
  class (record / ExperienceEvent), Profile enablement, identity extraction.

Targets are cached per (org, sandbox, dataset) and rebuilt when the dataset document or the Schema
Registry generation of that sandbox changes (one cheap dataset read per request).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from cachetools import LRUCache

from aep_console.xdm.identity import (
    extract_identities,
    select_identity_descriptors,
    source_pointer,  # the shared descriptor-path rule
)
from aep_console.xdm.paths import pointer_parts
from aep_console.xdm.validate import Violation, compile_validator, java_type

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
    flows: dict[str, str | None]  # dataflow id -> the dataset its target connection writes to
    legacy_inlet: bool = False  # made by /data/core/edge/inlet (2019/2020): no dataflows, no flowId


def identity_paths(descriptors: list[dict]) -> list[tuple[list[str], str, bool]]:
    """(path keys, namespace, primary) per identity descriptor, parsed once per target with the shared
    rules (``aep_console.xdm.identity``: ``/a/b``, ``#/a/b`` and ``a.b`` forms)."""
    return [([str(part) for part in pointer_parts(source_pointer(d["xdm:sourceProperty"]))], d["xdm:namespace"],
             bool(d.get("xdm:isPrimary", False)))
            for d in select_identity_descriptors(descriptors)]


@dataclass
class Target:
    dataset_id: str
    schema_id: str
    class_id: str
    profile: bool
    is_event: bool
    validator: Any
    descriptors: list[dict] = field(default_factory=list)  # the schema's identity descriptors
    id_paths: list[tuple[list[str], str, bool]] = field(default_factory=list)  # identity_paths(descriptors)
    fingerprint: tuple = ()  # (schema id, profile enabled, registry generation, dataset doc stamp)

    def validate(self, entity: dict) -> list[Violation]:
        violations = self.validator.validate(entity, limit=5) if self.validator is not None else []
        if self.is_event and not violations:
            # the class requires them; a validator built from a partial schema must not let them through
            for name in ("_id", "timestamp"):
                if not isinstance(entity.get(name), str):
                    return [_event_field_violation(entity, name)]
        return violations

    def identities(self, entity: dict) -> list[list]:
        """[[namespace, id, primary], ...]: the shared ``extract_identities``, with a shortcut for the usual
        shape (one descriptor identity holding a string, no identityMap), which gives the same answer."""
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
        return [[i.namespace, i.id, i.primary] for i in extract_identities(entity, self.descriptors)]


def _event_field_violation(entity: dict, name: str) -> Violation:
    """``_id`` / ``timestamp`` of an ExperienceEvent missing or not a string, worded as the shared validator
    words it (``required key [x] not found``, ``expected type: String, found: Long``)."""
    if name not in entity:
        return Violation("#", "#", "required", f"required key [{name}] not found", "$")
    return Violation(f"#/{name}", f"#/properties/{name}", "type",
                     f"expected type: String, found: {java_type(entity[name])}", f"$.{name}")


class TargetLookups:
    def __init__(self, services) -> None:
        self.services = services
        self.lookups = services.lookups
        self._targets: LRUCache[tuple[str, str, str], Target] = LRUCache(maxsize=5000)  # least recent out
        self._reader: sqlite3.Connection | None = None

    def _dataset_stamp(self, org: str, sandbox: str, dataset_id: str) -> tuple | None:
        """(created, updated) of the dataset document, read on a connection of its own: in WAL mode it
        never waits for the writer thread's transaction, unlike the shared connection (and its lock)."""
        try:
            if self._reader is None:
                self._reader = self.services.store.connect(isolation_level="")
            row = self._reader.execute("SELECT created, updated FROM docs WHERE org=? AND sandbox=? AND "
                                       "kind='dataset' AND id=?", (org, sandbox, dataset_id)).fetchone()
        except sqlite3.Error:
            return None
        return tuple(row) if row else None

    def connection(self, inlet_id: str) -> Connection | None:
        info = self.lookups.connection_by_inlet(inlet_id)
        if info is None:
            return None
        flows = {f.flow_id: f.dataset_id for f in info.flows if f.state != "disabled"}
        return Connection(inlet_id=info.inlet_id, org_id=info.org_id, sandbox=info.sandbox, name=info.name,
                          source_id=info.source_id, authentication_required=info.authentication_required,
                          flows=flows, legacy_inlet=info.legacy_inlet)

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
                        validator=compile_validator(resolved), descriptors=descriptors,
                        id_paths=identity_paths(descriptors),
                        fingerprint=fp)
        self._targets[key] = target
        return target
