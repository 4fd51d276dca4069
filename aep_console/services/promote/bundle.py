"""The set-up bundle: a versioned JSON file that carries a whole set-up in its source's terms,
reviewable in git (stable order, sorted keys, no timestamps, no secrets) and valid against
``bundle.schema.json``.

    bundle = await SetupReader(session).read(Selection(datasets=["…"]))
    bundle.save("loyalty.aep-bundle.json"); Bundle.load("loyalty.aep-bundle.json")
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .content import KINDS, PromoteError

FORMAT = "aep-console/setup-bundle"
VERSION = 1
SCHEMA_PATH = Path(__file__).with_name("bundle.schema.json")


@dataclass
class Selection:
    """What the user picked; the reader follows each one's dependencies."""

    datasets: list[str] = field(default_factory=list)
    schemas: list[str] = field(default_factory=list)
    connections: list[str] = field(default_factory=list)  # base connection id or inlet id (CONNECTION_ID)

    def __bool__(self) -> bool:
        return bool(self.datasets or self.schemas or self.connections)

    def to_json(self) -> dict[str, list[str]]:
        return {"datasets": list(self.datasets), "schemas": list(self.schemas), "connections": list(self.connections)}


@dataclass
class Resource:
    kind: str  # one of content.KINDS
    id: str  # its id in the source (namespace: its code)
    title: str  # how it is found in a target (title, name, code; descriptor: type + path)
    body: dict[str, Any]  # the designed content, in the source's terms
    requires: list[str] = field(default_factory=list)  # ids of the resources it refers to
    profile: bool = False  # schema: member of the Profile union; dataset: Profile + Identity enabled
    alt_id: str | None = None  # Schema Registry meta:altId
    inlet_id: str | None = None  # streaming connection: its CONNECTION_ID

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "id": self.id, "title": self.title}
        if self.alt_id:
            out["altId"] = self.alt_id
        if self.inlet_id:
            out["inletId"] = self.inlet_id
        if self.kind in ("schema", "dataset"):
            out["profile"] = self.profile
        out["requires"] = list(self.requires)
        out["body"] = self.body
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Resource:
        return cls(kind=d["kind"], id=d["id"], title=d["title"], body=d["body"], requires=list(d.get("requires", [])),
                   profile=bool(d.get("profile", False)), alt_id=d.get("altId"), inlet_id=d.get("inletId"))


@dataclass
class Bundle:
    source: dict[str, str]  # org_id, sandbox, tenant_id
    selection: Selection
    resources: list[Resource] = field(default_factory=list)  # dependencies first

    @property
    def tenant(self) -> str:
        return self.source["tenant_id"]

    def by_id(self, resource_id: str) -> Resource | None:
        return next((r for r in self.resources if resource_id in (r.id, r.alt_id, r.inlet_id)), None)

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "version": VERSION, "source": dict(self.source),
                "selection": self.selection.to_json(), "resources": [r.to_json() for r in self.resources]}

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    def save(self, path: str | Path) -> Path:
        """Written atomically (a temporary file renamed into place)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(self.dumps())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    @classmethod
    def from_json(cls, data: Any, *, source: str = "bundle") -> Bundle:
        problems = validate_bundle(data)
        if problems:
            raise PromoteError(f"{source}: not a valid set-up bundle: " + "; ".join(problems[:5]))
        sel = data["selection"]
        bundle = cls(source=dict(data["source"]),
                     selection=Selection(list(sel["datasets"]), list(sel["schemas"]), list(sel["connections"])),
                     resources=[Resource.from_json(r) for r in data["resources"]])
        seen: set[str] = set()
        for i, r in enumerate(bundle.resources):
            missing = [x for x in r.requires if x not in seen]
            if missing:
                raise PromoteError(f"{source}: /resources/{i} ({r.kind} {r.title!r}) requires {missing[0]}, "
                                   "which no earlier resource of the bundle is")
            seen.update(x for x in (r.id, r.alt_id, r.inlet_id) if x)
        return bundle

    @classmethod
    def load(cls, path: str | Path) -> Bundle:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise PromoteError(f"{path}: line {exc.lineno} column {exc.colno}: {exc.msg}") from None
        return cls.from_json(data, source=str(path))


@cache
def bundle_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def validate_bundle(data: Any) -> list[str]:
    """Every problem of ``data`` against the bundle's JSON Schema, each with its JSON path."""
    import jsonschema_rs

    validator = jsonschema_rs.validator_for(bundle_schema())
    out = []
    for err in validator.iter_errors(data):
        where = "/" + "/".join(str(p) for p in err.instance_path)
        out.append(f"{where}: {err.message}")
    return out


assert set(KINDS) <= set(bundle_schema()["$defs"]["resource"]["properties"]["kind"]["enum"])
