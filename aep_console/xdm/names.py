"""Platform field names: how AEP exposes the JSON-LD names of the adobe/xdm repository.

The adobe/xdm repository writes field names as JSON-LD compact IRIs (`xdm:timestamp`, `@id`,
`repo:createDate`, `schema:latitude`). The Schema Registry and every Platform payload use other names.
The rule applied throughout this project (generator, resolver, tests) is:

1. `xdm:NAME`  → `NAME`                  (the `xdm:` prefix is dropped: `xdm:timestamp` → `timestamp`);
2. `@NAME`     → `_NAME`                 (`@id` → `_id`, `@type` → `_type`);
3. `PREFIX:NAME` (any other namespace: `repo:`, `schema:`, `dc:`, `iptc4xmpExt:` …)
               → field `NAME` inside an object named `_PREFIX`
               (`repo:createDate` → `_repo.createDate`, `schema:latitude` → `_schema.latitude`,
               `dc:language` → `_dc.language`); several fields of one namespace share one `_PREFIX` object;
4. anything else is kept as is (plain names, map keys, and keys that are IRIs such as
   `https://data.adobe.io/entities/namespace/4`, recognised by `://`).

The Registry records the original name of a renamed field in `meta:xdmField` (e.g. `"meta:xdmField": "@id"`).
"""

from __future__ import annotations

import re
from typing import Any

_NS_RE = re.compile(r"^([A-Za-z][A-Za-z0-9]*):(?!//)(.+)$")


def platform_name(name: str) -> tuple[str | None, str]:
    """Map one repository field name to `(namespace_object or None, platform field name)`.

    >>> platform_name("xdm:timestamp"), platform_name("@id"), platform_name("repo:createDate")
    ((None, 'timestamp'), (None, '_id'), ('_repo', 'createDate'))
    """
    if name.startswith("xdm:"):
        return None, name[4:]
    if name.startswith("@") and len(name) > 1:
        return None, "_" + name[1:]
    match = _NS_RE.match(name)
    if match:
        return "_" + match.group(1), match.group(2)
    return None, name


def to_platform_instance(value: Any) -> Any:
    """Convert an entity written with repository names (an official `*.example.*.json`) to Platform names."""
    if isinstance(value, list):
        return [to_platform_instance(item) for item in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        namespace, name = platform_name(key)
        converted = to_platform_instance(item)
        if namespace is None:
            out[name] = converted
        else:
            out.setdefault(namespace, {})[name] = converted
    return out
