"""Fixes the validator can name: for a violation of a record, the change that removes it, said in
words ("Quote $._id: 15367038 → "15367038""). Only changes that keep the record's meaning:
a number written as a string (or the reverse), a boolean written as a string, an integer ``_id``,
a key the schema does not have (removed, the user sees which)."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from typing import Any

_TYPE = re.compile(r"expected type: (\w+), found: (\w+)")
_EXTRA = re.compile(r"extraneous key \[([^\]]+)\] is not permitted")
_REMOVE = object()


@dataclass(frozen=True)
class Fix:
    label: str
    parts: tuple[str, ...]  # where, as JSON Pointer parts
    value: Any  # the new value, or REMOVE

    @property
    def removes(self) -> bool:
        return self.value is _REMOVE


def pointer_parts(pointer: str) -> list[str]:
    p = pointer[1:] if pointer.startswith("#") else pointer
    if not p or p == "/":
        return []
    return [s.replace("~1", "/").replace("~0", "~") for s in p.lstrip("/").split("/")]


def _get(entity: Any, parts: list[str]) -> tuple[bool, Any]:
    node = entity
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False, None
    return True, node


def _path_text(parts: list[str]) -> str:
    return "$" + "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in parts)


def fix_for(entity: Any, pointer: str, message: str) -> Fix | None:
    """The fix for one violation (``pointer``: JSON Pointer, ``#/…`` or ``/…``), or None."""
    parts = pointer_parts(pointer)
    extra = _EXTRA.search(message or "")
    if extra:
        key = extra.group(1)
        found, parent = _get(entity, parts)
        if found and isinstance(parent, dict) and key in parent:
            return Fix(f"Remove {_path_text([*parts, key])} (the schema has no such field)", (*parts, key), _REMOVE)
        return None
    m = _TYPE.search(message or "")
    if not m:
        return None
    found, value = _get(entity, parts)
    if not found:
        return None
    want, _got = m.group(1).lower(), m.group(2).lower()
    new: Any = None
    if want == "string" and isinstance(value, int | float) and not isinstance(value, bool):
        new = str(value)
    elif want in ("integer", "long") and isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        new = int(value.strip())
    elif want in ("number", "double") and isinstance(value, str):
        try:
            new = float(value.strip())
        except ValueError:
            return None
        new = int(new) if new.is_integer() and re.fullmatch(r"-?\d+", value.strip()) else new
    elif want == "boolean" and isinstance(value, str) and value.strip().lower() in ("true", "false"):
        new = value.strip().lower() == "true"
    if new is None:
        return None
    return Fix(f"{'Quote' if isinstance(new, str) else 'Unquote'} {_path_text(parts)}: "
               f"{json.dumps(value, ensure_ascii=False)} \u2192 {json.dumps(new, ensure_ascii=False)}",
               tuple(parts), new)


def apply_fixes(entity: Any, fixes: list[Fix]) -> Any:
    """A copy of ``entity`` with ``fixes`` applied (removals last, so pointers stay right)."""
    out = copy.deepcopy(entity)
    for fix in sorted(fixes, key=lambda f: f.removes):
        *head, last = fix.parts
        found, parent = _get(out, list(head))
        if not found:
            continue
        if fix.removes:
            if isinstance(parent, dict):
                parent.pop(last, None)
        elif isinstance(parent, dict):
            parent[last] = fix.value
        elif isinstance(parent, list) and last.isdigit():
            parent[int(last)] = fix.value
    return out
