"""Derive the project's XDM definitions (Schema Registry form, Platform names) from an adobe/xdm checkout.

Usage (from the project root):
    python -m aep_console.xdm.tools.gen_definitions SRC_COMPONENTS_DIR [MORE_DIRS ...] [--out DIR]

Each SRC is a folder laid out like adobe/xdm `components/` (classes/, behaviors/, fieldgroups/,
datatypes/). Every `*.schema.json` found is converted (see `convert_resource`) and written to
`aep_console/xdm/definitions/{kind}.{name}.json` (one flat package folder, so that the project's
`package-data` glob `*.json` ships them). The produced JSON files
are what ships; this script is only the way they were made and can be re-run on a newer checkout.

Conversion (what the Schema Registry returns for a global resource, `application/vnd.adobe.xed+json`):
- field names follow `aep_console.xdm.names` (xdm: dropped, `@id` → `_id`, other prefixes → `_prefix`
  objects), and a renamed field keeps its original name in `meta:xdmField`;
- every field gets `meta:xdmType` (string, date, date-time, int/long/short/byte, number, boolean,
  object, map, array); a field that is a `$ref` to a data type gets `type: object`;
- `allOf` drops the JSON-LD `extensible#/definitions/@context` base (it adds no fields);
- top level: `$id`, `meta:altId`, `meta:resourceType` (classes|behaviors|mixins|datatypes), `version`,
  `title`, `type`, `description`, `definitions`, `allOf`, `required`, `meta:extends`,
  `meta:intendedToExtend` (field groups), `meta:abstract`, `meta:extensible`, `meta:status`,
  `meta:tags`, `meta:xdmType`, `meta:containerId: global`;
- localisation ids (`meta:titleId`, `meta:descriptionId`), `meta:license` and `$schema` are dropped.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from aep_console.xdm.names import platform_name

EXTENSIBLE_ID = "https://ns.adobe.com/xdm/common/extensible"
VERSION = "1.0"
SOURCE_NOTE = {
    "source": "github.com/adobe/xdm, folder components/ (derived: Platform field names, Registry form)",
    "license": "CC-BY-4.0 (Creative Commons Attribution 4.0 International), Copyright Adobe",
}
_DROP = {"meta:titleId", "meta:descriptionId", "meta:license", "$schema"}
_RESOURCE_TYPES = {
    "classes": "classes",
    "behaviors": "behaviors",
    "fieldgroups": "mixins",
    "datatypes": "datatypes",
}
_TOP_ORDER = [
    "$id",
    "meta:altId",
    "meta:resourceType",
    "version",
    "title",
    "type",
    "description",
    "definitions",
    "allOf",
    "required",
    "meta:extends",
    "meta:intendedToExtend",
    "meta:abstract",
    "meta:extensible",
    "meta:auditable",
    "meta:status",
    "meta:tags",
    "meta:xdmType",
    "meta:containerId",
    "meta:createdDate",
]


def alt_id(resource_id: str) -> str:
    """`https://ns.adobe.com/xdm/context/profile` → `_xdm.context.profile` (Registry `meta:altId`)."""
    rest = resource_id.split("://", 1)[-1]
    if rest.startswith("ns.adobe.com/"):
        rest = rest[len("ns.adobe.com/") :]
    return "_" + rest.strip("/").replace("/", ".")


def xdm_type(node: dict) -> str | None:
    kind = node.get("type")
    if kind == "string":
        return {"date": "date", "date-time": "date-time"}.get(node.get("format"), "string")
    if kind == "integer":
        low, high = node.get("minimum"), node.get("maximum")
        if low is None or high is None:
            return "int"
        for name, bits in (("byte", 8), ("short", 16), ("int", 32)):
            if -(2 ** (bits - 1)) <= low and high <= 2 ** (bits - 1) - 1:
                return name
        return "long"
    if kind == "object":
        return "map" if node.get("meta:xdmType") == "map" else "object"
    if kind in ("number", "boolean", "array"):
        return kind
    return None


def convert_properties(props: dict[str, Any]) -> dict[str, Any]:
    """Rename the fields of a `properties` object (namespaced ones go into `_prefix` objects)."""
    out: dict[str, Any] = {}
    for name, schema in props.items():
        namespace, new = platform_name(name)
        converted = convert_node(schema)
        if (namespace, new) != (None, name):
            converted["meta:xdmField"] = name
        if namespace is None:
            out[new] = converted
        else:
            holder = out.setdefault(namespace, {"type": "object", "meta:xdmType": "object", "properties": {}})
            holder["properties"][new] = converted
    return out


def convert_required(required: list[str], props: dict[str, Any]) -> list[str]:
    result = []
    for name in required:
        namespace, new = platform_name(name)
        if namespace is None:
            result.append(new)
        else:  # a required namespaced field: required inside its `_prefix` object, which becomes required
            holder = props.setdefault(
                namespace, {"type": "object", "meta:xdmType": "object", "properties": {}}
            )
            holder.setdefault("required", []).append(new)
            if namespace not in result:
                result.append(namespace)
    return result


def convert_node(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROP:
            continue
        if key == "properties" and isinstance(value, dict):
            out["properties"] = convert_properties(value)
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            out[key] = convert_node(value)
        elif key in ("oneOf", "anyOf", "allOf") and isinstance(value, list):
            out[key] = [convert_node(v) for v in value if not _is_extensible_ref(v)]
        elif key == "required":
            continue  # handled below, once properties exist
        elif key == "definitions" and isinstance(value, dict):
            out[key] = {name: convert_node(v) for name, v in value.items()}
        else:
            out[key] = value
    if "required" in node:
        out["required"] = convert_required(node["required"], out.setdefault("properties", {}))
        if not out["properties"]:
            del out["properties"]
    if "$ref" in out and "type" not in out:
        out["type"] = "object"
    if "$ref" in out and "meta:xdmType" not in out:
        out["meta:xdmType"] = "object"
    elif "type" in out and "meta:xdmType" not in out:
        kind = xdm_type(out)
        if kind:
            out["meta:xdmType"] = kind
    return out


def _is_extensible_ref(value: Any) -> bool:
    return isinstance(value, dict) and str(value.get("$ref", "")).split("#")[0] == EXTENSIBLE_ID


def convert_resource(doc: dict, kind: str) -> dict:
    """Convert one repository `*.schema.json` (kind: classes|behaviors|fieldgroups|datatypes)."""
    body = convert_node({k: v for k, v in doc.items() if k not in ("meta:createdDate",)})
    body.pop("meta:xdmType", None)
    resource = {
        "$id": doc["$id"],
        "meta:altId": alt_id(doc["$id"]),
        "meta:resourceType": _RESOURCE_TYPES[kind],
        "version": VERSION,
        **{k: v for k, v in body.items() if k != "$id"},
        "meta:xdmType": "object",
        "meta:containerId": "global",
    }
    if kind == "fieldgroups":
        resource.setdefault("meta:intendedToExtend", [])
    if "meta:createdDate" in doc:
        resource["meta:createdDate"] = doc["meta:createdDate"]
    resource["allOf"] = [
        dict(ref, type="object", **{"meta:xdmType": "object"})
        if isinstance(ref, dict) and set(ref) == {"$ref"}
        else ref
        for ref in resource.get("allOf", [])
    ]
    ordered = {k: resource[k] for k in _TOP_ORDER if k in resource}
    ordered.update({k: v for k, v in resource.items() if k not in ordered})
    return ordered


def generate(sources: list[Path], out_dir: Path) -> list[Path]:
    written: list[Path] = []
    out_dir.mkdir(parents=True, exist_ok=True)
    for src in sources:
        for path in sorted(src.rglob("*.schema.json")):
            rel = path.relative_to(src)
            kind = rel.parts[0]
            if kind not in _RESOURCE_TYPES:
                continue
            doc = json.loads(path.read_text(encoding="utf-8"))
            if doc.get("$id") == EXTENSIBLE_ID:
                continue  # the JSON-LD @context base: no fields on Platform
            target = out_dir / f"{kind}.{rel.name.replace('.schema.json', '.json')}"
            if target in written:
                raise SystemExit(f"two resources would be written to {target}")
            target.write_text(
                json.dumps(convert_resource(doc, kind), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
            written.append(target)
    (out_dir / "_source.json").write_text(json.dumps(SOURCE_NOTE, indent=2) + "\n", encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="+", type=Path, help="adobe/xdm components/ folder(s)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "definitions")
    args = parser.parse_args(argv)
    for path in generate(args.sources, args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
