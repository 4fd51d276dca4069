"""RFC 6902 JSON Patch for the sandbox's PATCH handlers, through the ``jsonpatch`` library.

``apply_patch(doc, ops)`` returns a patched copy (``doc`` is left alone) or raises ``PatchError`` whose
message names the operation (its index and path) and what is wrong, in the words the handlers' error
bodies use ("… does not exist"). The library follows the RFC where a hand-written patcher slipped:
``/a/-1`` and ``/a/01`` are not array indexes (RFC 6901 §4), ``test`` compares JSON values, so ``1`` is
not ``true`` (RFC 6902 §4.6); tests/sandbox/test_json_patch.py holds the RFC cases. Where it is laxer
than the RFC we check before calling it (see ``_check_ops``).
"""

from __future__ import annotations

from typing import Any

import jsonpatch
import jsonpointer


class PatchError(ValueError):
    pass


def _check_ops(ops: Any) -> None:
    # jsonpatch also takes a JSON *string* (and parses it) or a single operation object; RFC 6902 §3 says a
    # patch document is an array of operation objects, so anything else is refused here.
    if not isinstance(ops, list):
        raise PatchError("a JSON Patch must be an array of operations")
    for i, op in enumerate(ops):
        if not isinstance(op, dict):
            raise PatchError(f"operation {i} must be an object")
        if not isinstance(op.get("path"), str):
            raise PatchError(f"operation {i}: 'path' is missing or not a string")


def apply_patch(doc: Any, ops: Any) -> Any:
    _check_ops(ops)
    for i, op in enumerate(ops):  # one at a time, so that an error names its operation
        where = f"operation {i} ({op.get('op')!r} at {op['path']!r})"
        try:
            doc = jsonpatch.apply_patch(doc, [op])
        except jsonpatch.JsonPatchTestFailed as exc:
            raise PatchError(f"{where}: test failed: {exc}") from None
        except (jsonpatch.JsonPatchConflict, jsonpointer.JsonPointerException) as exc:
            raise PatchError(f"{where}: path does not exist or cannot be changed: {exc}") from None
        except jsonpatch.JsonPatchException as exc:  # InvalidJsonPatch, JsonPatchPathNotFound (remove/replace)
            text = str(exc)
            if "non-existent" in text or "not found" in text.lower():
                text = f"path does not exist: {text}"
            raise PatchError(f"{where}: {text}") from None
    return doc
