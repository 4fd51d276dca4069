"""JSON pointers (AEP's `#/a/0/b`, RFC 6901 with a leading `#`) ↔ JSON paths (`$.a[0].b`).

A pointer does not say whether `0` is an array index or an object key; `pointer_to_path` treats
all-digit segments as indices unless an `instance` is given to disambiguate. Keys that are not plain
identifiers are written in brackets: `$['first name']`, `$['a.b']`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

_IDENT = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$-]*$")
_PATH_TOKEN = re.compile(
    r"""\.([A-Za-z_$][A-Za-z0-9_$-]*)|\[(\d+)\]|\[('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\]"""
)


def escape_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def pointer_from_parts(parts: Iterable[str | int]) -> str:
    """`["a", 0, "b"]` → `#/a/0/b`; `[]` → `#`."""
    return "#" + "".join("/" + escape_token(p) for p in parts)


def path_from_parts(parts: Iterable[str | int]) -> str:
    """`["a", 0, "b"]` → `$.a[0].b`; integers are indices, strings are keys."""
    out = ["$"]
    for part in parts:
        if isinstance(part, int) and not isinstance(part, bool):
            out.append(f"[{part}]")
        elif _IDENT.match(part):
            out.append("." + part)
        else:
            out.append("[" + _quote(part) + "]")
    return "".join(out)


def _quote(key: str) -> str:
    return "'" + key.replace("\\", "\\\\").replace("'", "\\'") + "'"


def pointer_parts(pointer: str, instance: Any = None) -> list[str | int]:
    """Split `#/a/0/b` (or `/a/0/b`) into keys and indices."""
    if pointer in ("", "#"):
        return []
    body = pointer[1:] if pointer.startswith("#") else pointer
    if not body.startswith("/"):
        raise ValueError(f"not a JSON pointer: {pointer!r} (expected '#/…')")
    parts: list[str | int] = []
    node = instance
    use_instance = instance is not None
    for raw in body[1:].split("/"):
        token = unescape_token(raw)
        if use_instance:
            if isinstance(node, list) and token.isdigit():
                parts.append(int(token))
                node = node[int(token)] if int(token) < len(node) else None
            else:
                parts.append(token)
                node = node.get(token) if isinstance(node, dict) else None
        else:
            parts.append(
                int(token) if token.isdigit() and (token == "0" or not token.startswith("0")) else token
            )
    return parts


def path_parts(path: str) -> list[str | int]:
    """Split `$.a[0].b` / `$['a b'][0]` into keys and indices."""
    if not path.startswith("$"):
        raise ValueError(f"not a JSON path: {path!r} (expected '$…')")
    parts: list[str | int] = []
    pos = 1
    while pos < len(path):
        match = _PATH_TOKEN.match(path, pos)
        if not match:
            raise ValueError(f"cannot parse JSON path {path!r} at offset {pos}")
        name, index, quoted = match.groups()
        if name is not None:
            parts.append(name)
        elif index is not None:
            parts.append(int(index))
        else:
            parts.append(_unquote(quoted))
        pos = match.end()
    return parts


def _unquote(quoted: str) -> str:
    if quoted.startswith('"'):
        return json.loads(quoted)
    return re.sub(r"\\(.)", r"\1", quoted[1:-1])


def pointer_to_path(pointer: str, instance: Any = None) -> str:
    """`#/a/0/b` → `$.a[0].b`."""
    return path_from_parts(pointer_parts(pointer, instance))


def path_to_pointer(path: str) -> str:
    """`$.a[0].b` → `#/a/0/b`."""
    return pointer_from_parts(path_parts(path))


def get_by_pointer(instance: Any, pointer: str, default: Any = None) -> Any:
    """The value at `pointer` (`#/a/0` or `/a/0`) in `instance`, or `default`."""
    node = instance
    for part in pointer_parts(pointer, instance):
        if isinstance(node, dict) and str(part) in node:
            node = node[str(part)]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return default
    return node


def set_by_pointer(instance: dict, pointer: str, value: Any) -> None:
    """Set `value` at `pointer`, creating intermediate objects (not arrays)."""
    parts = [str(p) for p in pointer_parts(pointer)]
    if not parts:
        raise ValueError("cannot set the root")
    node = instance
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
