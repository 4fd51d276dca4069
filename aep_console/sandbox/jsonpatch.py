"""RFC 6902 JSON Patch (add, remove, replace, move, copy, test) over plain JSON values.

``apply_patch(doc, ops)`` returns a patched deep copy or raises ``PatchError`` whose message names the
operation index and path.
"""

from __future__ import annotations

import copy
from typing import Any


class PatchError(ValueError):
    pass


def _tokens(pointer: str, where: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PatchError(f"{where}: path {pointer!r} must start with '/'")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _parent(doc: Any, tokens: list[str], where: str, pointer: str) -> tuple[Any, str]:
    node = doc
    for tok in tokens[:-1]:
        if isinstance(node, dict):
            if tok not in node:
                raise PatchError(f"{where}: path {pointer!r} does not exist (no member {tok!r})")
            node = node[tok]
        elif isinstance(node, list):
            try:
                node = node[int(tok)]
            except (ValueError, IndexError):
                raise PatchError(f"{where}: path {pointer!r} does not exist (no index {tok!r})") from None
        else:
            raise PatchError(f"{where}: path {pointer!r} goes through a non-container value")
    return node, tokens[-1]


def _get(doc: Any, pointer: str, where: str) -> Any:
    node = doc
    for tok in _tokens(pointer, where):
        try:
            node = node[tok] if isinstance(node, dict) else node[int(tok)]
        except (KeyError, ValueError, IndexError, TypeError):
            raise PatchError(f"{where}: path {pointer!r} does not exist") from None
    return node


def _add(doc: Any, pointer: str, value: Any, where: str) -> Any:
    tokens = _tokens(pointer, where)
    if not tokens:
        return value
    parent, last = _parent(doc, tokens, where, pointer)
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        if last == "-":
            parent.append(value)
        else:
            try:
                idx = int(last)
            except ValueError:
                raise PatchError(f"{where}: {last!r} is not an array index in {pointer!r}") from None
            if not 0 <= idx <= len(parent):
                raise PatchError(f"{where}: index {idx} out of range in {pointer!r}")
            parent.insert(idx, value)
    else:
        raise PatchError(f"{where}: cannot add to a non-container at {pointer!r}")
    return doc


def _remove(doc: Any, pointer: str, where: str) -> tuple[Any, Any]:
    tokens = _tokens(pointer, where)
    if not tokens:
        raise PatchError(f"{where}: cannot remove the whole document")
    parent, last = _parent(doc, tokens, where, pointer)
    try:
        if isinstance(parent, dict):
            return doc, parent.pop(last)
        if isinstance(parent, list):
            return doc, parent.pop(int(last))
    except (KeyError, ValueError, IndexError):
        pass
    raise PatchError(f"{where}: path {pointer!r} does not exist")


def apply_patch(doc: Any, ops: Any) -> Any:
    if not isinstance(ops, list):
        raise PatchError("a JSON Patch must be an array of operations")
    doc = copy.deepcopy(doc)
    for i, op in enumerate(ops):
        where = f"operation [{i}]"
        if not isinstance(op, dict):
            raise PatchError(f"{where} must be an object")
        kind = op.get("op")
        path = op.get("path")
        if not isinstance(path, str):
            raise PatchError(f"{where}: 'path' is missing or not a string")
        if kind in ("add", "replace", "test") and "value" not in op:
            raise PatchError(f"{where}: '{kind}' needs a 'value'")
        value = copy.deepcopy(op.get("value"))
        if kind == "add":
            doc = _add(doc, path, value, where)
        elif kind == "remove":
            doc, _ = _remove(doc, path, where)
        elif kind == "replace":
            _get(doc, path, where)
            if path == "":
                doc = value
            else:
                doc, _ = _remove(doc, path, where)
                doc = _add(doc, path, value, where)
        elif kind in ("move", "copy"):
            src = op.get("from")
            if not isinstance(src, str):
                raise PatchError(f"{where}: '{kind}' needs 'from'")
            if kind == "move":
                doc, moved = _remove(doc, src, where)
            else:
                moved = copy.deepcopy(_get(doc, src, where))
            doc = _add(doc, path, moved, where)
        elif kind == "test":
            if _get(doc, path, where) != value:
                raise PatchError(f"{where}: test failed at {path!r}")
        else:
            raise PatchError(
                f"{where}: unknown op {kind!r} (expected add, remove, replace, move, copy, test)"
            )
    return doc
